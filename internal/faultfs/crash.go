package faultfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/voicenotes/voicenotes/persistence"
)

// ErrCrashed is returned by every operation after the simulated power loss.
var ErrCrashed = errors.New("simulated power loss")

// CrashFS simulates power loss on the real files of some folders, as
// LevelDB's fault-injection environment does. It keeps a model of what is
// durable: a file's data is durable once the file is fsynced, and a folder's
// entries (creations, renames, removals) once the folder is fsynced.
// Truncation is taken as durable at once, the unkindest order a journaling
// file system allows. On Windows, where folders cannot be fsynced, a
// rename is written through (persistence.RenameWritesThrough) and makes
// every folder's entries durable, as NTFS's log flush does. After CrashAfter operations every call fails with
// ErrCrashed; Crash then rewrites the folders on disk to their durable state.
type CrashFS struct {
	base persistence.FS

	mu         sync.Mutex
	dirs       map[string]*dirState
	ops        int
	crashAfter int // -1: never
	crashed    bool
}

type inode struct {
	durable, volatile []byte
}

type dirState struct {
	durable, volatile map[string]*inode
}

// NewCrashFS tracks the given folders, whose current files are all durable.
func NewCrashFS(base persistence.FS, dirs ...string) (*CrashFS, error) {
	c := &CrashFS{base: base, dirs: map[string]*dirState{}, crashAfter: -1}
	for _, d := range dirs {
		d = filepath.Clean(d)
		st := &dirState{durable: map[string]*inode{}, volatile: map[string]*inode{}}
		entries, err := os.ReadDir(d)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			data, err := os.ReadFile(filepath.Join(d, e.Name()))
			if err != nil {
				return nil, err
			}
			ino := &inode{durable: data, volatile: clone(data)}
			st.durable[e.Name()], st.volatile[e.Name()] = ino, ino
		}
		c.dirs[d] = st
	}
	return c, nil
}

// CrashAfter makes the machine lose power after n more operations.
func (c *CrashFS) CrashAfter(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ops, c.crashAfter = 0, n
}

// Ops is how many operations ran since the last CrashAfter.
func (c *CrashFS) Ops() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ops
}

// Crash replaces the tracked folders' contents with their durable state, as
// the disk would show it after a reboot, and powers the machine back on.
func (c *CrashFS) Crash() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for dir, st := range c.dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
			}
		}
		for name, ino := range st.durable {
			if err := os.WriteFile(filepath.Join(dir, name), ino.durable, 0o600); err != nil {
				return err
			}
			ino.volatile = clone(ino.durable)
		}
		st.volatile = map[string]*inode{}
		for name, ino := range st.durable {
			st.volatile[name] = ino
		}
	}
	c.crashed, c.crashAfter = false, -1
	return nil
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// step counts an operation and fails it if the power is gone.
func (c *CrashFS) step() error {
	if c.crashed {
		return ErrCrashed
	}
	c.ops++
	if c.crashAfter >= 0 && c.ops > c.crashAfter {
		c.crashed = true
		return ErrCrashed
	}
	return nil
}

func (c *CrashFS) lookup(path string) (*dirState, string) {
	path = filepath.Clean(path)
	return c.dirs[filepath.Dir(path)], filepath.Base(path)
}

func (c *CrashFS) OpenFile(name string, flag int, perm fs.FileMode) (persistence.File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step(); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f, err := c.base.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	if st, ok := c.dirs[filepath.Clean(name)]; ok {
		return &crashFile{File: f, c: c, dir: st}, nil
	}
	st, base := c.lookup(name)
	if st == nil {
		return &crashFile{File: f, c: c}, nil
	}
	ino := st.volatile[base]
	if ino == nil {
		ino = &inode{}
		st.volatile[base] = ino
	}
	if flag&os.O_TRUNC != 0 {
		ino.volatile, ino.durable = nil, nil
	}
	return &crashFile{File: f, c: c, ino: ino}, nil
}

func (c *CrashFS) Rename(oldpath, newpath string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step(); err != nil {
		return err
	}
	if err := c.base.Rename(oldpath, newpath); err != nil {
		return err
	}
	from, fromName := c.lookup(oldpath)
	to, toName := c.lookup(newpath)
	var ino *inode
	if from != nil {
		ino = from.volatile[fromName]
		delete(from.volatile, fromName)
	}
	if to != nil {
		if ino == nil { // moved in from an untracked folder: its data counts as durable
			data, _ := persistence.ReadFile(c.base, newpath)
			ino = &inode{durable: data, volatile: clone(data)}
		}
		to.volatile[toName] = ino
	}
	if persistence.RenameWritesThrough { // Windows: flushed with all before it
		for _, st := range c.dirs {
			st.durable = map[string]*inode{}
			for name, ino := range st.volatile {
				st.durable[name] = ino
			}
		}
	}
	return nil
}

func (c *CrashFS) Remove(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step(); err != nil {
		return err
	}
	if err := c.base.Remove(name); err != nil {
		return err
	}
	if st, b := c.lookup(name); st != nil {
		delete(st.volatile, b)
	}
	return nil
}

func (c *CrashFS) guard() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.step()
}

func (c *CrashFS) Lstat(name string) (fs.FileInfo, error) {
	if err := c.guard(); err != nil {
		return nil, err
	}
	return c.base.Lstat(name)
}

func (c *CrashFS) Stat(name string) (fs.FileInfo, error) {
	if err := c.guard(); err != nil {
		return nil, err
	}
	return c.base.Stat(name)
}

func (c *CrashFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := c.guard(); err != nil {
		return nil, err
	}
	return c.base.ReadDir(name)
}

func (c *CrashFS) MkdirAll(path string, perm fs.FileMode) error {
	if err := c.guard(); err != nil {
		return err
	}
	return c.base.MkdirAll(path, perm)
}

func (c *CrashFS) EvalSymlinks(path string) (string, error) {
	if err := c.guard(); err != nil {
		return "", err
	}
	return c.base.EvalSymlinks(path)
}

// crashFile mirrors writes into its inode's volatile data.
type crashFile struct {
	persistence.File
	c   *CrashFS
	ino *inode    // nil for untracked files and folders
	dir *dirState // set when the file is a tracked folder
	pos int64
}

func (f *crashFile) write(p []byte, off int64) {
	if f.ino == nil {
		return
	}
	if end := off + int64(len(p)); end > int64(len(f.ino.volatile)) {
		f.ino.volatile = append(f.ino.volatile, make([]byte, end-int64(len(f.ino.volatile)))...)
	}
	copy(f.ino.volatile[off:], p)
}

func (f *crashFile) Write(p []byte) (int, error) {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	if err := f.c.step(); err != nil {
		return 0, err
	}
	n, err := f.File.Write(p)
	f.write(p[:n], f.pos)
	f.pos += int64(n)
	return n, err
}

func (f *crashFile) WriteAt(p []byte, off int64) (int, error) {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	if err := f.c.step(); err != nil {
		return 0, err
	}
	n, err := f.File.WriteAt(p, off)
	f.write(p[:n], off)
	return n, err
}

func (f *crashFile) Read(p []byte) (int, error) {
	if err := f.c.guard(); err != nil {
		return 0, err
	}
	n, err := f.File.Read(p)
	f.pos += int64(n)
	return n, err
}

func (f *crashFile) Seek(off int64, whence int) (int64, error) {
	if err := f.c.guard(); err != nil {
		return 0, err
	}
	pos, err := f.File.Seek(off, whence)
	if err == nil {
		f.pos = pos
	}
	return pos, err
}

func (f *crashFile) Truncate(size int64) error {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	if err := f.c.step(); err != nil {
		return err
	}
	if err := f.File.Truncate(size); err != nil {
		return err
	}
	if f.ino != nil {
		if size < int64(len(f.ino.volatile)) {
			f.ino.volatile = f.ino.volatile[:size]
		}
		if size < int64(len(f.ino.durable)) {
			f.ino.durable = clone(f.ino.durable[:size])
		}
	}
	return nil
}

func (f *crashFile) Sync() error {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	if err := f.c.step(); err != nil {
		return err
	}
	if err := f.File.Sync(); err != nil {
		return err
	}
	if f.ino != nil {
		f.ino.durable = clone(f.ino.volatile)
	}
	if f.dir != nil {
		f.dir.durable = map[string]*inode{}
		for name, ino := range f.dir.volatile {
			f.dir.durable[name] = ino
		}
	}
	return nil
}

func (f *crashFile) Close() error {
	if err := f.c.guard(); err != nil {
		f.File.Close()
		return err
	}
	return f.File.Close()
}

func (f *crashFile) Chmod(mode fs.FileMode) error {
	if err := f.c.guard(); err != nil {
		return err
	}
	return f.File.Chmod(mode)
}
