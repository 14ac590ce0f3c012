package persistence

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/voicenotes/voicenotes/internal/regular"
)

// Trashed is a note moved to the vault's trash, with what Restore needs.
type Trashed struct {
	ID     string
	Dir    string   // the folder in .trash holding the files
	Files  []string // the names moved, note last
	Origin string   // the folder they came from
	// History: the note's history folder (its earlier texts and
	// transcripts, HistoryDir) is in Dir as "history".
	History bool
}

// trashHistory is the name of a note's history folder in its trash folder.
const trashHistory = "history"

// Trash moves a note and its audio into <vault>/.trash/<time>_<id>/; audio
// another note also refers to (the window's "keep both" makes such pairs)
// stays. The note is moved first so that a crash part-way leaves at worst
// an audio file without a note, which the next open gives a note again,
// never a note without its audio.
func (v *Vault) Trash(id string) (*Trashed, error) {
	if v.readOnly {
		return nil, fmt.Errorf("deleting %s: %w (%s); nothing was moved", id, ErrReadOnly, v.root)
	}
	n, err := v.Note(id)
	if err != nil {
		return nil, err
	}
	origin := filepath.Dir(n.Path)
	files := []string{filepath.Base(n.Path)}
	if a, ok := v.AudioPath(n); ok {
		shared, err := v.audioSharedWith(n, a)
		if err != nil {
			return nil, fmt.Errorf("deleting %s: %w", id, err)
		}
		if !shared {
			files = append(files, filepath.Base(a))
		}
	}
	// The word timings go with the note.
	if st, err := v.fs.Lstat(v.TimingsPath(n)); err == nil && st.Mode().IsRegular() && filepath.Dir(v.TimingsPath(n)) == origin {
		files = append(files, filepath.Base(v.TimingsPath(n)))
	}
	stamp := strings.Replace(v.now().UTC().Format("20060102T150405.000"), ".", "", 1)
	// The vault's trash, or, when the notes' folder is on another file
	// system (recordings/ a link to another disk) where a rename cannot
	// reach, a trash inside that folder: deleting moves, never copies.
	var t *Trashed
	for _, base := range []string{v.root, origin} {
		// The trash is a folder of the vault's own: a link planted in
		// its place would send the note out of the vault (into a folder
		// others can read, say).
		if st, err := v.fs.Lstat(filepath.Join(base, TrashDir)); err == nil && !st.IsDir() {
			return nil, fmt.Errorf("deleting %s: %s is not a folder of the vault's own but %s (%w); nothing was moved: remove it, and the trash is made again", id, filepath.Join(base, TrashDir), linkOrKind(st.Mode()), ErrNotOurs)
		}
		dir := filepath.Join(base, TrashDir, stamp+"_"+n.ID)
		if err := MkdirPrivate(v.fs, dir); err != nil {
			return nil, fmt.Errorf("deleting %s: creating %s: %w", id, dir, err)
		}
		t = &Trashed{ID: n.ID, Dir: dir, Origin: origin}
		err := v.fs.Rename(filepath.Join(origin, files[0]), filepath.Join(dir, files[0]))
		if err == nil {
			t.Files = append(t.Files, files[0])
			break
		}
		v.fs.Remove(dir) // empty: no debris
		if !errors.Is(err, syscall.EXDEV) || base == origin {
			return nil, fmt.Errorf("deleting %s: moving %s to the trash: %w", id, files[0], err)
		}
	}
	dir := t.Dir
	for _, name := range files[1:] {
		if err := v.fs.Rename(filepath.Join(origin, name), filepath.Join(dir, name)); err != nil {
			return t, fmt.Errorf("deleting %s: moving %s to the trash: %w", id, name, err)
		}
		t.Files = append(t.Files, name)
	}
	// The note's earlier texts and transcripts go with it, last: a crash
	// before leaves them where they were, which loses nothing. Only into
	// the vault's own trash (the history is in the vault's folder).
	if h := v.HistoryDir(n.ID); filepath.Dir(filepath.Dir(dir)) == v.root {
		if st, err := v.fs.Lstat(h); err == nil && st.IsDir() {
			if err := v.fs.Rename(h, filepath.Join(dir, trashHistory)); err != nil {
				return t, fmt.Errorf("deleting %s: moving its history to the trash: %w", id, err)
			}
			t.History = true
			SyncDir(v.fs, filepath.Dir(h))
		}
	}
	if err := errors.Join(SyncDir(v.fs, dir), SyncDir(v.fs, origin)); err != nil {
		return t, fmt.Errorf("deleting %s: %w", id, err)
	}
	return t, nil
}

// untrashHistory moves a trashed note's history back from its trash
// folder dir, when it is there and the note has none in its place.
func (v *Vault) untrashHistory(id, dir string) error {
	from := filepath.Join(dir, trashHistory)
	if st, err := v.fs.Lstat(from); err != nil || !st.IsDir() {
		return nil
	}
	h := v.HistoryDir(id)
	if _, err := v.fs.Lstat(h); err == nil {
		return nil // one was made since; the trashed one stays in the trash
	}
	if err := MkdirPrivate(v.fs, filepath.Dir(filepath.Dir(h))); err != nil {
		return err
	}
	if err := MkdirPrivate(v.fs, filepath.Dir(h)); err != nil {
		return err
	}
	if err := v.fs.Rename(from, h); err != nil {
		return fmt.Errorf("restoring the history of %s: %w", id, err)
	}
	return SyncDir(v.fs, filepath.Dir(h))
}

// audioSharedWith reports whether a note other than n uses the audio file.
func (v *Vault) audioSharedWith(n *Note, audio string) (bool, error) {
	notes, _, err := v.List()
	if err != nil {
		return false, err
	}
	for _, o := range notes {
		if o.ID == n.ID && o.Path == n.Path {
			continue
		}
		if p, ok := v.AudioPath(o); ok && p == audio {
			return true, nil
		}
	}
	return false, nil
}

// Restore moves a trashed note back. It refuses to replace a file that now
// exists at the original place.
func (v *Vault) Restore(t *Trashed) error {
	for _, name := range t.Files {
		if _, err := v.fs.Lstat(filepath.Join(t.Origin, name)); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("restoring %s: %s already exists in %s; move it away first", t.ID, name, t.Origin)
		}
	}
	// The history first, then the audio: a note never points at audio
	// that is still in the trash.
	if err := v.untrashHistory(t.ID, t.Dir); err != nil {
		return err
	}
	for i := len(t.Files) - 1; i >= 0; i-- {
		name := t.Files[i]
		if err := v.fs.Rename(filepath.Join(t.Dir, name), filepath.Join(t.Origin, name)); err != nil {
			return fmt.Errorf("restoring %s: %w", t.ID, err)
		}
	}
	if err := SyncDir(v.fs, t.Origin); err != nil {
		return fmt.Errorf("restoring %s: %w", t.ID, err)
	}
	if err := v.fs.Remove(t.Dir); err == nil {
		SyncDir(v.fs, filepath.Dir(t.Dir))
	}
	return nil
}

// Untrash finishes what a crash interrupted: a note of this id in a trash
// folder (the vault's, or the one inside recordings/) whose audio is still
// in recordings/ goes back beside it. A delete moves the note first and a
// restore moves it last, so this state is one of the two cut short; the
// note comes back, which loses nothing. It reports whether it found one.
func (v *Vault) Untrash(id string) (*Note, bool, error) {
	var newest string
	for _, base := range []string{v.root, v.RecordingsPath()} {
		dirs, _ := v.fs.ReadDir(filepath.Join(base, TrashDir))
		for _, d := range dirs {
			if !d.IsDir() || !strings.HasSuffix(d.Name(), "_"+id) {
				continue
			}
			p := filepath.Join(base, TrashDir, d.Name(), id+NoteExt)
			if _, err := v.fs.Lstat(p); err == nil && (newest == "" || filepath.Base(filepath.Dir(p)) > filepath.Base(filepath.Dir(newest))) {
				newest = p
			}
		}
	}
	if newest == "" {
		return nil, false, nil
	}
	target := v.NotePath(id)
	if _, err := v.fs.Lstat(target); err == nil {
		return nil, false, nil
	}
	if err := v.untrashHistory(id, filepath.Dir(newest)); err != nil {
		return nil, false, fmt.Errorf("bringing back %s from the trash: %w", id, err)
	}
	if err := v.fs.Rename(newest, target); err != nil {
		return nil, false, fmt.Errorf("bringing back %s from the trash: %w", id, err)
	}
	if err := SyncDir(v.fs, v.RecordingsPath()); err != nil {
		return nil, false, err
	}
	if err := v.fs.Remove(filepath.Dir(newest)); err == nil {
		SyncDir(v.fs, filepath.Dir(filepath.Dir(newest)))
	}
	n, err := v.Note(id)
	return n, err == nil, err
}

// linkOrKind names what a path that should be a folder is.
func linkOrKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a link"
	case m.IsRegular():
		return "a file"
	}
	return regular.Kind(m)
}

// TrashCopy moves another version of a note (a sync tool's conflict
// copy, a file manager's copy: a BadFile with CopyOf) to the vault's
// trash, once the person chose what to keep of it. Only such a file, in
// the notes' folder, is moved; nothing is ever deleted outright.
func (v *Vault) TrashCopy(path string) error {
	if v.readOnly {
		return fmt.Errorf("moving %s to the trash: %w (%s)", path, ErrReadOnly, v.root)
	}
	origin, name := filepath.Dir(path), filepath.Base(path)
	n, err := v.ReadNote(path)
	if err != nil {
		return fmt.Errorf("moving %s to the trash: %w", path, err)
	}
	if origin != v.RecordingsPath() || (!IsSyncConflict(name) && !n.IsCopy()) {
		return fmt.Errorf("%s is not another version of a note in %s; nothing was moved", path, v.RecordingsPath())
	}
	stamp := strings.Replace(v.now().UTC().Format("20060102T150405.000"), ".", "", 1)
	var errs []error
	for _, base := range []string{v.root, origin} {
		if st, err := v.fs.Lstat(filepath.Join(base, TrashDir)); err == nil && !st.IsDir() {
			return fmt.Errorf("moving %s to the trash: %s is not a folder of the vault's own (%w); nothing was moved", path, filepath.Join(base, TrashDir), ErrNotOurs)
		}
		dir := filepath.Join(base, TrashDir, stamp+"_"+n.ID+"-copy")
		if err := MkdirPrivate(v.fs, dir); err != nil {
			return fmt.Errorf("moving %s to the trash: %w", path, err)
		}
		err := v.fs.Rename(path, filepath.Join(dir, name))
		if err == nil {
			return errors.Join(SyncDir(v.fs, dir), SyncDir(v.fs, origin))
		}
		v.fs.Remove(dir)
		errs = append(errs, err)
		if !errors.Is(err, syscall.EXDEV) {
			break
		}
	}
	return fmt.Errorf("moving %s to the trash: %w", path, errors.Join(errs...))
}
