package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// rewrite changes a note file the way another program would: read, edit
// the text, write in place.
func rewrite(t *testing.T, path, from, to string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), from, to, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeMarker writes a note as another program would and returns its id:
// the watcher reports changes in order, so once it is listed, everything
// written before it has been seen.
func writeMarker(t *testing.T, v *persistence.Vault) string {
	t.Helper()
	m := &persistence.Note{ID: "marker", Title: "Marker", TranscriptionStatus: persistence.StatusDone, Body: "m", CreatedAt: time.Now()}
	data, _ := m.Marshal()
	if err := os.WriteFile(filepath.Join(v.RecordingsPath(), "marker.md"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// showing reports whether the list shows the note with this id.
func (w *Window) showing(id string) bool {
	for _, n := range w.shown {
		if n.ID == id {
			return true
		}
	}
	return false
}

func openNote(t *testing.T, w *Window, id string) {
	t.Helper()
	w.selectByID(id)
	if w.selected == nil || w.selected.ID != id {
		t.Fatalf("could not open note %s", id)
	}
}

func TestNotesChangedElsewhereAppear(t *testing.T) {
	w, v := newTestWindow(t, nil)
	a := addNote(t, v, "First", "one")
	w.Reload()
	// Added by another program.
	b := &persistence.Note{ID: "from-obsidian", Title: "Written in Obsidian", TranscriptionStatus: persistence.StatusDone, Body: "hello", CreatedAt: time.Now()}
	data, _ := b.Marshal()
	os.WriteFile(filepath.Join(v.RecordingsPath(), "from-obsidian.md"), data, 0o600)
	// Sync tools' own files are not notes.
	os.WriteFile(filepath.Join(v.RecordingsPath(), ".syncthing.x.md.tmp"), data, 0o600)
	os.WriteFile(filepath.Join(v.RecordingsPath(), "from-obsidian.sync-conflict-20260101-120000-ABCDEFG.md"), data, 0o600)
	eventually(t, "the new note in the list", func() bool { return len(w.shown) >= 2 })
	// A note written after the sync tools' files shows once the watcher has
	// passed over them: then they must not be in the list.
	marker := writeMarker(t, v)
	eventually(t, "the marker note in the list", func() bool { return w.showing(marker) })
	if len(w.shown) != 3 {
		t.Errorf("%d notes listed, want 3; sync tools' files must not show", len(w.shown))
	}
	os.Remove(filepath.Join(v.RecordingsPath(), marker+".md"))
	// Renamed away and deleted by another program.
	os.Rename(filepath.Join(v.RecordingsPath(), "from-obsidian.md"), filepath.Join(t.TempDir(), "moved.md"))
	eventually(t, "the moved note gone", func() bool { return len(w.shown) == 1 && w.shown[0].ID == a.ID })
}

func TestOpenNoteReloadsQuietlyWithoutEdits(t *testing.T) {
	w, v := newTestWindow(t, nil)
	n := addNote(t, v, "Shared", "version one")
	w.Reload()
	openNote(t, w, n.ID)
	rewrite(t, n.Path, "version one", "version two from the sync tool")
	eventually(t, "the editor to show the new text", func() bool { return w.Editor.Text == "version two from the sync tool" })
	if len(w.Win.Canvas().Overlays().List()) != 0 {
		t.Error("a dialog appeared although there was nothing to lose")
	}
	// Our own saves are not mistaken for changes from elsewhere.
	w.Win.Canvas().Focus(w.Editor)
	w.Editor.CursorColumn = len(w.Editor.Text)
	w.Editor.TypedRune('!')
	eventually(t, "our save", func() bool { got, _ := v.Note(n.ID); return strings.HasSuffix(got.Body, "!") })
	// Once a note written after our save is listed, the watcher has seen
	// the save's events too.
	marker := writeMarker(t, v)
	eventually(t, "the marker note in the list", func() bool { return w.showing(marker) })
	if len(w.Win.Canvas().Overlays().List()) != 0 || w.Editor.Text != "version two from the sync tool!" {
		t.Errorf("our own save caused a reload or a conflict: %q", w.Editor.Text)
	}
}

// conflictWindow opens a note, types an edit that cannot be saved before
// another program changes the file, and waits for the conflict question.
func conflictWindow(t *testing.T) (*Window, *persistence.Vault, *persistence.Note) {
	w, v := newTestWindow(t, nil)
	w.saver.delay = 600 * time.Millisecond
	n := addNote(t, v, "Contested", "base text")
	w.Reload()
	openNote(t, w, n.ID)
	w.Win.Canvas().Focus(w.Editor)
	w.Editor.CursorColumn = len(w.Editor.Text)
	for _, r := range " plus mine" {
		w.Editor.TypedRune(r)
	}
	rewrite(t, n.Path, "base text", "base text plus theirs")
	eventually(t, "the conflict question", func() bool { return w.conflictOpen[n.ID] })
	if got, _ := os.ReadFile(n.Path); !strings.Contains(string(got), "plus theirs") {
		t.Fatal("their version was overwritten before the user chose")
	}
	if w.Editor.Text != "base text plus mine" {
		t.Fatalf("the editor lost the user's text: %q", w.Editor.Text)
	}
	return w, v, n
}

func TestConflictKeepMine(t *testing.T) {
	w, v, n := conflictWindow(t)
	w.ResolveConflict(w.selected, &persistence.ConflictError{Path: n.Path}, KeepMine)
	if got, _ := v.Note(n.ID); got.Body != "base text plus mine" {
		t.Errorf("keep mine: file holds %q", got.Body)
	}
}

func TestConflictTakeTheirs(t *testing.T) {
	w, v, n := conflictWindow(t)
	w.ResolveConflict(w.selected, &persistence.ConflictError{Path: n.Path}, TakeTheirs)
	if got, _ := v.Note(n.ID); got.Body != "base text plus theirs" || w.Editor.Text != "base text plus theirs" {
		t.Errorf("take theirs: file %q, editor %q", got.Body, w.Editor.Text)
	}
}

func TestConflictKeepBoth(t *testing.T) {
	w, v, n := conflictWindow(t)
	w.ResolveConflict(w.selected, &persistence.ConflictError{Path: n.Path}, KeepBoth)
	notes, _, _ := v.List()
	var bodies []string
	for _, x := range notes {
		bodies = append(bodies, x.Title+": "+x.Body)
	}
	if len(notes) != 2 || !strings.Contains(strings.Join(bodies, "|"), "Contested (my version): base text plus mine") || !strings.Contains(strings.Join(bodies, "|"), "Contested: base text plus theirs") {
		t.Errorf("keep both: %q", bodies)
	}
}
