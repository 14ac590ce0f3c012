package persistence_test

import (
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
