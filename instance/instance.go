// Package instance lets a running Voice Notes window be controlled from
// outside: `voicenotes toggle` (bound to a desktop shortcut) starts or stops
// recording, and a second launch on the same vault brings the running
// window to the front. It listens on a Unix socket in the user's runtime
// folder, private to the user; on Windows on a named pipe that only the
// user can open.
package instance

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Commands a running instance understands.
const (
	Toggle = "toggle" // start or stop recording; replies "recording" or "stopped"
	Show   = "show"   // bring the window to the front; replies "ok"
	// Mark, followed by an optional label, drops a marker in the recording
	// in progress; replies "marked at 0:12" or "not recording".
	Mark = "mark"
	// Dictate starts a dictation, or stops it and types its words where
	// the keyboard was; replies "dictating" or "stopped".
	Dictate = "dictate"
)

// ErrNotRunning means no window is open on the vault.
var ErrNotRunning = errors.New("no Voice Notes window is open on this vault")

// Listener serves commands for one vault until closed.
type Listener struct {
	l    net.Listener
	path string
}

// Listen starts answering commands; handle runs each one (on its own
// goroutine) and returns the reply. The caller holds the vault lock, so an
// endpoint left by a crashed instance is stale and replaced. Commands
// from other users are refused.
func Listen(vaultRoot string, handle func(cmd string) string) (*Listener, error) {
	l, path, err := listenLocal(vaultRoot)
	if err != nil {
		return nil, fmt.Errorf("listening for voicenotes toggle: %w", err)
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
	removeEndpoint(l.path)
	return err
}

// Send gives a command to the instance running on the vault and returns
// its reply.
// It talks only to a process of this user, in a folder only this user
// can write.
func Send(vaultRoot, cmd string) (string, error) {
	c, err := dialLocal(vaultRoot, cmd)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if err := samePeer(c); err != nil {
		return "", fmt.Errorf("not sending %q to the running Voice Notes: %w", cmd, err)
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
