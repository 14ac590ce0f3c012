package persistence

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"time"
)

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

// WithWriteLock runs f under the vault's write lock, which every note
// write of every process holds: what f sees of notes no save changes
// meanwhile. f must not save a note itself.
func (v *Vault) WithWriteLock(f func() error) error {
	unlock, err := v.lockWrites()
	if err != nil {
		return err
	}
	defer unlock()
	return f()
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
	data, err := readChecked(v.fs, target)
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

// readChecked reads a whole file through openChecked.
func readChecked(fsys FS, path string) ([]byte, error) {
	f, err := openChecked(fsys, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxNoteSize+1))
}
