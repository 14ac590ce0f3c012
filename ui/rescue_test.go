package ui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/faultfs"
	"github.com/voicenotes/voicenotes/persistence"
)

// TestUnsavedEditIsKeptAtQuit: the note's folder refuses writes (a full
// disk), the person types, and the app is quit (SIGTERM, the tray's
// Quit): the edit is kept, and the next start offers it back. Restored
// over the unchanged note, it is saved; over a note another program
// changed meanwhile, the person chooses, and keeping theirs too loses
// neither. Either way the kept copy is gone afterwards.
func TestUnsavedEditIsKeptAtQuit(t *testing.T) {
	for _, changedSince := range []bool{false, true} {
		t.Run(map[bool]string{false: "unchanged since", true: "changed since"}[changedSince], func(t *testing.T) {
			root, spare := t.TempDir(), t.TempDir()
			var broken atomic.Bool
			fsys := faultfs.New(persistence.OS, func(e faultfs.Event) error {
				if broken.Load() && e.Op == faultfs.OpWrite && strings.HasPrefix(e.Path, filepath.Join(root, persistence.RecordingsDir)) {
					return errors.New("no space left on device (injected)")
				}
				return nil
			})
			open := func(fsys persistence.FS) (*Window, *persistence.Vault) {
				v, err := persistence.Open(root, persistence.Options{FS: fsys})
				if err != nil {
					t.Fatal(err)
				}
				w := New(test.NewTempApp(t), Services{Vault: v, RescueDir: spare, OpenInput: func() (audio.Source, error) { return &toneSource{}, nil }})
				w.saver.delay, w.saver.retry = 50*time.Millisecond, 100*time.Millisecond
				return w, v
			}
			w, v := open(fsys)
			n := addNote(t, v, "Important", "draft")
			w.Reload()
			w.list.Select(0)
			broken.Store(true)
			w.win.Canvas().Focus(w.editor)
			w.editor.CursorColumn = 5
			test.Type(w.editor, " v2")
			eventually(t, "the failed save", func() bool { return strings.Contains(w.status.Text, "Not saved yet") })
			if err := w.Shutdown(); err == nil {
				t.Error("Shutdown says all was saved")
			}
			v.Close()
			kept, _ := filepath.Glob(filepath.Join(root, persistence.StateDir, "unsaved", n.ID+".*.md"))
			if len(kept) != 1 {
				t.Fatalf("kept edits: %v", kept)
			}
			if changedSince {
				data, _ := os.ReadFile(n.Path)
				if err := os.WriteFile(n.Path, []byte(strings.Replace(string(data), "draft", "their words", 1)), 0o600); err != nil {
					t.Fatal(err)
				}
			}

			w, v = open(nil) // the next start, the disk mended
			defer v.Close()
			if w.rescueRestore == nil {
				t.Fatal("the next start does not offer the kept edit")
			}
			test.Tap(w.rescueRestore)
			if changedSince {
				eventually(t, "the choice of versions", func() bool { return w.conflictOpen[n.ID] })
				w.ResolveConflict(w.rescuing[n.ID], &persistence.ConflictError{}, KeepBoth)
				notes, _, _ := v.List()
				var bodies []string
				for _, m := range notes {
					bodies = append(bodies, m.Body)
				}
				if len(notes) != 2 || !strings.Contains(strings.Join(bodies, "|"), "their words") || !strings.Contains(strings.Join(bodies, "|"), "draft v2") {
					t.Errorf("after keeping both, the vault holds %q", bodies)
				}
			} else {
				eventually(t, "the restored edit on disk", func() bool { got, _ := v.Note(n.ID); return got.Body == "draft v2" })
				eventually(t, "the restored edit in the editor", func() bool { return w.editor.Text == "draft v2" })
			}
			if left, _ := filepath.Glob(filepath.Join(root, persistence.StateDir, "unsaved", "*.md")); len(left) != 0 {
				t.Errorf("the kept copy stays after it was restored: %v", left)
			}
		})
	}
}
