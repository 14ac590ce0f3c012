//go:build pocketsphinx

package transcribe

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// speechNote makes a note whose audio is the LibriVox clips joined with
// pauses.
func speechNote(t *testing.T, v *persistence.Vault, clips []clip, pauses []time.Duration) *persistence.Note {
	t.Helper()
	path, length, _ := pausedSpeech(t, clips, pauses)
	n := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := persistence.WriteFile(persistence.OS, v.RecordingsPath()+"/"+n.Audio, data, persistence.FilePerm); err != nil {
		t.Fatal(err)
	}
	n.Duration = length
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRetranscribeRealSpeechKeepsEdits: LibriVox speech with pauses,
// transcribed offline by PocketSphinx, edited by the person (a misheard
// name fixed, a word deleted, a word inserted, a paragraph break, a typed
// paragraph with a tag), then transcribed again by a server that hears it
// right (the reference text, with timings): every edit is in the merged
// text, the server's words are where the person did not touch the text,
// and a word the person changed one way and the server another is marked
// and reported, not lost.
func TestRetranscribeRealSpeechKeepsEdits(t *testing.T) {
	all := librivoxClips(t)
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	n := speechNote(t, v, []clip{all[0], all[1]}, []time.Duration{2 * time.Second})
	ps := newPocketSphinx(t)
	q := NewQueue(v, func() (Engine, Options, error) { return ps, Options{}, nil }, nil)
	q.Enqueue(n.ID)
	q.Drain(context.Background())
	first, _ := v.Note(n.ID)
	t.Logf("PocketSphinx: %q", first.Body)
	machine := strings.Fields(first.Body)
	if len(machine) < 20 {
		t.Fatalf("PocketSphinx heard %d words", len(machine))
	}
	// The person's edits, placed by what PocketSphinx heard.
	body := first.Body
	edits := []struct{ from, to string }{
		{"guess what", "Dashwood"},           // the name it misheard
		{"until this blows", "ill-tempered"}, // changed one way; the server hears it another
		{"greatly ", ""},                     // a word deleted
		{" he was not", "\n\nhe was not"},    // a paragraph break
	}
	for _, e := range edits {
		if !strings.Contains(body, e.from) {
			t.Fatalf("PocketSphinx's transcript has no %q to edit (did the model change?): %q", e.from, body)
		}
		body = strings.Replace(body, e.from, e.to, 1)
	}
	body = strings.Replace(body, "consider", "carefully consider", 1) // a word inserted
	body = strings.TrimRight(body, "\n") + "\n\nCall Elinor about the money. #family\n"
	first.Body = body
	if err := v.Save(first); err != nil {
		t.Fatal(err)
	}

	ref := all[0].ref + ". " + all[1].ref + "."
	f := &fakeAPI{key: "k", texts: []string{ref}}
	o, _ := newFake(t, f)
	q2, _ := queueFor(t, v, o)
	q2.Enqueue(n.ID)
	q2.Drain(context.Background())
	got, _ := v.Note(n.ID)
	t.Logf("merged: %q", got.Body)
	for _, want := range []string{"Dashwood", "carefully consider", "\n\nCall Elinor about the money. #family\n", "⟦yours: ill-tempered ‖ new: an ill disposed⟧", "how much there might be prudently in his power"} {
		if !strings.Contains(got.Body, want) {
			t.Errorf("the merge lost %q", want)
		}
	}
	if strings.Contains(got.Body, "guess what") || strings.Contains(got.Body, "greatly") || strings.Count(got.Body, "Dashwood") != 1 {
		t.Errorf("a fixed or deleted word came back, or a word doubled: %q", got.Body)
	}
	if !strings.Contains(got.Body, "them.\n\nhe was not") {
		t.Errorf("the paragraph break went: %q", got.Body)
	}
	versions, _ := Versions(v, got)
	if len(versions) != 2 || versions[0].Engine != PocketSphinxName || versions[0].Model != psModelName || versions[1].Engine != OpenAIName || !versions[1].Current {
		t.Errorf("versions %+v", versions)
	}
}

// TestVocabularyLearnedOffline: PocketSphinx hears "Dashwood" as "guess
// what"; the person corrects it once, and the correction the app finds is
// remembered. The next recording that says the name (another clip first,
// a pause, then the sentence), where PocketSphinx hears it as "dash
// would", is transcribed offline with it right (it sounds like the word
// the rule writes, by PocketSphinx's dictionary), its timings too, and
// nothing else changed; with the rule removed from vocabulary.md, it is
// wrong again.
func TestVocabularyLearnedOffline(t *testing.T) {
	all := librivoxClips(t)
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	ps := newPocketSphinx(t)
	q := NewQueue(v, func() (Engine, Options, error) { return ps, Options{}, nil }, nil)
	first := speechNote(t, v, []clip{all[0]}, nil)
	q.Enqueue(first.ID)
	q.Drain(context.Background())
	first, _ = v.Note(first.ID)
	if !strings.Contains(first.Body, "guess what") {
		t.Fatalf("PocketSphinx's transcript has no \"guess what\" (did the model change?): %q", first.Body)
	}
	edited := strings.Replace(first.Body, "guess what", "Dashwood", 1)
	found := Corrections(first.Body, edited)
	if len(found) != 1 || found[0] != (Rule{"guess what", "Dashwood"}) {
		t.Fatalf("corrections %v", found)
	}
	if err := Remember(v, found[0]); err != nil {
		t.Fatal(err)
	}

	second := speechNote(t, v, []clip{all[1], all[0]}, []time.Duration{1500 * time.Millisecond})
	q.Enqueue(second.ID)
	q.Drain(context.Background())
	second, _ = v.Note(second.ID)
	t.Logf("with the rule: %q", second.Body)
	if !strings.Contains(second.Body, "john Dashwood") || strings.Contains(second.Body, "guess what") {
		t.Errorf("the learned word is not in the next transcript: %q", second.Body)
	}
	cues := timingsOf(t, v, second)
	named := false
	for _, c := range cues {
		named = named || c.Text == "Dashwood"
	}
	if !named {
		t.Errorf("the timings do not have the word: %v", cues)
	}

	text, _ := ReadVocabularyText(v)
	if err := SaveVocabulary(v, strings.ReplaceAll(text, "guess what → Dashwood\n", "")); err != nil {
		t.Fatal(err)
	}
	q.Enqueue(second.ID)
	q.Drain(context.Background())
	again, _ := v.Note(second.ID)
	t.Logf("without: %q", again.Body)
	// Here PocketSphinx hears the name as "dash would": the rule's word,
	// by how it sounds, and nothing else in the transcript changed.
	if !strings.Contains(again.Body, "dash would") || strings.Replace(again.Body, "dash would", "Dashwood", 1) != second.Body {
		t.Errorf("with the rule removed: %q", again.Body)
	}
}
