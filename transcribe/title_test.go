package transcribe

import (
	"context"
	"testing"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

func TestTitleFrom(t *testing.T) {
	for in, want := range map[string]string{
		"um so the budget meeting moved to thursday. also bring slides": "The budget meeting moved to thursday",
		"he was not an ill disposed young man":                          "He was not an ill disposed young man",
		"uh, well, okay":                                                "",
		"":                                                              "",
		"Call Anna about the lease; then the bank":                                                     "Call Anna about the lease",
		"and then at leisure to consider our watch there might be greatly in his power to do for them": "And then at leisure to consider our watch there might be",
		"élan vital is what bergson called it":                                                         "Élan vital is what bergson called it",
	} {
		if got := TitleFrom(in); got != want {
			t.Errorf("TitleFrom(%q) = %q, want %q", in, got, want)
		}
		if got := TitleFrom(in); len(got) > titleMax+1 {
			t.Errorf("TitleFrom(%q) is %d bytes long", in, len(got))
		}
	}
}

// TestTranscriptNamesTheNote: a note titled by the app takes the first
// words of its transcript; one the person titled keeps its title.
func TestTranscriptNamesTheNote(t *testing.T) {
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	auto := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	auto.Title, auto.AutoTitle = "Recording 1 Dec 2026 05:21", true
	typed := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	typed.Title = "Groceries"
	for _, n := range []*persistence.Note{auto, typed} {
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
	}
	o, _ := newFake(t, &fakeAPI{key: "k"})
	q, _ := queueFor(t, v, o)
	q.Enqueue(auto.ID, typed.ID)
	q.Drain(context.Background())
	a, _ := v.Note(auto.ID)
	b, _ := v.Note(typed.ID)
	if a.Title != TitleFrom(a.Body) || a.Title == "" || !a.AutoTitle {
		t.Errorf("the app's title became %q (transcript %q)", a.Title, a.Body)
	}
	if b.Title != "Groceries" {
		t.Errorf("the person's title became %q", b.Title)
	}
}
