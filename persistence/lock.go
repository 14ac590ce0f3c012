package persistence

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/voicenotes/voicenotes/internal/regular"
)

// ErrLocked means another process holds the lock.
var ErrLocked = errors.New("locked by another process")

// Lock is an OS advisory lock on a file, released by Unlock or when the
// process dies, however it dies.
type Lock struct {
	f *os.File
}

// TryLock takes an exclusive lock on path without waiting, creating the file
// (0600) if needed. It returns an error wrapping ErrLocked if another process
// holds it, and records this process's id in the file for diagnostics.
func TryLock(path string) (*Lock, error) {
	f, err := openLockFile(path)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	// The pid is a hint for people; the lock is the OS's.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// ErrNotOurs means a file the app keeps for itself (a lock) is a link or
// shares its data with another file: another program or user put it
// there, and writing to it would change that other file.
var ErrNotOurs = errors.New("not a file of this app's own")

// openLockFile opens (creating) a lock file without following a link to
// anywhere else: a lock file is truncated and written, and in a folder
// others can write to, a link planted there would have it overwrite
// whatever it points at. A link, or a file with other names (a hard
// link), is refused with what to do.
func openLockFile(path string) (*os.File, error) {
	if st, err := os.Lstat(path); err == nil && st.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symbolic link (%w): Voice Notes does not follow links for its lock files; remove it and try again", path, ErrNotOurs)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|regular.NoFollow, FilePerm)
	if err != nil {
		if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&os.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s is a symbolic link (%w): Voice Notes does not follow links for its lock files; remove it and try again", path, ErrNotOurs)
		}
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() || links(st) > 1 {
		f.Close()
		return nil, fmt.Errorf("%s is not a plain file of its own (%w: a device, a folder or a hard link to another file); remove it and try again", path, ErrNotOurs)
	}
	return f, nil
}

// LockExisting takes an exclusive lock on an existing file without waiting
// and without changing it: a recording in progress holds one on its file so
// that no other process recovers it. It returns an error wrapping ErrLocked
// if another process holds it.
//
// The file may be renamed while the lock is held (a recording's partial
// file becomes its WAV): on Windows the lock's handle is opened with
// delete sharing, which a rename of an open file needs there.
func LockExisting(path string) (*Lock, error) {
	f, err := openRenamable(path)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	return &Lock{f: f}, nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// lockHolder reads the pid the holder of a lock file recorded, or 0.
func lockHolder(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// LockedError says which vault is locked and, when known, by which process.
type LockedError struct {
	Vault string
	PID   int
}

func (e *LockedError) Error() string {
	who := "another Voice Notes window"
	if e.PID > 0 {
		who = fmt.Sprintf("another Voice Notes window (process %d)", e.PID)
	}
	return fmt.Sprintf("the vault %s is open in %s; switch to that window, or close it and try again", e.Vault, who)
}

func (e *LockedError) Unwrap() error { return ErrLocked }
