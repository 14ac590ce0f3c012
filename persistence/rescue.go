package persistence

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// An edit that could not be saved as the app closed (the disk full or
// gone, the note made read-only, another program's change left
// unanswered) is not dropped: Rescue keeps it, and the next start offers
// it back with Rescued. A rescued edit is a whole note file named
//
//	<id>.<size>-<crc>.md   an edit of the note's file of that size and CRC-32C
//	<id>.new.md            an edit of a note never written
//
// in .voicenotes/unsaved/ inside the vault or, when the vault cannot be
// written, in a spare folder outside it (a subfolder per vault, named by
// a hash of its path, with a file naming the vault). A later rescue of
// the same note replaces the earlier one.

// rescueDir holds rescued edits, in StateDir.
const rescueDir = "unsaved"

// Rescue keeps n, an edit whose save failed, where Rescued finds it: in
// the vault, else in spare ("" for none). It returns the file written.
func (v *Vault) Rescue(n *Note, spare string) (string, error) {
	if err := ValidateID(n.ID); err != nil {
		return "", err
	}
	data, err := n.Marshal()
	if err != nil {
		return "", fmt.Errorf("keeping the unsaved edit of %s: %w", n.ID, err)
	}
	base := n.ID + ".new" + NoteExt
	if n.disk.known {
		base = n.ID + "." + strconv.FormatInt(n.disk.size, 10) + "-" + strconv.FormatUint(uint64(n.disk.crc), 16) + NoteExt
	}
	var errs []error
	for i, dir := range v.rescueDirs(spare) {
		if err := v.fs.MkdirAll(dir, DirPerm); err != nil {
			errs = append(errs, err)
			continue
		}
		if i > 0 { // the spare folder
			// Says, to a person looking, which vault these belong to.
			WriteFile(v.fs, filepath.Join(dir, "vault"), []byte(v.root+"\n"), FilePerm)
		}
		path := filepath.Join(dir, base)
		if err := WriteFile(v.fs, path, data, FilePerm); err != nil {
			errs = append(errs, err)
			continue
		}
		// The rescue of an older revision of the same note is replaced.
		for _, old := range v.rescuedFiles(dir, n.ID) {
			if old != path {
				v.fs.Remove(old)
			}
		}
		return path, nil
	}
	return "", fmt.Errorf("keeping the unsaved edit of %s: %w", n.ID, errors.Join(errs...))
}

// rescueDirs are where rescued edits of this vault go, in order.
func (v *Vault) rescueDirs(spare string) []string {
	dirs := []string{filepath.Join(v.root, StateDir, rescueDir)}
	if spare != "" {
		sum := sha256.Sum256([]byte(v.root))
		dirs = append(dirs, filepath.Join(spare, hex.EncodeToString(sum[:8])))
	}
	return dirs
}

// rescuedFiles are the rescued edits of note id in dir.
func (v *Vault) rescuedFiles(dir, id string) []string {
	entries, err := v.fs.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if rid, _, ok := parseRescueName(e.Name()); ok && rid == id && e.Type().IsRegular() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// parseRescueName reads a rescued edit's file name.
func parseRescueName(name string) (id string, base version, ok bool) {
	rest, ok := strings.CutSuffix(name, NoteExt)
	if !ok {
		return "", version{}, false
	}
	i := strings.LastIndexByte(rest, '.')
	if i < 0 {
		return "", version{}, false
	}
	id, rev := rest[:i], rest[i+1:]
	if ValidateID(id) != nil {
		return "", version{}, false
	}
	if rev == "new" {
		return id, version{}, true
	}
	size, crc, found := strings.Cut(rev, "-")
	s, err1 := strconv.ParseInt(size, 10, 64)
	c, err2 := strconv.ParseUint(crc, 16, 32)
	if !found || err1 != nil || err2 != nil || s < 0 {
		return "", version{}, false
	}
	return id, version{known: true, size: s, crc: uint32(c)}, true
}

// Rescued lists the edits Rescue kept for this vault, in the vault and in
// spare, oldest first. Each is the note as it was edited, to be saved
// like any edit: over the revision it was an edit of, and a conflict if
// the file changed since. A rescued file that cannot be read is named in
// the error and left where it is.
func (v *Vault) Rescued(spare string) ([]*Note, error) {
	var notes []*Note
	var errs []error
	for _, dir := range v.rescueDirs(spare) {
		entries, err := v.fs.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range entries {
			id, base, ok := parseRescueName(e.Name())
			if !ok || !e.Type().IsRegular() {
				continue
			}
			path := filepath.Join(dir, e.Name())
			data, err := ReadFile(v.fs, path)
			if err == nil && len(data) > MaxNoteSize {
				err = ErrTooLarge
			}
			var n *Note
			if err == nil {
				n, err = parseNote(data)
			}
			if err == nil && n.ID != id {
				err = fmt.Errorf("it is note %q, not %q", n.ID, id)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("an unsaved edit kept in %s cannot be read (%w); open it to copy what you need", path, err))
				continue
			}
			n.disk, n.rescue = base, path
			n.Path = v.NotePath(id)
			if cur, err := v.Note(id); err == nil {
				n.Path = cur.Path
			}
			notes = append(notes, n)
		}
	}
	sort.SliceStable(notes, func(i, j int) bool { return notes[i].UpdatedAt.Before(notes[j].UpdatedAt) })
	return notes, errors.Join(errs...)
}

// RescuedFrom is the file a note from Rescued was kept in ("" for any
// other note).
func (n *Note) RescuedFrom() string { return n.rescue }

// DropRescued removes the rescued edit n (from Rescued) once it was saved
// or the person chose to discard it.
func (v *Vault) DropRescued(n *Note) error {
	if n.rescue == "" {
		return nil
	}
	if err := v.fs.Remove(n.rescue); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	n.rescue = ""
	return nil
}
