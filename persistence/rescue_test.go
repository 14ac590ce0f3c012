package persistence_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/voicenotes/voicenotes/internal/faultfs"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// TestRescueKeepsWhatCouldNotBeSaved: an edit whose save fails is kept
// (in the vault when only the note's folder refuses writes, in the spare
// folder when the whole vault does), and Rescued gives it back as an edit
// of the revision it was made on: saved over an unchanged note it lands,
// over a note changed since it is a conflict, and dropped it is gone. A
// spare folder shared by two vaults gives each only its own.
func TestRescueKeepsWhatCouldNotBeSaved(t *testing.T) {
	for _, broken := range []string{persistence.RecordingsDir, ""} {
		t.Run("refusing "+map[string]string{persistence.RecordingsDir: "recordings/", "": "the whole vault"}[broken], func(t *testing.T) {
			root, spare := tempdir.New(t), tempdir.New(t)
			var failing atomic.Bool
			fsys := faultfs.New(persistence.OS, func(e faultfs.Event) error {
				if failing.Load() && e.Op == faultfs.OpWrite && strings.HasPrefix(e.Path, filepath.Join(root, broken)) {
					return errors.New("no space left on device (injected)")
				}
				return nil
			})
			v := openVault(t, root, persistence.Options{FS: fsys})
			n := v.NewNote()
			n.Title, n.Body, n.TranscriptionStatus = "Mine", "draft\n", persistence.StatusDone
			if err := v.Save(n); err != nil {
				t.Fatal(err)
			}
			edit, _ := v.Note(n.ID)
			edit.Body = "draft, and what I typed before the disk filled\n"
			failing.Store(true)
			if err := v.Save(edit); err == nil {
				t.Fatal("the save went through a failing disk")
			}
			path, err := v.Rescue(edit, spare)
			failing.Store(false)
			if err != nil {
				t.Fatal(err)
			}
			inVault := strings.HasPrefix(path, root)
			if inVault != (broken != "") {
				t.Errorf("kept in %s", path)
			}
			// Private where modes exist (Windows keeps access in ACLs).
			if st, err := os.Stat(path); err != nil || runtime.GOOS != "windows" && st.Mode().Perm() != persistence.FilePerm {
				t.Errorf("the kept edit: %v %v", st, err)
			}
			other := openVault(t, tempdir.New(t), persistence.Options{})
			if kept, err := other.Rescued(spare); err != nil || len(kept) != 0 {
				t.Errorf("another vault sharing the spare folder is offered %d edits (%v)", len(kept), err)
			}

			kept, err := v.Rescued(spare)
			if err != nil || len(kept) != 1 || kept[0].Body != edit.Body || kept[0].RescuedFrom() != path {
				t.Fatalf("Rescued: %v %v", kept, err)
			}
			if err := v.Save(kept[0]); err != nil {
				t.Fatalf("the kept edit does not save over its unchanged note: %v", err)
			}
			if got, _ := v.Note(n.ID); got.Body != edit.Body {
				t.Errorf("the note holds %q", got.Body)
			}
			if err := v.DropRescued(kept[0]); err != nil {
				t.Fatal(err)
			}
			if again, _ := v.Rescued(spare); len(again) != 0 {
				t.Errorf("a dropped edit is offered again: %v", again)
			}

			// Kept, then the note changes elsewhere: a conflict, not an
			// overwrite.
			edit2, _ := v.Note(n.ID)
			edit2.Body = "a second edit\n"
			if _, err := v.Rescue(edit2, spare); err != nil {
				t.Fatal(err)
			}
			theirs, _ := v.Note(n.ID)
			theirs.Body = "changed on the other laptop\n"
			if err := v.Save(theirs); err != nil {
				t.Fatal(err)
			}
			kept, _ = v.Rescued(spare)
			if len(kept) != 1 {
				t.Fatalf("%d kept edits", len(kept))
			}
			var conflict *persistence.ConflictError
			if err := v.Save(kept[0]); !errors.As(err, &conflict) || conflict.Theirs == nil || conflict.Theirs.Body != theirs.Body {
				t.Errorf("saving a kept edit over a note changed since: %v", err)
			}
		})
	}
}

// TestRescueReplacesAnOlderRescue: the same note kept twice is offered
// once, as last kept.
func TestRescueReplacesAnOlderRescue(t *testing.T) {
	v := openVault(t, tempdir.New(t), persistence.Options{})
	n := v.NewNote()
	n.Title = "Twice"
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	first, _ := v.Note(n.ID)
	first.Body = "first\n"
	if _, err := v.Rescue(first, ""); err != nil {
		t.Fatal(err)
	}
	second := *first
	second.Body = "second\n"
	if _, err := v.Rescue(&second, ""); err != nil {
		t.Fatal(err)
	}
	kept, err := v.Rescued("")
	if err != nil || len(kept) != 1 || kept[0].Body != "second\n" {
		t.Errorf("Rescued: %v %v", kept, err)
	}
}
