//go:build windows

package persistence

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// Windows byte-range locks are mandatory: lock one byte far past any real
// data so that the holder's own writes through other handles still work.
const lockOffsetHigh = 0x7fffffff

func lockFile(f *os.File) error {
	ol := &windows.Overlapped{OffsetHigh: lockOffsetHigh}
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return fmt.Errorf("%s: %w", f.Name(), ErrLocked)
	}
	return err
}

func unlockFile(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &windows.Overlapped{OffsetHigh: lockOffsetHigh})
}

// openRenamable opens path for reading with every kind of sharing,
// delete included, so others may still read, write and rename it (Go's
// os.Open leaves delete sharing out, and a rename of the file would then
// fail with a sharing violation while the handle is open).
func openRenamable(path string) (*os.File, error) {
	p, err := windows.UTF16PtrFromString(longPath(path))
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}

// links is how many names a file has; os.FileInfo does not say on
// Windows, where creating a hard link needs rights over the target.
func links(os.FileInfo) uint64 { return 1 }

// fileOwner: Windows files have owners of another kind (SIDs), and
// os.FileInfo does not carry them.
func fileOwner(os.FileInfo) (int, bool) { return 0, false }

// keepOwner: a file Windows replaces by rename keeps the new file's
// owner; ownership there is not the same kind of thing.
func keepOwner(string, os.FileInfo) {}
