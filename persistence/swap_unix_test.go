//go:build unix

package persistence_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/voicenotes/voicenotes/internal/faultfs"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// TestNoteSwappedForALinkIsNotFollowed: another user's program (a vault
// folder others can write to) replaces a note with a link to a private
// file outside the vault between the check of what the note is and its
// open. The open refuses the link; the private file is never read as a
// note.
func TestNoteSwappedForALinkIsNotFollowed(t *testing.T) {
	root, outside := tempdir.New(t), tempdir.New(t)
	secret := filepath.Join(outside, "private.md")
	if err := os.WriteFile(secret, []byte("---\nid: a1\ntitle: secret\n---\nthe private words\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var note string
	var swapped atomic.Bool
	fsys := faultfs.New(persistence.OS, func(e faultfs.Event) error {
		if e.Op == faultfs.OpOpen && e.Path == note && swapped.CompareAndSwap(false, true) {
			// Between the vault's look at the file and its open.
			os.Remove(note)
			if err := os.Symlink(secret, note); err != nil {
				t.Error(err)
			}
		}
		return nil
	})
	v := openVault(t, root, persistence.Options{FS: fsys})
	n := &persistence.Note{ID: "a1", Title: "mine", Body: "my words\n", TranscriptionStatus: persistence.StatusDone}
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	note = v.NotePath("a1")
	got, err := v.Note("a1")
	if !swapped.Load() {
		t.Fatal("the note was never opened: the test swapped nothing")
	}
	if err == nil && strings.Contains(got.Body, "private") {
		t.Fatalf("a file outside the vault was read as the note: %q", got.Body)
	}
	if err == nil {
		t.Fatalf("read %+v through a link", got)
	}
	t.Logf("refused: %v", err)
}
