package persistence_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// TestMarkers: markers dropped while recording are durable one by one; a
// line torn by a crash is left out; the note takes them in time order,
// once, even when taking is repeated after a crash; the frontmatter holds
// them as markers: [{t, label}] and reads back; hand-written ones read.
func TestMarkers(t *testing.T) {
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := v.NewNote()
	n.TranscriptionStatus = persistence.StatusDone
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	path := v.MarkersPath(n.ID)
	for _, m := range []persistence.Marker{{At: 12500 * time.Millisecond, Label: "this part matters"}, {At: 3 * time.Second}} {
		if err := persistence.AppendMarker(v.FS(), path, m); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"t": 40.1, "lab`) // the crash came mid-line
	f.Close()
	for range 2 {
		if _, err := v.TakeMarkers(n.ID); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := v.Note(n.ID)
	want := []persistence.Marker{{At: 3 * time.Second}, {At: 12500 * time.Millisecond, Label: "this part matters"}}
	if !slices.Equal(got.Markers, want) {
		t.Errorf("markers %v, want %v", got.Markers, want)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the markers file stayed: %v", err)
	}
	data, _ := os.ReadFile(got.Path)
	if !strings.Contains(string(data), "markers:\n  - {t: 3, label: \"\"}\n  - {t: 12.5, label: \"this part matters\"}\n") {
		t.Errorf("frontmatter:\n%s", data)
	}
	// Written by hand, in flow style.
	os.WriteFile(got.Path, []byte("---\nid: "+n.ID+"\ntitle: x\nmarkers: [{t: 1.25, label: a}, {t: 0}]\n---\n"), 0o600)
	hand, err := v.Note(n.ID)
	if err != nil || !slices.Equal(hand.Markers, []persistence.Marker{{At: 1250 * time.Millisecond, Label: "a"}, {At: 0}}) {
		t.Errorf("hand-written markers: %v %v", hand.Markers, err)
	}
	os.WriteFile(got.Path, []byte("---\nid: "+n.ID+"\nmarkers: [{label: no time}]\n---\n"), 0o600)
	if _, err := v.Note(n.ID); err == nil || !strings.Contains(err.Error(), "needs t") {
		t.Errorf("a marker without a time: %v", err)
	}
}

// TestGarbledMarkersFile: a markers file another program wrote into, or
// that was garbled: a time far past any recording (1e10 s, which
// overflowed the conversion and was written back as -9223372036.85, so
// the note no longer parsed), a line that is not JSON, one line of
// 100 kB (the line reader's limit stopped the whole merge, and warned on
// every command), around two good markers, and a last line torn by a
// crash. The good markers reach the note, which stays readable; the bad
// lines are named by number, and kept aside once under a name nothing
// reads again; the torn line is dropped without a word.
func TestGarbledMarkersFile(t *testing.T) {
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := v.NewNote()
	n.Duration = time.Minute
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	lines := []string{`{"t":1.5,"label":"first"}`, `{"t":1e10}`, `not json at all`, `{"t":2,"label":"` + strings.Repeat("x", 100<<10) + `"}`, `{"t":12.25}`, `{"t":3`}
	path := v.MarkersPath(n.ID)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	ms, err := persistence.ReadMarkers(v.FS(), path)
	var bad *persistence.MarkerLinesError
	if !errors.As(err, &bad) || !slices.Equal(bad.Lines, []int{2, 3, 4}) {
		t.Errorf("ReadMarkers: %v; want lines 2, 3 and 4 named", err)
	}
	want := []persistence.Marker{{At: 1500 * time.Millisecond, Label: "first"}, {At: 12250 * time.Millisecond}}
	if !slices.Equal(ms, want) {
		t.Errorf("markers %v, want %v", ms, want)
	}
	got, err := v.TakeMarkers(n.ID)
	if !errors.As(err, &bad) || !strings.HasSuffix(bad.Path, ".unreadable") {
		t.Errorf("TakeMarkers: %v; want the bad lines said, kept aside", err)
	}
	if got == nil || !slices.Equal(got.Markers, want) {
		t.Fatalf("the note's markers: %+v", got)
	}
	again, err := v.Note(n.ID)
	if err != nil || !slices.Equal(again.Markers, want) {
		t.Fatalf("the note read back: %+v, %v", again, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the markers file is still there to be merged and warned about again: %v", err)
	}
	if n2, err := v.TakeMarkers(n.ID); n2 != nil || err != nil {
		t.Errorf("a second merge: %v, %v", n2, err)
	}
	// A line without a time holds the note's fields (a dictation's tag,
	// a title given at the start): a recovered note takes them; a note
	// that has them already is not written again; a bad tag is a bad line.
	rec := v.NewNote()
	rec.Recovered, rec.AutoTitle, rec.Title = true, true, "Recovered recording from today"
	if err := v.Save(rec); err != nil {
		t.Fatal(err)
	}
	mp := v.MarkersPath(rec.ID)
	if err := persistence.AppendNoteFields(v.FS(), mp, persistence.NoteFields{Title: "Call with Ana", Tags: []string{"dictation"}}); err != nil {
		t.Fatal(err)
	}
	if err := persistence.AppendMarker(v.FS(), mp, persistence.Marker{At: 0, Label: "start"}); err != nil {
		t.Fatal(err)
	}
	if err := persistence.AppendNoteFields(v.FS(), mp, persistence.NoteFields{Tags: []string{"bad tag!"}}); err == nil {
		t.Error("AppendNoteFields took a tag that is not one")
	}
	got, err = v.TakeMarkers(rec.ID)
	if err != nil || got == nil || !got.HasTag("dictation") || got.Title != "Call with Ana" || got.AutoTitle || len(got.Markers) != 1 || got.Markers[0].At != 0 {
		t.Fatalf("TakeMarkers with fields: %+v, %v", got, err)
	}
	if err := persistence.AppendNoteFields(v.FS(), mp, persistence.NoteFields{Tags: []string{"Dictation"}}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(got.Path)
	if n2, err := v.TakeMarkers(rec.ID); n2 != nil || err != nil {
		t.Errorf("fields the note has already: %v, %v; want no change", n2, err)
	}
	if after, _ := os.Stat(got.Path); !after.ModTime().Equal(before.ModTime()) || after.Size() != before.Size() {
		t.Error("the note was written again for fields it had")
	}
	if _, err := os.Stat(mp); !os.IsNotExist(err) {
		t.Errorf("the markers file is left: %v", err)
	}
	// Once the note is written, a file of fields alone goes; one with a
	// marker waits for TakeMarkers.
	if err := persistence.AppendNoteFields(v.FS(), mp, persistence.NoteFields{Tags: []string{"dictation"}}); err != nil {
		t.Fatal(err)
	}
	if err := persistence.AppendMarker(v.FS(), mp, persistence.Marker{At: time.Second}); err != nil {
		t.Fatal(err)
	}
	if err := persistence.DropFieldsOnly(v.FS(), mp); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(mp); err != nil {
		t.Fatalf("a markers file with a marker was dropped: %v", err)
	}
	os.Remove(mp)
	if err := persistence.AppendNoteFields(v.FS(), mp, persistence.NoteFields{Tags: []string{"dictation"}}); err != nil {
		t.Fatal(err)
	}
	if err := persistence.DropFieldsOnly(v.FS(), mp); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(mp); !os.IsNotExist(err) {
		t.Errorf("a markers file of fields alone was left: %v", err)
	}
	if err := os.WriteFile(mp, []byte(`{"tags":["two words"]}`+"\n"+`{}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := persistence.ReadMarkers(v.FS(), mp); !errors.As(err, &bad) || !slices.Equal(bad.Lines, []int{1, 2}) {
		t.Errorf("a bad tag and an empty line: %v; want lines 1 and 2 named", err)
	}

	// A note whose markers: holds such a time is refused with a reason,
	// not read as a negative time.
	raw := "---\nid: " + n.ID + "x\ntitle: t\nmarkers:\n  - {t: 1e10}\n---\n"
	if _, err := persistence.ParseNote(strings.NewReader(raw)); err == nil || !strings.Contains(err.Error(), "past any recording") {
		t.Errorf("a note with a marker at 1e10 s: %v", err)
	}
}
