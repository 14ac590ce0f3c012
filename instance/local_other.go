//go:build !windows

package instance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// socketPath is where the instance for a vault listens.
func socketPath(vaultRoot string) string {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("voicenotes-%d", os.Getuid()))
	} else {
		dir = filepath.Join(dir, "voicenotes")
	}
	sum := sha256.Sum256([]byte(vaultRoot))
	return filepath.Join(dir, hex.EncodeToString(sum[:8])+".sock")
}

// privateDir makes sure the socket's folder is this user's alone: created
// 0700 if missing, and otherwise a real folder (not a link) owned by this
// user, which nobody else can write to. Without $XDG_RUNTIME_DIR the
// folder is in the shared temp folder, where another user could have made
// it first to catch or answer the commands.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder; remove it, then start Voice Notes again", dir)
	}
	if err := checkOwner(st); err != nil {
		return fmt.Errorf("%s %w; remove it, then start Voice Notes again", dir, err)
	}
	if st.Mode().Perm() != 0o700 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}

// listenLocal listens on the vault's socket.
func listenLocal(vaultRoot string) (net.Listener, string, error) {
	path := socketPath(vaultRoot)
	if err := privateDir(filepath.Dir(path)); err != nil {
		return nil, "", err
	}
	os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, "", fmt.Errorf("on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, "", err
	}
	return l, path, nil
}

// dialLocal connects to the vault's socket, in a folder only this user
// can write.
func dialLocal(vaultRoot, cmd string) (net.Conn, error) {
	path := socketPath(vaultRoot)
	if err := privateDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("not sending %q: %w", cmd, err)
	}
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return nil, fmt.Errorf("%w (%s); start it with 'voicenotes'", ErrNotRunning, vaultRoot)
	}
	return c, nil
}

func removeEndpoint(path string) { os.Remove(path) }
