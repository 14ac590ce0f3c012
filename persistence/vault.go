package persistence

import (
	"cmp"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

// BadFile is a file in recordings/ that is not a readable note, and why.
// Bad files are reported, never modified or removed.
type BadFile struct {
	Path   string
	Reason string
}

func (b BadFile) Error() string { return b.Path + ": " + b.Reason }

// ErrNotFound is wrapped when a note id is not in the vault.
var ErrNotFound = errors.New("note not found")

// List reads every note, newest first, and reports the files that are not
// readable notes with the reason for each.
func (v *Vault) List() ([]*Note, []BadFile, error) { return v.list(false) }

// Headers lists like List, but its notes may lack their text (Body) and
// cannot be saved (Marshal refuses them; Note reads one whole): what a
// listing shows, read at a fraction of the memory of a whole vault.
func (v *Vault) Headers() ([]*Note, []BadFile, error) { return v.list(true) }

func (v *Vault) list(headers bool) ([]*Note, []BadFile, error) {
	entries, err := v.fs.ReadDir(v.RecordingsPath())
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", v.RecordingsPath(), err)
	}
	var files []fs.DirEntry
	var bad []BadFile
	for _, e := range entries {
		name := e.Name()
		switch {
		case !strings.HasSuffix(name, NoteExt) || strings.HasPrefix(name, "."):
		case IsSyncConflict(name):
			bad = append(bad, BadFile{filepath.Join(v.RecordingsPath(), name), "a sync tool's conflict copy, not listed as a note: compare it with the note it copies, keep what you need, then delete it"})
		default:
			files = append(files, e)
		}
	}
	// Each file's key (its size and times), then the index: a file whose
	// key it holds is not read again. The rest are read and parsed on
	// every core. Results keep the folder's order.
	keys := make([]fileKey, len(files))
	var total atomic.Int64
	parallel(len(files), func(i int) {
		if !files[i].Type().IsRegular() {
			return
		}
		if st, err := files[i].Info(); err == nil {
			keys[i] = keyOf(st)
			total.Add(st.Size())
		}
	})
	var index map[string]*indexEntry
	if headers {
		index = v.indexHeaders(total.Load())
	} else {
		index = v.indexEntries(total.Load())
	}
	now := v.now()
	results := make([]*Note, len(files))
	errs := make([]error, len(files))
	fresh := make([]*indexEntry, len(files))
	hit := make([]bool, len(files))
	parallel(len(files), func(i int) {
		name := files[i].Name()
		path := filepath.Join(v.RecordingsPath(), name)
		if e := index[name]; e != nil && keys[i].ModTime != 0 && e.Key == keys[i] {
			results[i], hit[i] = e.note(path), true
			return
		}
		results[i], errs[i] = v.readNote(path, files[i].Type())
		if errs[i] == nil && keys[i].ModTime != 0 && keys[i].settled(now) {
			fresh[i] = entryOf(results[i], keys[i])
		}
	})
	var kept []string
	changed := map[string]*indexEntry{}
	for i, f := range files {
		if hit[i] {
			kept = append(kept, f.Name())
		} else {
			changed[f.Name()] = fresh[i]
		}
	}
	if headers {
		if misses := len(files) - len(kept); misses > indexBatch {
			return v.list(false) // and write the index the next lists read
		}
	} else {
		v.updateIndex(kept, changed)
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(v.RecordingsPath(), f.Name())
	}
	var notes []*Note
	for i, n := range results {
		if errs[i] != nil {
			bad = append(bad, BadFile{paths[i], errs[i].Error()})
			continue
		}
		notes = append(notes, n)
	}
	notes, dups := dedupe(notes)
	bad = append(bad, dups...)
	SortNotes(notes)
	return notes, bad, nil
}

// parallel runs do(i) for every i below n on every core.
func parallel(n int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				do(i)
			}
		})
	}
	wg.Wait()
}

// SortNotes puts notes in the order every view lists them: newest first,
// ties by id, so the order never depends on how they were read.
//
// The time is the note's timestamp, as Whispering sorts (a person may
// have changed it there), else when it was created.
func SortNotes(notes []*Note) {
	slices.SortFunc(notes, func(a, b *Note) int {
		return cmp.Or(b.When().Compare(a.When()), strings.Compare(b.ID, a.ID))
	})
}

// When is the note's time for ordering: its timestamp, else its creation.
func (n *Note) When() time.Time {
	if !n.Timestamp.IsZero() {
		return n.Timestamp
	}
	return n.CreatedAt
}

// IsSyncConflict reports whether a file name is a sync tool's conflict
// copy (Syncthing, Dropbox, Nextcloud, ownCloud): such files are not notes.
func IsSyncConflict(name string) bool {
	lower := strings.ToLower(name)
	return strings.Contains(lower, ".sync-conflict-") || strings.Contains(lower, "conflicted copy") || strings.Contains(lower, "_conflict-")
}

// dedupe keeps one note per id: the one whose file is named after the id,
// else the first by path. The others are reported.
func dedupe(notes []*Note) ([]*Note, []BadFile) {
	byID := map[string]*Note{}
	for _, n := range notes {
		prev, ok := byID[n.ID]
		if !ok || (!canonical(prev) && canonical(n)) {
			byID[n.ID] = n
		}
	}
	var kept []*Note
	var bad []BadFile
	for _, n := range notes {
		if keep := byID[n.ID]; keep != n {
			bad = append(bad, BadFile{n.Path, fmt.Sprintf("duplicate id %q: %s has the same id; rename one of them and change its id", n.ID, filepath.Base(keep.Path))})
			continue
		}
		kept = append(kept, n)
	}
	return kept, bad
}

func canonical(n *Note) bool { return filepath.Base(n.Path) == n.ID+NoteExt }

// readNote reads and parses one note file, resolving a symlink that stays
// inside the vault.
func (v *Vault) readNote(path string, typ fs.FileMode) (*Note, error) {
	if typ&fs.ModeSymlink != 0 {
		if _, err := v.resolve(path); err != nil {
			return nil, err
		}
	} else if !typ.IsRegular() {
		return nil, errors.New("not a regular file")
	}
	f, err := OpenRegular(v.fs, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxNoteSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxNoteSize {
		return nil, fmt.Errorf("larger than %d MiB, too large for a note: move it out of %s", MaxNoteSize>>20, RecordingsDir)
	}
	n, err := parseNote(data)
	if err != nil {
		return nil, err
	}
	n.disk = versionOf(data)
	stem := strings.TrimSuffix(filepath.Base(path), NoteExt)
	if n.ID == "" {
		if err := ValidateID(stem); err != nil {
			return nil, fmt.Errorf("no id in the frontmatter and the file name is not a valid id: %w", err)
		}
		n.ID = stem
		n.orig.ID = stem
	}
	n.Path = path
	return n, nil
}

// ErrTooLarge means a note would be larger than MaxNoteSize.
var ErrTooLarge = errors.New("the note is too large")

// ErrOutsideVault means a symbolic link leads out of the vault.
var ErrOutsideVault = errors.New("symbolic link leads outside the vault; it is neither read nor written")

// resolve follows a symlinked note to its file, which must be in the vault.
func (v *Vault) resolve(path string) (string, error) {
	real, err := v.fs.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("broken symbolic link: %w", err)
	}
	root, err := v.fs.EvalSymlinks(v.root)
	if err != nil {
		return "", err
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%w (it points to %s)", ErrOutsideVault, real)
	}
	return real, nil
}

// Note reads the note with this id.
func (v *Vault) Note(id string) (*Note, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	path := v.NotePath(id)
	st, err := v.fs.Lstat(path)
	if err == nil {
		n, err := v.readNote(path, st.Mode().Type())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if n.ID == id {
			return n, nil
		}
	}
	// A note whose file is not named after its id.
	notes, _, err := v.List()
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		if n.ID == id {
			return n, nil
		}
	}
	return nil, fmt.Errorf("%w: no note with id %s in %s (voicenotes list shows the ids)", ErrNotFound, id, v.RecordingsPath())
}

// Save writes the note atomically and durably, setting UpdatedAt. A note
// that is a symlink is written at the file it points to, inside the vault.
// If another program changed or deleted the file since this note was read
// or last saved, nothing is written and the error is a *ConflictError.
//
// The check and the write are one step for every process that writes
// notes through this package: they hold the vault's write lock
// (.voicenotes/write.lock) from re-reading the file to renaming over it.
func (v *Vault) Save(n *Note) error { return v.save(n, false) }

// Update reads the note with this id, lets change modify it, and saves
// it, all under the vault's write lock: a read-modify-write no other
// process's write can come between, so a change to one field never undoes
// another program's change to another. change may return an error to
// write nothing.
func (v *Vault) Update(id string, change func(n *Note) error) (*Note, error) {
	unlock, err := v.lockWrites()
	if err != nil {
		return nil, err
	}
	defer unlock()
	n, err := v.Note(id)
	if err != nil {
		return nil, err
	}
	if err := change(n); err != nil {
		return nil, err
	}
	return n, v.saveLocked(n, false)
}

// Overwrite saves like Save but replaces whatever is on disk: the user
// chose to keep this version in a conflict.
func (v *Vault) Overwrite(n *Note) error { return v.save(n, true) }

func (v *Vault) save(n *Note, force bool) error {
	unlock, err := v.lockWrites()
	if err != nil {
		return err
	}
	defer unlock()
	return v.saveLocked(n, force)
}

// saveLocked is save with the vault's write lock held.
// ErrReadOnlyNote means a note's file is read-only, and so not changed.
var ErrReadOnlyNote = errors.New("the note is read-only")

func (v *Vault) saveLocked(n *Note, force bool) error {
	updated := n.UpdatedAt
	n.UpdatedAt = v.now().UTC().Truncate(time.Millisecond)
	data, err := n.Marshal()
	if err != nil {
		n.UpdatedAt = updated
		return err
	}
	if len(data) > MaxNoteSize {
		// What no reader (this one included) would read back is not
		// written: the note would vanish from every list.
		n.UpdatedAt = updated
		return fmt.Errorf("saving %s: %w: it would be %.1f MiB, and notes are read up to %d MiB; nothing was written (keep long texts in a file of their own)", n.ID, ErrTooLarge, float64(len(data))/(1<<20), MaxNoteSize>>20)
	}
	if n.Path == "" {
		n.Path = v.NotePath(n.ID)
	}
	target := n.Path
	if st, err := v.fs.Lstat(target); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		if target, err = v.resolve(target); err != nil {
			return fmt.Errorf("saving %s: %w", n.Path, err)
		}
	}
	// A note the person made read-only (chmod a-w, a read-only attribute)
	// is not replaced behind their back: the atomic rename would go
	// through (it needs only the folder writable) and drop the protection.
	if st, err := v.fs.Stat(target); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o200 == 0 {
		n.UpdatedAt = updated
		return fmt.Errorf("saving %s: %w: the file is read-only (%v); make it writable to change it (chmod u+w %q), and try again", n.ID, ErrReadOnlyNote, st.Mode().Perm(), target)
	}
	if !force {
		if err := v.checkUnchanged(n, target); err != nil {
			n.UpdatedAt = updated
			return err
		}
	}
	if err := WriteFile(v.fs, target, data, FilePerm); err != nil {
		n.UpdatedAt = updated
		return err
	}
	n.markSaved(data)
	n.disk = versionOf(data)
	return nil
}

// version identifies a note file's bytes: their length and CRC-32C (both
// must match to count as unchanged; a different file of the same length
// passes for the same once in four billion changes). Reading it costs no
// extra system call when a vault of thousands of notes is opened.
type version struct {
	known bool
	size  int64
	crc   uint32
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func versionOf(data []byte) version {
	return version{known: true, size: int64(len(data)), crc: crc32.Checksum(data, castagnoli)}
}

// ErrConflict is wrapped by *ConflictError.
var ErrConflict = errors.New("changed by another program")

// ConflictError says that the file on disk is no longer the version the
// note was read from. Theirs is what is there now (nil when it was
// deleted or cannot be read as a note).
type ConflictError struct {
	Path    string
	Deleted bool
	Theirs  *Note
}

func (e *ConflictError) Error() string {
	if e.Deleted {
		return fmt.Sprintf("%s was deleted by another program while you were editing it; keep your version to write it back", e.Path)
	}
	return fmt.Sprintf("%s was %s since you opened it; choose which version to keep", e.Path, ErrConflict)
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// checkUnchanged compares the file on disk with the version n was read
// from or last wrote.
func (v *Vault) checkUnchanged(n *Note, target string) error {
	if !n.disk.known {
		return nil // a new note, or one made in memory
	}
	data, err := ReadFile(v.fs, target)
	if errors.Is(err, fs.ErrNotExist) {
		return &ConflictError{Path: n.Path, Deleted: true}
	}
	if err != nil {
		return err
	}
	now := versionOf(data)
	if now == n.disk {
		return nil
	}
	theirs, err := parseNote(data)
	if err == nil {
		theirs.Path, theirs.disk = n.Path, now
		if theirs.ID == "" {
			theirs.ID, theirs.orig.ID = n.ID, n.ID
		}
	} else {
		theirs = nil
	}
	return &ConflictError{Path: n.Path, Theirs: theirs}
}

// markSaved records the written values as the note's baseline.
func (n *Note) markSaved(data []byte) {
	if m, err := parseNote(data); err == nil {
		n.raw, n.meta, n.orig = m.raw, m.meta, m.orig
	}
}

// AudioPath finds the note's audio: its audio key, else <id> with one of
// AudioExts. Never a prefix match that could pick up a temp or partial file.
func (v *Vault) AudioPath(n *Note) (string, bool) {
	dir := v.RecordingsPath()
	if n.Path != "" {
		dir = filepath.Dir(n.Path)
	}
	var candidates []string
	// The audio key names a file beside the note, and only an audio
	// file: a note written elsewhere may say `audio: B.md` or `D.vtt`,
	// and what is taken for a note's audio is played, uploaded, and
	// moved to the trash with it.
	if a := n.Audio; a != "" && a == filepath.Base(a) && a != ".." && slices.Contains(AudioExts, strings.ToLower(filepath.Ext(a))) {
		candidates = append(candidates, a)
	}
	for _, ext := range AudioExts {
		candidates = append(candidates, n.ID+ext)
	}
	for _, c := range candidates {
		p := filepath.Join(dir, c)
		st, err := v.fs.Lstat(p)
		if err == nil && st.Mode()&fs.ModeSymlink != 0 {
			// A link is followed only while it stays in the vault: audio
			// is played, and uploaded to an engine the user chose, so a
			// link to ~/secret.txt must never be read as a recording.
			real, rerr := v.resolve(p)
			if rerr != nil {
				continue
			}
			st, err = v.fs.Stat(real)
		}
		if err == nil && st.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// SaveWithAudio stores a new note and its audio: the audio is durable and in
// place before the note that references it is written.
func (v *Vault) SaveWithAudio(n *Note, audio io.Reader, ext string) error {
	if err := ValidateID(n.ID); err != nil {
		return err
	}
	if !slices.Contains(AudioExts, ext) {
		return fmt.Errorf("audio extension %q is not one of %s", ext, strings.Join(AudioExts, " "))
	}
	n.Audio = n.ID + ext
	target := filepath.Join(v.RecordingsPath(), n.Audio)
	p, err := CreatePending(v.fs, target, FilePerm)
	if err != nil {
		return err
	}
	defer p.Cleanup()
	if _, err := io.Copy(p, audio); err != nil {
		return err
	}
	if err := p.CloseAtomicallyReplace(); err != nil {
		return err
	}
	return v.Save(n)
}

// Revision identifies which version of its file a note was read from or
// last written as; comparable.
type Revision struct{ v version }

// Revision is the note's current revision.
func (n *Note) Revision() Revision { return Revision{n.disk} }

// Adopt takes the on-disk state (revision and the frontmatter as written)
// of saved, a copy of n that was just saved, so that n's next save is
// compared against that write and not against the version before it.
func (n *Note) Adopt(saved *Note) {
	n.disk, n.raw, n.meta, n.orig = saved.disk, saved.raw, saved.meta, saved.orig
	n.Path, n.UpdatedAt = saved.Path, saved.UpdatedAt
}
