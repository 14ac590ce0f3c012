package persistence

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"syscall"

	"github.com/voicenotes/voicenotes/internal/regular"
)

// Private permissions for everything the app creates.
const (
	FilePerm fs.FileMode = 0o600
	DirPerm  fs.FileMode = 0o700
)

// ErrSymlink is returned when an atomic write would replace a symbolic link;
// the vault resolves links before it writes.
var ErrSymlink = errors.New("target is a symbolic link")

// WriteError reports which step of an atomic write failed and on which file.
// The target is untouched unless Op is "sync directory", which happens after
// the new content is already in place.
type WriteError struct {
	Op   string // "create temp file", "write", "sync", "close", "rename", "sync directory", ...
	Path string // the target being written
	Err  error
}

func (e *WriteError) Error() string {
	msg := fmt.Sprintf("saving %s: %s: %v", e.Path, e.Op, e.Err)
	if h := Hint(e.Err); h != "" {
		msg += " (" + h + ")"
	}
	return msg
}

func (e *WriteError) Unwrap() error { return e.Err }

// Hint says what the user can do about a file-system error, or "".
func Hint(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return "the disk is full: free some space and try again"
	case errors.Is(err, syscall.EFBIG):
		return "the file is larger than this file system or a size limit allows"
	case errors.Is(err, syscall.EROFS):
		return "the file system is read-only"
	case errors.Is(err, fs.ErrPermission):
		return "check that you may write to this folder"
	case errors.Is(err, syscall.EIO):
		return "the disk reported an input/output error: check the drive"
	}
	return ""
}

// tempSuffixLen is the length of the random part of a temp file's name.
const tempSuffixLen = 12

var ownTempRE = regexp.MustCompile(`^\..+\.[a-z2-7]{12}\.tmp$`)

// IsOwnTemp reports whether a file name is one of this package's temp files:
// ".<name>.<12 random base32 letters>.tmp". Other tools' temp files never match.
func IsOwnTemp(name string) bool { return ownTempRE.MatchString(name) }

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func tempName(target string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	suffix := lowerBase32.EncodeToString(b[:])[:tempSuffixLen]
	base := filepath.Base(target)
	if len(base)+len(suffix)+6 > 255 {
		sum := sha256.Sum256([]byte(base))
		base = hex.EncodeToString(sum[:16])
	}
	return filepath.Join(filepath.Dir(target), "."+base+"."+suffix+".tmp")
}

// PendingFile is a file being written that will atomically replace its
// target. Its states: open (Write), replaced (CloseAtomicallyReplace
// succeeded; Cleanup does nothing) or abandoned (Cleanup removed the temp).
type PendingFile struct {
	fsys     FS
	f        File
	target   string
	tmp      string
	perm     fs.FileMode
	owner    fs.FileInfo // the file replaced, whose owner the new one keeps
	closed   bool
	replaced bool
}

// CreatePending starts an atomic write of target. A new target gets perm; an
// existing one keeps its permission bits.
func CreatePending(fsys FS, target string, perm fs.FileMode) (*PendingFile, error) {
	var owner fs.FileInfo
	if st, err := fsys.Lstat(target); err == nil {
		if st.Mode()&fs.ModeSymlink != 0 {
			return nil, &WriteError{"check target", target, ErrSymlink}
		}
		if !st.Mode().IsRegular() {
			return nil, &WriteError{"check target", target, fmt.Errorf("it is %s, not a file; name a file to write", regular.Kind(st.Mode()))}
		}
		perm = st.Mode().Perm()
		owner = st
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, &WriteError{"check target", target, err}
	}
	for attempt := 0; ; attempt++ {
		tmp := tempName(target)
		f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if err == nil {
			return &PendingFile{fsys: fsys, f: f, target: target, tmp: tmp, perm: perm, owner: owner}, nil
		}
		if !errors.Is(err, fs.ErrExist) || attempt == 10 {
			return nil, &WriteError{"create temp file", target, err}
		}
	}
}

// TempName is the temp file's path, for tests and diagnostics.
func (p *PendingFile) TempName() string { return p.tmp }

func (p *PendingFile) Write(b []byte) (int, error) {
	n, err := p.f.Write(b)
	if err != nil {
		err = &WriteError{"write", p.target, err}
	}
	return n, err
}

// WriteAt writes at an offset of the temp file (a header whose sizes are
// known only at the end).
func (p *PendingFile) WriteAt(b []byte, off int64) (int, error) {
	n, err := p.f.WriteAt(b, off)
	if err != nil {
		err = &WriteError{"write", p.target, err}
	}
	return n, err
}

// CloseAtomicallyReplace makes the written data durable and puts it in place
// of the target: fsync, close, rename, fsync the directory. If any step before
// the rename fails the temp file is removed and the target is untouched.
func (p *PendingFile) CloseAtomicallyReplace() error {
	if p.replaced || p.closed {
		return &WriteError{"replace", p.target, os.ErrClosed}
	}
	fail := func(op string, err error) error {
		p.Cleanup()
		return &WriteError{op, p.target, err}
	}
	// Set the mode explicitly: the umask must not narrow kept permissions.
	// A file system that stores no modes (FAT, exFAT, some network
	// shares) refuses; the file is written all the same, as private as
	// that file system can make it (doctor says so).
	if err := p.f.Chmod(p.perm); err != nil && !noModes(err) {
		return fail("set permissions", err)
	}
	// A file replaced keeps its owner where this process may give it
	// (as root: one `sudo voicenotes edit` left a root-owned note the
	// person could no longer save, and that vanished from their list).
	keepOwner(p.tmp, p.owner)
	if err := p.f.Sync(); err != nil {
		return fail("sync", err)
	}
	p.closed = true
	if err := p.f.Close(); err != nil {
		return fail("close", err)
	}
	if err := replaceFile(p.fsys, p.tmp, p.target); err != nil {
		return fail("rename", err)
	}
	p.replaced = true
	if err := SyncDir(p.fsys, filepath.Dir(p.target)); err != nil {
		// The new content is in place; only its durability is unconfirmed.
		// Nothing may be removed now.
		return &WriteError{"sync directory", p.target, err}
	}
	return nil
}

// Cleanup abandons the write: it closes and removes the temp file. After a
// successful CloseAtomicallyReplace it does nothing. Safe to defer.
func (p *PendingFile) Cleanup() error {
	if p.replaced {
		return nil
	}
	if !p.closed {
		p.closed = true
		p.f.Close()
	}
	err := p.fsys.Remove(p.tmp)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	return err
}

// WriteFile atomically and durably replaces target with data: when it returns
// nil the new content is on disk; when it fails, target is as it was and no
// temp file is left behind.
func WriteFile(fsys FS, target string, data []byte, perm fs.FileMode) error {
	return WriteFrom(fsys, target, bytes.NewReader(data), perm)
}

// WriteFrom is WriteFile with the content read from r to its end.
func WriteFrom(fsys FS, target string, r io.Reader, perm fs.FileMode) error {
	p, err := CreatePending(fsys, target, perm)
	if err != nil {
		return err
	}
	defer p.Cleanup()
	if _, err := io.Copy(p, r); err != nil {
		return err
	}
	return p.CloseAtomicallyReplace()
}

// SyncDir makes a directory's entries (creations, renames, removals)
// durable. Windows cannot fsync a directory; there it does nothing.
func SyncDir(fsys FS, dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := fsys.OpenFile(dir, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// MkdirPrivate creates dir and its missing parents with DirPerm and makes
// each new entry durable by syncing the folder that holds it.
func MkdirPrivate(fsys FS, dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := fsys.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if err := fsys.MkdirAll(dir, DirPerm); err != nil {
		return err
	}
	for _, d := range missing {
		if err := SyncDir(fsys, filepath.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

// noModes says that err is a file system's refusal to store permissions
// at all (ENOSYS from FUSE's FAT, EPERM from the kernel's, ENOTSUP), as
// opposed to a refusal to this user.
func noModes(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP)
}
