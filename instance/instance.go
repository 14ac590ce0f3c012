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

// Listen starts answering commands; handle runs each one (on its own
// goroutine) and returns the reply. The caller holds the vault lock, so a
// socket file left by a crashed instance is stale and replaced.
func Listen(vaultRoot string, handle func(cmd string) string) (*Listener, error) {
	path := socketPath(vaultRoot)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := os.Chmod(filepath.Dir(path), 0o700); err != nil {
		return nil, err
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
func Send(vaultRoot, cmd string) (string, error) {
	c, err := net.DialTimeout("unix", socketPath(vaultRoot), 2*time.Second)
	if err != nil {
		return "", fmt.Errorf("%w (%s); start it with 'voicenotes'", ErrNotRunning, vaultRoot)
	}
	defer c.Close()
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
