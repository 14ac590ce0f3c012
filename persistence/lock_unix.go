//go:build unix

package persistence

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return fmt.Errorf("%s: %w", f.Name(), ErrLocked)
	}
	return err
}

func unlockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// openRenamable opens path for reading (a rename never minds open files
// here).
func openRenamable(path string) (*os.File, error) { return os.Open(path) }

// links is how many names a file has (1 for a file of its own).
func links(st os.FileInfo) uint64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Nlink)
	}
	return 1
}

// fileOwner is the user id a file belongs to.
func fileOwner(st os.FileInfo) (int, bool) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(s.Uid), true
	}
	return 0, false
}

// keepOwner gives path the owner of was, when they differ and this
// process may (it runs as root); otherwise it leaves it. It does not
// follow a link.
func keepOwner(path string, was os.FileInfo) {
	if was == nil || os.Geteuid() != 0 {
		return
	}
	if s, ok := was.Sys().(*syscall.Stat_t); ok && (int(s.Uid) != os.Geteuid() || s.Gid != uint32(os.Getegid())) {
		os.Lchown(path, int(s.Uid), int(s.Gid))
	}
}
