package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/voicenotes/voicenotes/persistence"
)

// openVault opens a vault in a new folder, closed when the test ends.
func openVault(t *testing.T) *persistence.Vault {
	t.Helper()
	v, err := persistence.Open(t.TempDir(), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// slowListing makes the window's listing at launch late: it reads the
// vault at once, as the real one does beside the widgets, and comes when
// the test closes the channel returned, so what it read is then older
// than the window.
func slowListing(t *testing.T) chan struct{} {
	release := make(chan struct{})
	real := listVault
	listVault = func(v *persistence.Vault) listing {
		l := real(v)
		<-release
		return l
	}
	t.Cleanup(func() { listVault = real })
	return release
}

// A vault slow to list (its first launch reads every note; a loaded
// machine) does not hold the window back: it opens saying it is reading,
// a recording can start at once, and the listing that comes late keeps
// what happened meanwhile, in the window and on disk.
func TestWindowOpensBeforeASlowListing(t *testing.T) {
	a, v := test.NewTempApp(t), openVault(t)
	kept := addNote(t, v, "Kept", "as it was")
	gone := addNote(t, v, "Deleted on another device", "soon gone")
	release := slowListing(t)
	w := openTestWindow(t, a, Services{Vault: v, ListWait: time.Millisecond})

	if !w.reading || len(w.shown) != 0 {
		t.Fatalf("the window opened with %d notes shown (reading %v), before its listing came", len(w.shown), w.reading)
	}
	if w.empty.Visible() || !w.noMatch.Visible() || w.noMatch.Text != "Reading the notes…" {
		t.Errorf("while reading, the list says %q (first-run state shown: %v)", w.noMatch.Text, w.empty.Visible())
	}
	if !strings.Contains(w.status.Text, "Reading the notes in") {
		t.Errorf("while reading, the status says %q", w.status.Text)
	}

	// A recording made meanwhile.
	test.Tap(w.recordButton)
	eventually(t, "a second of recording", func() bool { return w.rec != nil && w.rec.s != nil && w.rec.s.Elapsed() >= time.Second })
	test.Tap(w.recordButton)
	eventually(t, "the recording's note in the list", func() bool { return len(w.notes) == 1 })
	recorded := w.notes[0]

	// Another program changes the vault meanwhile: a note deleted, one
	// added, one edited.
	if err := os.Remove(gone.Path); err != nil {
		t.Fatal(err)
	}
	other := &persistence.Note{ID: "from-laptop", Title: "Written on the laptop", TranscriptionStatus: persistence.StatusDone, Body: "hello", CreatedAt: time.Now()}
	data, _ := other.Marshal()
	otherPath := filepath.Join(v.RecordingsPath(), "from-laptop.md")
	if err := os.WriteFile(otherPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	rewrite(t, kept.Path, "as it was", "changed on the laptop")
	eventually(t, "the watcher to see the three changes", func() bool {
		g, deleted := w.diskWhileReading[gone.Path]
		k := w.diskWhileReading[kept.Path]
		return deleted && g == nil && w.diskWhileReading[otherPath] != nil && k != nil && k.Body == "changed on the laptop"
	})
	if len(w.notes) != 1 {
		t.Errorf("before the listing came, the list took changes from disk: %d notes", len(w.notes))
	}

	close(release)
	eventually(t, "the listing", func() bool { return !w.reading })
	var ids []string
	for _, n := range w.shown {
		ids = append(ids, n.ID)
	}
	slices.Sort(ids)
	want := []string{kept.ID, recorded.ID, other.ID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("after the late listing the list shows %v, want %v (the recording, the note added elsewhere and the kept one; not the deleted one)", ids, want)
	}
	for _, n := range w.notes {
		if n.ID == kept.ID && n.Body != "changed on the laptop" {
			t.Errorf("the note edited elsewhere shows %q: the late listing put back what it had read", n.Body)
		}
		if n.ID == recorded.ID && n != recorded {
			t.Error("the recording's note was replaced by the listing's copy: the window's own note (and an edit in it) must stay")
		}
	}
	if w.noMatch.Visible() || w.empty.Visible() {
		t.Errorf("after the listing the list still says %q", w.noMatch.Text)
	}
	if !strings.Contains(w.status.Text, "3 notes in") {
		t.Errorf("after the listing the status says %q", w.status.Text)
	}
}

// The listing is read once: a Reload while it is late (the watcher lost
// events) makes the late one stale, and it is dropped.
func TestLateListingAfterAReloadIsDropped(t *testing.T) {
	a, v := test.NewTempApp(t), openVault(t)
	first := addNote(t, v, "First", "one")
	release := slowListing(t)
	dropped := make(chan struct{})
	trace := func(e string) {
		if e == "late listing dropped" {
			close(dropped)
		}
	}
	w := openTestWindow(t, a, Services{Vault: v, ListWait: time.Millisecond, Trace: trace})
	second := addNote(t, v, "Second", "two")
	w.Reload()
	if w.reading || len(w.notes) != 2 {
		t.Fatalf("after Reload: reading %v, %d notes", w.reading, len(w.notes))
	}
	close(release)
	eventually(t, "the late listing handled", func() bool {
		select {
		case <-dropped:
			return true
		default:
			return false
		}
	})
	if !w.showing(first.ID) || !w.showing(second.ID) {
		t.Errorf("the late listing replaced a newer one: showing %d notes", len(w.shown))
	}
}
