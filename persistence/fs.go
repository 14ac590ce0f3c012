package persistence

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/voicenotes/voicenotes/internal/regular"
)

// File is the subset of *os.File the vault uses. *os.File implements it.
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	io.WriterAt
	io.Seeker
	Close() error
	Sync() error
	Chmod(mode fs.FileMode) error
	Stat() (fs.FileInfo, error)
	Truncate(size int64) error
	Name() string
}

// FS is the seam every file-system call of the vault goes through. OS is the
// real one; tests wrap it to inject faults or simulate power loss.
type FS interface {
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
	Lstat(name string) (fs.FileInfo, error)
	Stat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	MkdirAll(path string, perm fs.FileMode) error
	EvalSymlinks(path string) (string, error)
}

// OS is the real file system.
var OS FS = osFS{}

type osFS struct{}

func (osFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err // a nil *os.File must not become a non-nil File
	}
	return f, nil
}

func (osFS) Rename(oldpath, newpath string) error         { return rename(oldpath, newpath) }
func (osFS) Remove(name string) error                     { return os.Remove(name) }
func (osFS) Lstat(name string) (fs.FileInfo, error)       { return os.Lstat(name) }
func (osFS) Stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error)   { return os.ReadDir(name) }
func (osFS) MkdirAll(path string, perm fs.FileMode) error { return os.MkdirAll(path, perm) }
func (osFS) EvalSymlinks(path string) (string, error)     { return filepath.EvalSymlinks(path) }

// ReadFile reads a whole file through fsys.
func ReadFile(fsys FS, name string) ([]byte, error) {
	f, err := OpenRegular(fsys, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// OpenRegular opens name for reading only if it is a regular file. It opens
// without blocking (a named pipe would wait for a writer forever) and
// checks what it opened, so a pipe, device or socket, or a link to one, is
// refused with an error saying what it is.
func OpenRegular(fsys FS, name string) (File, error) {
	f, err := fsys.OpenFile(name, os.O_RDONLY|regular.Nonblock, 0)
	if err != nil {
		return nil, err
	}
	if err := regular.Check(name, f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// readDirFunc is ReadDir of the entries whose names keep accepts (sorted
// by name, as ReadDir sorts), without holding the others: beside each
// note is its audio, and a listing wants the notes alone. The real file
// system is read a batch at a time; others are read whole and filtered.
func readDirFunc(fsys FS, name string, keep func(name string) bool) ([]fs.DirEntry, error) {
	if _, ok := fsys.(osFS); !ok {
		entries, err := fsys.ReadDir(name)
		return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return !keep(e.Name()) }), err
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []fs.DirEntry
	for {
		batch, err := f.ReadDir(1024)
		for _, e := range batch {
			if keep(e.Name()) {
				out = append(out, e)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, err
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}
