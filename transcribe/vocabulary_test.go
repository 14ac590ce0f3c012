package transcribe

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

func TestParseAndApplyVocabulary(t *testing.T) {
	voc := ParseVocabulary("# Vocabulary\n\nDashwood\n- Elinor\nguess what → Dashwood\nnor land -> Norland\n\n# a note\n")
	if !slices.Equal(voc.Terms, []string{"Dashwood", "Elinor"}) || len(voc.Rules) != 2 || voc.Rules[1] != (Rule{"nor land", "Norland"}) {
		t.Fatalf("parsed %+v", voc)
	}
	res := voc.Apply(&Result{
		Text:  "and mr john guess what, and then elinor went to nor land.",
		Words: []Segment{{0, 1, "and"}, {1, 2, "mr"}, {2, 3, "john"}, {3, 4, "guess"}, {4, 5, "what,"}, {5, 6, "and"}, {6, 7, "then"}, {7, 8, "elinor"}, {8, 9, "went"}, {9, 10, "to"}, {10, 11, "nor"}, {11, 12, "land."}},
	}, false)
	if res.Text != "and mr john Dashwood, and then Elinor went to Norland." {
		t.Errorf("applied: %q", res.Text)
	}
	if len(res.Words) != 10 || res.Words[3] != (Segment{3, 5, "Dashwood,"}) || res.Words[9] != (Segment{10, 12, "Norland."}) {
		t.Errorf("timings: %+v", res.Words)
	}
	if p := voc.Prompt(); p != "Vocabulary: Dashwood, Elinor, Norland." {
		t.Errorf("prompt %q", p)
	}
	if (&Vocabulary{}).Prompt() != "" {
		t.Error("an empty vocabulary prompts")
	}
}

func TestCorrections(t *testing.T) {
	machine := "and mr john guess what and then at leisure to consider how much there might be"
	edited := "And Mr John Dashwood had then leisure to consider how much there might be.\n\nAsk Elinor. #family"
	got := Corrections(machine, edited)
	want := []Rule{{"guess what and", "Dashwood had"}}
	if !slices.Equal(got, want) {
		t.Errorf("corrections %v, want %v", got, want)
	}
	// Case alone, a deletion, an addition, a tag: no correction.
	if got := Corrections("the cat sat on the mat", "The cat sat on mat, #pets and more"); len(got) != 0 {
		t.Errorf("corrections %v, want none", got)
	}
	if got := Corrections("i met dash would today", "I met Dashwood today"); !slices.Equal(got, []Rule{{"dash would", "Dashwood"}}) {
		t.Errorf("corrections %v", got)
	}
}

// TestRememberedRuleReachesTheServer: a remembered rule is a line of
// vocabulary.md; the OpenAI-compatible engine gets the vocabulary in its
// prompt, and the rule is applied to what the server answers. Removed
// from the file, it is no longer applied.
func TestRememberedRuleReachesTheServer(t *testing.T) {
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	rule := Rule{"dash would", "Dashwood"}
	if err := Remember(v, rule); err != nil {
		t.Fatal(err)
	}
	if err := Remember(v, rule); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(VocabularyPath(v))
	if strings.Count(string(data), "dash would → Dashwood\n") != 1 {
		t.Fatalf("vocabulary.md:\n%s", data)
	}
	if st, _ := os.Stat(VocabularyPath(v)); runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("vocabulary.md is %v, want private (0600)", st.Mode())
	}
	n := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	f := &fakeAPI{key: "k", texts: []string{"and mister john dash would had then leisure"}}
	o, _ := newFake(t, f)
	q, _ := queueFor(t, v, o)
	q.Enqueue(n.ID)
	q.Drain(context.Background())
	got, _ := v.Note(n.ID)
	if got.Body != "and mister john Dashwood had then leisure\n" {
		t.Errorf("body %q", got.Body)
	}
	f.mu.Lock()
	prompt := f.fields[0]["prompt"]
	f.mu.Unlock()
	if prompt != "Vocabulary: Dashwood." {
		t.Errorf("the server got the prompt %q", prompt)
	}
	// Removed in the file: gone.
	if err := SaveVocabulary(v, strings.ReplaceAll(string(data), "dash would → Dashwood\n", "")); err != nil {
		t.Fatal(err)
	}
	q.Enqueue(n.ID)
	q.Drain(context.Background())
	if got, _ := v.Note(n.ID); got.Body != "and mister john dash would had then leisure\n" {
		t.Errorf("after the rule was removed: %q", got.Body)
	}
}
