// Package instance lets a running Voice Notes window be controlled from
// outside: `voicenotes toggle` (bound to a desktop shortcut) starts or stops
// recording, and a second launch on the same vault brings the running
// window to the front. It listens on a Unix socket in the user's runtime
// folder, private to the user.
package instance

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Commands a running instance understands.
const (
	Toggle = "toggle" // start or stop recording; replies "recording" or "stopped"
	Show   = "show"   // bring the window to the front; replies "ok"
)

// ErrNotRunning means no window is open on the vault.
var ErrNotRunning = errors.New("no Voice Notes window is open on this vault")

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

// Listener serves commands for one vault until closed.
type Listener struct {
	l    net.Listener
	path string
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

// Listen starts answering commands; handle runs each one (on its own
// goroutine) and returns the reply. The caller holds the vault lock, so a
// socket file left by a crashed instance is stale and replaced. Commands
// from other users are refused.
func Listen(vaultRoot string, handle func(cmd string) string) (*Listener, error) {
	path := socketPath(vaultRoot)
	if err := privateDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("listening for voicenotes toggle: %w", err)
	}
	os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listening for voicenotes toggle on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go serve(c, handle)
		}
	}()
	return &Listener{l: l, path: path}, nil
}

func serve(c net.Conn, handle func(string) string) {
	defer c.Close()
	if err := samePeer(c); err != nil {
		return
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintln(c, handle(strings.TrimSpace(line)))
}

// Close stops listening and removes the socket.
func (l *Listener) Close() error {
	err := l.l.Close()
	os.Remove(l.path)
	return err
}

// Send gives a command to the instance running on the vault and returns
// its reply.
// It talks only to a process of this user, in a folder only this user
// can write.
func Send(vaultRoot, cmd string) (string, error) {
	path := socketPath(vaultRoot)
	if err := privateDir(filepath.Dir(path)); err != nil {
		return "", fmt.Errorf("not sending %q: %w", cmd, err)
	}
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return "", fmt.Errorf("%w (%s); start it with 'voicenotes'", ErrNotRunning, vaultRoot)
	}
	defer c.Close()
	if err := samePeer(c); err != nil {
		return "", fmt.Errorf("not sending %q to %s: %w", cmd, path, err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintln(c, cmd); err != nil {
		return "", err
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("the running Voice Notes did not answer: %w", err)
	}
	return strings.TrimSpace(reply), nil
}
