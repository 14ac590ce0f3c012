package instance

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// On Windows the instance listens on a named pipe, \\.\pipe\voicenotes-…,
// whose access list lets only this user open it, which refuses clients
// from other machines, and whose other end is checked to be this user's
// process on both sides (the pipe's own word for the peer's process id).

// pipeName is the vault's pipe: per user and per vault.
func pipeName(vaultRoot string) (string, error) {
	sid, err := userSID()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(strings.ToLower(vaultRoot)))
	return `\\.\pipe\voicenotes-` + sid + "-" + hex.EncodeToString(sum[:8]), nil
}

// userSID is this process's user, as an SID string.
func userSID() (string, error) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "", fmt.Errorf("finding out who you are: %w", err)
	}
	return u.User.Sid.String(), nil
}

// processUser is the SID of the user running process pid.
func processUser(pid uint32) (string, error) {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return "", err
	}
	defer windows.CloseHandle(h)
	var tok windows.Token
	if err := windows.OpenProcessToken(h, windows.TOKEN_QUERY, &tok); err != nil {
		return "", err
	}
	defer tok.Close()
	u, err := tok.GetTokenUser()
	if err != nil {
		return "", err
	}
	return u.User.Sid.String(), nil
}

type pipeListener struct {
	name string
	sa   *windows.SecurityAttributes

	mu      sync.Mutex
	closed  bool
	pending windows.Handle // the instance Accept waits on
	first   bool
}

func listenLocal(vaultRoot string) (net.Listener, string, error) {
	name, err := pipeName(vaultRoot)
	if err != nil {
		return nil, "", err
	}
	sid, err := userSID()
	if err != nil {
		return nil, "", err
	}
	// Protected DACL: full access for this user, nobody else.
	sd, err := windows.SecurityDescriptorFromString("D:P(A;;GA;;;" + sid + ")")
	if err != nil {
		return nil, "", err
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	l := &pipeListener{name: name, sa: sa, first: true}
	// Make the first instance now, so a second window on the vault (or
	// another user's squatter) is found out at once.
	h, err := l.newInstance()
	if err != nil {
		return nil, "", err
	}
	l.pending = h
	return l, name, nil
}

func (l *pipeListener) newInstance() (windows.Handle, error) {
	p, err := windows.UTF16PtrFromString(l.name)
	if err != nil {
		return 0, err
	}
	flags := uint32(windows.PIPE_ACCESS_DUPLEX)
	if l.first {
		flags |= windows.FILE_FLAG_FIRST_PIPE_INSTANCE
		l.first = false
	}
	h, err := windows.CreateNamedPipe(p, flags, windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT|windows.PIPE_REJECT_REMOTE_CLIENTS,
		windows.PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, l.sa)
	if err != nil {
		return 0, fmt.Errorf("on %s: %w", l.name, err)
	}
	return h, nil
}

func (l *pipeListener) Accept() (net.Conn, error) {
	for {
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return nil, net.ErrClosed
		}
		h := l.pending
		if h == 0 {
			var err error
			if h, err = l.newInstance(); err != nil {
				l.mu.Unlock()
				return nil, err
			}
			l.pending = h
		}
		l.mu.Unlock()
		err := windows.ConnectNamedPipe(h, nil)
		l.mu.Lock()
		l.pending = 0
		closed := l.closed
		l.mu.Unlock()
		if closed {
			windows.CloseHandle(h)
			return nil, net.ErrClosed
		}
		if err != nil && !errors.Is(err, windows.ERROR_PIPE_CONNECTED) {
			windows.CloseHandle(h)
			continue
		}
		return newPipeConn(h, true), nil
	}
}

// Close stops Accept: it marks the listener closed and connects to the
// waiting instance once, which wakes ConnectNamedPipe.
func (l *pipeListener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	pending := l.pending
	l.mu.Unlock()
	if pending != 0 {
		if h, err := openPipe(l.name); err == nil {
			windows.CloseHandle(h)
		}
	}
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr(l.name) }

type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

func openPipe(name string) (windows.Handle, error) {
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return 0, err
	}
	return windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, 0, 0)
}

func dialLocal(vaultRoot, cmd string) (net.Conn, error) {
	name, err := pipeName(vaultRoot)
	if err != nil {
		return nil, fmt.Errorf("not sending %q: %w", cmd, err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		h, err := openPipe(name)
		if err == nil {
			return newPipeConn(h, false), nil
		}
		// Every instance busy: the server is making the next one.
		if errors.Is(err, windows.ERROR_PIPE_BUSY) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		return nil, fmt.Errorf("%w (%s); start it with 'voicenotes'", ErrNotRunning, vaultRoot)
	}
}

func removeEndpoint(string) {} // a pipe goes with its last handle

// pipeConn is one end of a connected pipe. Deadlines close it when they
// pass (the handle is synchronous, so a read cannot be interrupted
// otherwise).
type pipeConn struct {
	f      *os.File
	h      windows.Handle
	server bool
	mu     sync.Mutex
	timer  *time.Timer
}

func newPipeConn(h windows.Handle, server bool) *pipeConn {
	return &pipeConn{f: os.NewFile(uintptr(h), "pipe"), h: h, server: server}
}

func (c *pipeConn) Read(b []byte) (int, error)  { return c.f.Read(b) }
func (c *pipeConn) Write(b []byte) (int, error) { return c.f.Write(b) }
func (c *pipeConn) Close() error {
	c.mu.Lock()
	if c.timer != nil {
		c.timer.Stop()
	}
	c.mu.Unlock()
	if c.server {
		windows.FlushFileBuffers(c.h)
		windows.DisconnectNamedPipe(c.h)
	}
	return c.f.Close()
}
func (c *pipeConn) LocalAddr() net.Addr  { return pipeAddr("local") }
func (c *pipeConn) RemoteAddr() net.Addr { return pipeAddr("peer") }
func (c *pipeConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
	}
	if !t.IsZero() {
		c.timer = time.AfterFunc(time.Until(t), func() { c.f.Close() })
	}
	return nil
}
func (c *pipeConn) SetReadDeadline(t time.Time) error  { return c.SetDeadline(t) }
func (c *pipeConn) SetWriteDeadline(t time.Time) error { return c.SetDeadline(t) }

// samePeer refuses a pipe whose other end is another user's process.
func samePeer(nc net.Conn) error {
	c, ok := nc.(*pipeConn)
	if !ok {
		return fmt.Errorf("not a named pipe")
	}
	var pid uint32
	var err error
	if c.server {
		err = windows.GetNamedPipeClientProcessId(c.h, &pid)
	} else {
		err = windows.GetNamedPipeServerProcessId(c.h, &pid)
	}
	if err != nil {
		return fmt.Errorf("asking who is at the other end of the pipe: %w", err)
	}
	me, err := userSID()
	if err != nil {
		return err
	}
	them, err := processUser(pid)
	if err != nil {
		return fmt.Errorf("the other end (pid %d) could not be checked: %w", pid, err)
	}
	if them != me {
		return fmt.Errorf("the other end is %s's process (pid %d), not yours", them, pid)
	}
	return nil
}
