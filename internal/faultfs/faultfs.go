// Package faultfs wraps the persistence file-system seam for tests: FS
// injects an error or a delay before any operation, and CrashFS simulates a
// power loss by dropping what was not yet made durable.
package faultfs

import (
	"io/fs"
	"sync"

	"github.com/voicenotes/voicenotes/persistence"
)

// Op names a file-system operation.
type Op string

// The operations a hook sees.
const (
	OpOpen     Op = "open"
	OpRead     Op = "read"
	OpWrite    Op = "write"
	OpSeek     Op = "seek"
	OpSync     Op = "sync"
	OpClose    Op = "close"
	OpChmod    Op = "chmod"
	OpTruncate Op = "truncate"
	OpStat     Op = "stat"
	OpRename   Op = "rename"
	OpRemove   Op = "remove"
	OpMkdir    Op = "mkdir"
	OpReadDir  Op = "readdir"
)

// Event is one operation as the hook saw it.
type Event struct {
	Op   Op
	Path string
}

// FS calls Hook before every operation on Base; when Hook returns an error
// the operation is not performed and the error is returned. Hook may also
// block, to simulate a stalled disk.
type FS struct {
	Base persistence.FS
	Hook func(Event) error

	mu  sync.Mutex
	log []Event
}

// New wraps base with hook (which may be nil: then FS only records).
func New(base persistence.FS, hook func(Event) error) *FS {
	return &FS{Base: base, Hook: hook}
}

// Events returns the operations seen so far.
func (f *FS) Events() []Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Event(nil), f.log...)
}

func (f *FS) check(op Op, path string) error {
	ev := Event{op, path}
	f.mu.Lock()
	f.log = append(f.log, ev)
	hook := f.Hook
	f.mu.Unlock()
	if hook != nil {
		return hook(ev)
	}
	return nil
}

func (f *FS) OpenFile(name string, flag int, perm fs.FileMode) (persistence.File, error) {
	if err := f.check(OpOpen, name); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	file, err := f.Base.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f}, nil
}

func (f *FS) Rename(oldpath, newpath string) error {
	if err := f.check(OpRename, newpath); err != nil {
		return err
	}
	return f.Base.Rename(oldpath, newpath)
}

func (f *FS) Remove(name string) error {
	if err := f.check(OpRemove, name); err != nil {
		return err
	}
	return f.Base.Remove(name)
}

func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	if err := f.check(OpStat, name); err != nil {
		return nil, err
	}
	return f.Base.Lstat(name)
}

func (f *FS) Stat(name string) (fs.FileInfo, error) {
	if err := f.check(OpStat, name); err != nil {
		return nil, err
	}
	return f.Base.Stat(name)
}

func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := f.check(OpReadDir, name); err != nil {
		return nil, err
	}
	return f.Base.ReadDir(name)
}

func (f *FS) MkdirAll(path string, perm fs.FileMode) error {
	if err := f.check(OpMkdir, path); err != nil {
		return err
	}
	return f.Base.MkdirAll(path, perm)
}

func (f *FS) EvalSymlinks(path string) (string, error) {
	if err := f.check(OpStat, path); err != nil {
		return "", err
	}
	return f.Base.EvalSymlinks(path)
}

type faultFile struct {
	persistence.File
	fs *FS
}

func (f *faultFile) Read(p []byte) (int, error) {
	if err := f.fs.check(OpRead, f.Name()); err != nil {
		return 0, err
	}
	return f.File.Read(p)
}

func (f *faultFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.fs.check(OpRead, f.Name()); err != nil {
		return 0, err
	}
	return f.File.ReadAt(p, off)
}

func (f *faultFile) Write(p []byte) (int, error) {
	if err := f.fs.check(OpWrite, f.Name()); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

func (f *faultFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.fs.check(OpWrite, f.Name()); err != nil {
		return 0, err
	}
	return f.File.WriteAt(p, off)
}

func (f *faultFile) Seek(off int64, whence int) (int64, error) {
	if err := f.fs.check(OpSeek, f.Name()); err != nil {
		return 0, err
	}
	return f.File.Seek(off, whence)
}

func (f *faultFile) Sync() error {
	if err := f.fs.check(OpSync, f.Name()); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *faultFile) Close() error {
	if err := f.fs.check(OpClose, f.Name()); err != nil {
		f.File.Close() // a failed close still releases the descriptor, as close(2) does
		return err
	}
	return f.File.Close()
}

func (f *faultFile) Chmod(mode fs.FileMode) error {
	if err := f.fs.check(OpChmod, f.Name()); err != nil {
		return err
	}
	return f.File.Chmod(mode)
}

func (f *faultFile) Truncate(size int64) error {
	if err := f.fs.check(OpTruncate, f.Name()); err != nil {
		return err
	}
	return f.File.Truncate(size)
}
