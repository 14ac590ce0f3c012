package persistence

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/voicenotes/voicenotes/internal/regular"
)

// ErrNotFound is wrapped when a note id is not in the vault.
var ErrNotFound = errors.New("note not found")

// readNote reads and parses one note file, resolving a symlink that stays
// inside the vault.
//
// What is opened is what was checked: a link's resolved file, and either
// opened without following a link (O_NOFOLLOW), so that a file swapped
// for a link between the check and the open is refused, not followed out
// of the vault.
func (v *Vault) readNote(path string, typ fs.FileMode) (*Note, error) {
	open := path
	if typ&fs.ModeSymlink != 0 {
		real, err := v.resolve(path)
		if err != nil {
			return nil, err
		}
		open = real
	} else if !typ.IsRegular() {
		return nil, errors.New("not a regular file")
	}
	f, err := openChecked(v.fs, open)
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

// AudioTarget is the file to read for the note's audio: AudioPath with a
// link resolved to the file it names in the vault. Readers open this,
// not the link, so a link retargeted outside the vault after the check
// is never read: what is played and uploaded is the file found in it.
// (AudioPath stays the name to move or remove: trashing a link moves
// the link, never what it points to.)
func (v *Vault) AudioTarget(n *Note) (string, bool) {
	p, _, ok := v.AudioTargetInfo(n)
	return p, ok
}

// AudioTargetInfo is AudioTarget with the file it found (its identity,
// for os.SameFile): a reader that opens the path and finds another file
// was misled between the check and the open.
func (v *Vault) AudioTargetInfo(n *Note) (string, fs.FileInfo, bool) {
	p, ok := v.AudioPath(n)
	if !ok {
		return "", nil, false
	}
	st, err := v.fs.Lstat(p)
	if err != nil {
		return "", nil, false
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		if p, err = v.resolve(p); err != nil {
			return "", nil, false
		}
		if st, err = v.fs.Lstat(p); err != nil || !st.Mode().IsRegular() {
			return "", nil, false
		}
	}
	return p, st, true
}

// openChecked opens a file a check found to be a regular file, for
// reading, refusing what is not that file any more: a link swapped in
// (O_NOFOLLOW), or a pipe or device.
func openChecked(fsys FS, path string) (File, error) {
	f, err := fsys.OpenFile(path, os.O_RDONLY|regular.Nonblock|regular.NoFollow, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("it became a symbolic link while it was read; read again: %w", err)
		}
		return nil, err
	}
	if err := regular.Check(path, f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
