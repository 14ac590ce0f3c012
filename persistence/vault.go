package persistence

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
	"time"
)

// Folder and file names inside a vault.
const (
	RecordingsDir = "recordings"
	TrashDir      = ".trash"
	StateDir      = ".voicenotes" // the lock file and other app state
	lockName      = "lock"
	NoteExt       = ".md"
	// MaxNoteSize is the largest note file read; larger ones are reported.
	MaxNoteSize = 8 << 20
	// DefaultCleanupAge is how old an orphaned temp file must be before
	// cleanup removes it: far longer than any write takes.
	DefaultCleanupAge = time.Hour
)

// AudioExts are the audio file extensions a note's audio may have, in the
// order they are looked for. New recordings are WAV.
var AudioExts = []string{".wav", ".mp3", ".webm", ".ogg", ".opus", ".m4a", ".flac", ".aac", ".mp4"}

// Options configure Open.
type Options struct {
	// FS is the file system seam; nil means OS.
	FS FS
	// Exclusive is for the window: refuse with a *LockedError if another
	// process holds the vault, and keep the lock until Close. Without it
	// (the CLI), a held lock only means maintenance is skipped.
	Exclusive bool
	// CleanupAge overrides DefaultCleanupAge.
	CleanupAge time.Duration
	// Maintain runs after cleanup while the vault lock is held, for work
	// such as recovering interrupted recordings.
	Maintain []func(*Vault) error
	// Now overrides time.Now.
	Now func() time.Time
}

// Vault is an open notes folder.
type Vault struct {
	root string
	fs   FS
	now  func() time.Time
	lock *Lock
	// readOnly: opened from a read-only file system; writes are refused.
	readOnly bool

	// index: what List parsed, kept to read only what changed.
	index noteIndex
	// scan: the folders maintenance found clean.
	scan scanCache

	// Maintenance says what opening the vault did, if it held the lock.
	Maintenance Maintenance
}

// Maintenance reports the work done when a vault was opened.
type Maintenance struct {
	Ran     bool     // false when another process held the lock
	Removed []string // orphaned temp files removed
	Err     error    // cleanup or maintenance hooks that failed; not fatal
	// ReadOnly: the vault is on a read-only file system; it is read, and
	// nothing was cleaned or recovered.
	ReadOnly bool
}

// Open opens (creating if needed, with private permissions) the vault at
// root, takes its lock, removes stale temp files and runs o.Maintain.
func Open(root string, o Options) (*Vault, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	v := &Vault{root: abs, fs: o.FS, now: o.Now}
	if v.fs == nil {
		v.fs = OS
	}
	if v.now == nil {
		v.now = time.Now
	}
	if st, err := v.fs.Stat(abs); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("the vault %s is a file, not a folder: choose a folder", abs)
	}
	// The app's state folder is the vault's own: its locks are written
	// and truncated, and a link planted in its place would have that done
	// elsewhere. (recordings/ may be a link: notes on another disk.)
	state := filepath.Join(abs, StateDir)
	if st, err := v.fs.Lstat(state); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("%s is not a folder of the vault's own but %s (%w); remove it, and Voice Notes makes it again", state, linkOrKind(st.Mode()), ErrNotOurs)
	}
	for _, d := range []string{abs, v.RecordingsPath(), state} {
		if err := MkdirPrivate(v.fs, d); err != nil {
			return nil, fmt.Errorf("creating the vault folder %s: %w (%s)", d, err, cmp.Or(Hint(err), "check the path"))
		}
	}
	lockPath := filepath.Join(abs, StateDir, lockName)
	lock, err := TryLock(lockPath)
	if readOnlyFS(err) {
		// A mounted backup, a read-only share: reading needs no lock.
		if o.Exclusive {
			return nil, fmt.Errorf("the vault %s is on a read-only file system: its notes can be read (voicenotes list, show, export) but nothing can be recorded or saved there; choose a vault you can write to", abs)
		}
		v.readOnly = true
		v.Maintenance.ReadOnly = true
		return v, nil
	}
	switch {
	case errors.Is(err, ErrLocked):
		if o.Exclusive {
			return nil, &LockedError{Vault: abs, PID: lockHolder(lockPath)}
		}
		return v, nil
	case err != nil:
		return nil, fmt.Errorf("locking the vault %s: %w", abs, err)
	}
	age := cmp.Or(o.CleanupAge, DefaultCleanupAge)
	v.Maintenance.Ran = true
	var errs []error
	removed, err := v.Cleanup(age)
	v.Maintenance.Removed = removed
	errs = append(errs, err)
	for _, m := range o.Maintain {
		errs = append(errs, m(v))
	}
	errs = append(errs, v.saveScan())
	v.Maintenance.Err = errors.Join(errs...)
	if o.Exclusive {
		v.lock = lock
	} else {
		lock.Unlock()
	}
	return v, nil
}

// readOnlyFS reports an error that means the file system cannot be
// written at all.
func readOnlyFS(err error) bool { return errors.Is(err, syscall.EROFS) }

// ErrReadOnly means the vault is on a read-only file system.
var ErrReadOnly = errors.New("the vault is on a read-only file system")

// ReadOnly reports whether the vault was opened from a read-only file
// system.
func (v *Vault) ReadOnly() bool { return v.readOnly }

// Close releases the vault's lock.
func (v *Vault) Close() error {
	v.waitIndex()
	err := v.lock.Unlock()
	v.lock = nil
	return err
}

// Root is the vault's absolute path.
func (v *Vault) Root() string { return v.root }

// FS is the file-system seam the vault writes through.
func (v *Vault) FS() FS { return v.fs }

// Now is the vault's clock.
func (v *Vault) Now() time.Time { return v.now() }

// RecordingsPath is the folder holding notes and their audio.
func (v *Vault) RecordingsPath() string { return filepath.Join(v.root, RecordingsDir) }

// NotePath is where a note with this id is stored by default.
func (v *Vault) NotePath(id string) string {
	return filepath.Join(v.RecordingsPath(), id+NoteExt)
}

// TimingsExt is the extension of a note's word timings, kept beside it.
const TimingsExt = ".vtt"

// TimingsPath is where a note's word timings are kept: <id>.vtt (WebVTT)
// beside the note.
func (v *Vault) TimingsPath(n *Note) string {
	dir := v.RecordingsPath()
	if n.Path != "" {
		dir = filepath.Dir(n.Path)
	}
	return filepath.Join(dir, n.ID+TimingsExt)
}

// HistoryDir is where note id's earlier texts are kept: the texts
// transformations replaced and every machine transcript it had
// (.voicenotes/history/<id>/). It goes to the trash with the note.
func (v *Vault) HistoryDir(id string) string {
	return filepath.Join(v.root, StateDir, "history", id)
}

// CheckHistoryDir returns HistoryDir(id) after checking that neither it
// nor the history folder holding it is a link or a file: a sync tool or
// another program could plant a link there, and the note's texts must not
// be written to, or read from, outside the vault. A folder not made yet
// is fine.
func (v *Vault) CheckHistoryDir(id string) (string, error) {
	if err := ValidateID(id); err != nil {
		return "", err
	}
	dir := v.HistoryDir(id)
	for _, p := range []string{filepath.Join(v.root, StateDir), filepath.Dir(dir), dir} {
		st, err := v.fs.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return "", err
		}
		if !st.IsDir() {
			return "", fmt.Errorf("%s is %s, not a folder of the vault's own (%w): Voice Notes keeps a note's earlier texts there and does not follow links; move it away, and it is made again", p, linkOrKind(st.Mode()), ErrNotOurs)
		}
	}
	return dir, nil
}

// NewNote returns an unsaved note with a fresh id and its times set.
func (v *Vault) NewNote() *Note {
	now := v.now().UTC().Truncate(time.Millisecond)
	return &Note{
		ID:                  NewID(now),
		Timestamp:           now,
		CreatedAt:           now,
		UpdatedAt:           now,
		TranscriptionStatus: StatusUnprocessed,
	}
}
