package persistence

import (
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// RenameWritesThrough says a rename is on the disk when it returns, with
// every change to the file system made before it: on Windows, where a
// folder cannot be fsynced (SyncDir does nothing), the rename is made with
// MOVEFILE_WRITE_THROUGH, which returns once NTFS has flushed its log up to
// the rename, and so everything logged before it.
const RenameWritesThrough = true

func rename(oldpath, newpath string) error {
	from, err := windows.UTF16PtrFromString(longPath(oldpath))
	if err != nil {
		return err
	}
	to, err := windows.UTF16PtrFromString(longPath(newpath))
	if err != nil {
		return err
	}
	if err := windows.MoveFileEx(from, to, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH); err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return nil
}

// longPath lets a path past MAX_PATH (260) through the Win32 call, as Go's
// os package does for its own calls: an absolute path gets the \\?\
// prefix, which turns off the limit (and the parsing of / and ..).
func longPath(p string) string {
	if len(p) < 248 || !filepath.IsAbs(p) || strings.HasPrefix(p, `\\?\`) {
		return p
	}
	p = filepath.Clean(p)
	if strings.HasPrefix(p, `\\`) { // \\server\share\...
		return `\\?\UNC\` + p[2:]
	}
	return `\\?\` + p
}
