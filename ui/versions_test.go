package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicenotes/voicenotes/persistence"
)

// TestOtherVersionOfANote: a sync tool leaves a conflict copy of a note
// (the note edited on two computers before they synced). The list shows
// the note once, which says there is another version; the person
// chooses, as for an edit from another program: keep mine, take theirs,
// or keep both. Only then does the copy leave the folder, to the vault's
// trash. A copy that arrives while the window is open is seen too.
func TestOtherVersionOfANote(t *testing.T) {
	for _, choice := range []string{KeepMine, TakeTheirs, KeepBoth} {
		t.Run(choice, func(t *testing.T) {
			w, v := newTestWindow(t, nil)
			n := addNote(t, v, "Shopping", "milk\n")
			w.Reload()
			w.selectByID(n.ID)
			if w.versionsButton.Visible() {
				t.Fatal("a note without another version offers one")
			}
			theirs, _ := v.Note(n.ID)
			theirs.Body = "milk and the eggs I added on the laptop\n"
			data, _ := theirs.Marshal()
			copyPath := filepath.Join(v.RecordingsPath(), n.ID+".sync-conflict-20261204-120000-LAPTOP1.md")
			if err := os.WriteFile(copyPath, data, 0o600); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the other version offered", func() bool { return w.versionsButton.Visible() })
			if len(w.shown) != 1 {
				t.Errorf("the list shows %d notes; the copy is not a note", len(w.shown))
			}
			w.ResolveVersion(n.ID, copyPath, choice)
			if _, err := os.Stat(copyPath); err == nil {
				t.Error("the copy is still in the notes' folder after the choice")
			}
			trashed, _ := filepath.Glob(filepath.Join(v.Root(), persistence.TrashDir, "*", filepath.Base(copyPath)))
			if len(trashed) != 1 {
				t.Errorf("the copy is not in the vault's trash: %v", trashed)
			}
			notes, _, _ := v.List()
			var bodies []string
			for _, m := range notes {
				bodies = append(bodies, strings.TrimSpace(m.Body))
			}
			got, _ := v.Note(n.ID)
			switch choice {
			case KeepMine:
				if len(notes) != 1 || got.Body != "milk\n" {
					t.Errorf("kept mine: %q", bodies)
				}
			case TakeTheirs:
				if len(notes) != 1 || got.Body != theirs.Body {
					t.Errorf("took theirs: %q", bodies)
				}
			case KeepBoth:
				if len(notes) != 2 || got.Body != "milk\n" || !strings.Contains(strings.Join(bodies, "|"), "eggs I added") {
					t.Errorf("kept both: %q", bodies)
				}
			}
			if w.versionsButton.Visible() {
				t.Error("the note still offers another version after the choice")
			}
		})
	}
}
