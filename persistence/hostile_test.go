package persistence_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// TestAudioKeyNamingAnotherFile: a note written by another program says
// its audio is another note (`audio: B.md`) or another note's timings
// (`audio: D.vtt`). Deleting it moves only its own files: B's note and
// D's timings stay where they are, and B is still a note with its text.
func TestAudioKeyNamingAnotherFile(t *testing.T) {
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	b := v.NewNote()
	b.Title, b.Body = "B", "B's own words\n"
	if err := v.Save(b); err != nil {
		t.Fatal(err)
	}
	d := v.NewNote()
	if err := v.Save(d); err != nil {
		t.Fatal(err)
	}
	dTimings := v.TimingsPath(d)
	if err := os.WriteFile(dTimings, []byte("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nhi\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, other := range []string{filepath.Base(b.Path), filepath.Base(dTimings)} {
		a := v.NewNote()
		a.Audio = other
		if err := v.Save(a); err != nil {
			t.Fatal(err)
		}
		if p, ok := v.AudioPath(a); ok {
			t.Errorf("audio: %s is taken as the note's audio (%s)", other, p)
		}
		if _, err := v.Trash(a.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := v.Note(b.ID); err != nil || got.Body != "B's own words\n" {
		t.Errorf("B after the other notes were deleted: %+v, %v", got, err)
	}
	if _, err := os.Stat(dTimings); err != nil {
		t.Errorf("D's timings went with another note: %v", err)
	}
}

// TestTrashThatIsALink: the vault's .trash is a link to a folder outside
// it (one others can read, say). Deleting refuses and moves nothing; the
// note stays, and nothing reaches the other folder.
func TestTrashThatIsALink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("making a symbolic link on Windows needs a privilege the tests do not have")
	}
	root := tempdir.New(t)
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := v.NewNote()
	n.Body = "private words\n"
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	elsewhere := tempdir.New(t)
	if err := os.Symlink(elsewhere, filepath.Join(root, persistence.TrashDir)); err != nil {
		t.Fatal(err)
	}
	_, err = v.Trash(n.ID)
	if !errors.Is(err, persistence.ErrNotOurs) || !strings.Contains(err.Error(), "a link") {
		t.Errorf("deleting with .trash a link: %v; want it refused, saying why", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("the folder outside the vault got %v", entries)
	}
	if _, err := v.Note(n.ID); err != nil {
		t.Errorf("the note is gone: %v", err)
	}
}

// TestEditKeepsANoteWithAnchorsValid: a note another program wrote with
// YAML anchors and aliases (title: &t, tags: &tg, reused by other keys)
// is edited (its title, its tags): the note written parses, holds the
// new title and tags, and the keys that were aliases keep the values
// they had (it was saved with an alias to an anchor it no longer had,
// and no reader could parse it again).
func TestEditKeepsANoteWithAnchorsValid(t *testing.T) {
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	raw := "---\nid: anchor\ntitle: &t Original\nalias_of_title: *t\ntags: &tg [a, b]\nsame_tags: *tg\ntranscriptionStatus: DONE\n---\nbody\n"
	path := filepath.Join(v.RecordingsPath(), "anchor.md")
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	n, err := v.Update("anchor", func(n *persistence.Note) error {
		n.Title = "New"
		n.AddTag("c")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	got, err := persistence.ParseNote(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("the edited note does not parse: %v\n%s", err, data)
	}
	if got.Title != "New" || strings.Join(got.Tags, ",") != "a,b,c" || got.Body != "body\n" || n.Title != "New" {
		t.Errorf("the edited note: title %q, tags %v, body %q\n%s", got.Title, got.Tags, got.Body, data)
	}
	if !strings.Contains(string(data), "alias_of_title: Original") || !strings.Contains(string(data), "same_tags: [a, b]") {
		t.Errorf("the keys that were aliases lost their values:\n%s", data)
	}
}

// TestEditKeepsBOMAndLineEnds: a note written with a byte order mark and
// CR LF line ends (Notepad, a sync tool from Windows) keeps both through
// an edit that patches a line and one that re-encodes the block: the
// BOM was dropped, and the delimiters written with LF among CR LF lines.
func TestEditKeepsBOMAndLineEnds(t *testing.T) {
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	raw := "\ufeff---\r\nid: bom\r\ntitle: Old\r\ntranscriptionStatus: DONE\r\n---\r\nline one\r\nline two\r\n"
	path := filepath.Join(v.RecordingsPath(), "bom.md")
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, edit := range []func(n *persistence.Note){
		func(n *persistence.Note) { n.Title = "New" },
		func(n *persistence.Note) { n.AddTag("x"); n.Body += "line three\r\n" },
	} {
		if _, err := v.Update("bom", func(n *persistence.Note) error { edit(n); return nil }); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		s := string(data)
		if !strings.HasPrefix(s, "\ufeff---\r\n") || strings.Count(s, "\n") != strings.Count(s, "\r\n") {
			t.Errorf("the edited note lost its BOM or mixes line ends:\n%q", s)
		}
		if n, err := v.Note("bom"); err != nil || n.Title != "New" {
			t.Errorf("read back: %+v, %v", n, err)
		}
	}
}

// TestReadOnlyNoteIsNotRewritten: a note the person made read-only
// (0444) is not replaced by a save (the rename needs only the folder, and
// the file came back writable, changed): the save is refused saying how
// to allow it, and the file keeps its bytes and its mode.
func TestReadOnlyNoteIsNotRewritten(t *testing.T) {
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := v.NewNote()
	n.Body = "kept as it is\n"
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(n.Path)
	if err := os.Chmod(n.Path, 0o444); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(n.Path, 0o600) })
	_, err = v.Update(n.ID, func(n *persistence.Note) error { n.Title = "changed"; return nil })
	if !errors.Is(err, persistence.ErrReadOnlyNote) || !strings.Contains(err.Error(), "chmod u+w") {
		t.Errorf("saving a read-only note: %v", err)
	}
	after, _ := os.ReadFile(n.Path)
	st, _ := os.Stat(n.Path)
	if string(after) != string(before) || st.Mode().Perm()&0o200 != 0 {
		t.Errorf("the read-only note changed: %v\n%s", st.Mode(), after)
	}
}
