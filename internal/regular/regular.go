// Package regular opens files that must be plain files: audio a person
// names, notes, lock files. A named pipe, a device or a socket in their
// place is refused with what it is, never read from or waited on.
package regular

import (
	"fmt"
	"io/fs"
	"os"
)

// Open opens name for reading only if it is a regular file, following a
// link only to one. It opens without blocking (a named pipe would wait
// for a writer forever) and checks what it opened.
func Open(name string) (*os.File, error) { return open(name, 0) }

// OpenNoFollow is Open refusing a symbolic link in the last component
// (ELOOP) instead of following it: for a file whose path was checked
// already, so what is opened is what was checked.
func OpenNoFollow(name string) (*os.File, error) { return open(name, NoFollow) }

func open(name string, flags int) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|Nonblock|flags, 0)
	if err != nil {
		return nil, err
	}
	if err := Check(name, f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Check says, with what it is, when the file f opened as name is not a
// regular file.
func Check(name string, f interface{ Stat() (fs.FileInfo, error) }) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: it is %s, not a file", name, Kind(st.Mode()))
	}
	return nil
}

// Kind names what a file that is not a regular file is, for errors.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	default:
		return "not a regular file (" + m.Type().String() + ")"
	}
}
