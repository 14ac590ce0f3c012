package merge

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestWords(t *testing.T) {
	for _, c := range []struct {
		name, base, mine, theirs, want string
		conflicts                      int
	}{
		{"untouched takes the new text",
			"and mister john dash would had then", "and mister john dash would had then\n",
			"And Mister John Dashwood had then.", "And Mister John Dashwood had then.\n", 0},
		{"a word the person fixed, the engine fixed the same way",
			"mister john dash would had", "mister john Dashwood had", "mister john dashwood had then",
			"mister john Dashwood had then", 0},
		{"a replaced word survives where the engine kept it",
			"he was not an ill disposed young man", "he was not an ill tempered young man",
			"he was not an ill disposed young man.", "he was not an ill tempered young man.", 0},
		{"a deleted word stays deleted",
			"he was um not an ill disposed man", "he was not an ill disposed man",
			"He was um not an ill-disposed man.", "He was not an ill-disposed man.", 0},
		{"an inserted word stays, beside the engine's new one",
			"the cat sat", "the black cat sat", "the cat sat down", "the black cat sat down", 0},
		{"a typed paragraph at the end stays after the engine's new ending",
			"he might even have been made amiable",
			"he might even have been made amiable\n\nCall Elinor about this tomorrow. #family\n",
			"he might even have been made amiable himself",
			"he might even have been made amiable himself\n\nCall Elinor about this tomorrow. #family\n", 0},
		{"paragraph breaks the person made stay",
			"one two three four five six", "one two three\n\nfour five six", "one two tree four five six",
			"one two tree\n\nfour five six", 0},
		{"a paragraph break before a word the engine replaced moves to the next word",
			"one two three four", "one two\n\nthree four", "one two free four",
			"one two\n\nfree four", 0},
		{"the person's fix, which the engine now hears, anchored elsewhere: once",
			"and mr john guess what and then at leisure", "and mr john Dashwood and then at leisure",
			"and mister john dashwood had then leisure", "and mister john Dashwood had then leisure", 0},
		{"the same word changed two ways is a conflict",
			"and mister john dash would had", "and mister john Dashwood had", "and mister john Dashford had",
			"and mister john ⟦yours: Dashwood ‖ new: Dashford⟧ had", 1},
		{"a word the person capitalised and the engine changed is a conflict",
			"i met john dash here", "I met John Dash here", "i met john dashwood here",
			"I met John ⟦yours: Dash ‖ new: dashwood⟧ here", 1},
		{"the person's replacement and the engine's addition both stay",
			"a b c", "a Y c", "a b X c", "a Y X c", 0},
		{"empty base: the person's text and the engine's both stay, as a conflict",
			"", "my own words", "the engine's words", "⟦yours: my own words ‖ new: the engine's words⟧", 1},
		{"nothing machine left, nothing typed: the new text",
			"a b", "", "c d", "c d", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Words(c.base, c.mine, c.theirs)
			if got.Text != c.want {
				t.Errorf("merged\n%q\nwant\n%q", got.Text, c.want)
			}
			if len(got.Conflicts) != c.conflicts {
				t.Errorf("%d conflicts %v, want %d", len(got.Conflicts), got.Conflicts, c.conflicts)
			}
			if places := Find(got.Text); len(places) != len(got.Conflicts) {
				t.Errorf("Find sees %d conflicts in the text, the merge reported %d", len(places), len(got.Conflicts))
			}
		})
	}
}

func TestResolve(t *testing.T) {
	text := "I met John ⟦yours: Dash ‖ new: dashwood⟧ here, and ⟦yours: Elinor ‖ new: ellen or⟧."
	p := Find(text)
	if len(p) != 2 || p[0].Mine != "Dash" || p[1].Theirs != "ellen or" {
		t.Fatalf("found %+v", p)
	}
	if got := Resolve(text, p[1], false); got != "I met John ⟦yours: Dash ‖ new: dashwood⟧ here, and ellen or." {
		t.Errorf("taking the new: %q", got)
	}
	if got := Resolve(text, p[0], true); got != "I met John Dash here, and ⟦yours: Elinor ‖ new: ellen or⟧." {
		t.Errorf("keeping yours: %q", got)
	}
}

// TestNothingThePersonDidIsLost: random edits on both sides of random
// text. Every word the person typed is in the merge; no word the person
// deleted comes back; a word both kept stays; a word the engine removed
// and the person did not touch goes.
func TestNothingThePersonDidIsLost(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for run := range 2000 {
		n := r.IntN(30)
		base := make([]string, n)
		for i := range base {
			base[i] = fmt.Sprintf("b%d", i)
		}
		mine, mineDel, mineIns := edit(r, base, "m", run)
		theirs, theirsDel, _ := edit(r, base, "t", run)
		if len(mine) == 0 || len(theirs) == 0 {
			// ApplyTranscript's rules: an emptied note takes the new
			// text whole; an engine that heard nothing changes nothing.
			continue
		}
		got := Words(strings.Join(base, " "), strings.Join(mine, " "), strings.Join(theirs, " "))
		out := strings.FieldsFunc(got.Text, func(r rune) bool { return r == ' ' || r == '⟦' || r == '⟧' || r == '‖' || r == ':' })
		for _, w := range mineIns {
			if !slices.Contains(out, w) {
				t.Fatalf("run %d: the person's %q was lost\nbase   %v\nmine   %v\ntheirs %v\ngot    %q", run, w, base, mine, theirs, got.Text)
			}
		}
		for _, w := range base {
			in := slices.Contains(out, w)
			switch {
			case mineDel[w] && in:
				t.Fatalf("run %d: %q, which the person deleted, came back: %q\nbase   %v\nmine   %v\ntheirs %v", run, w, got.Text, base, mine, theirs)
			case !mineDel[w] && !theirsDel[w] && !in:
				t.Fatalf("run %d: %q, which both kept, went: %q", run, w, got.Text)
			case theirsDel[w] && !mineDel[w] && in && len(got.Conflicts) == 0:
				t.Fatalf("run %d: %q, which the engine dropped, stayed: %q\nbase   %v\nmine   %v\ntheirs %v", run, w, got.Text, base, mine, theirs)
			}
		}
	}
}

// edit deletes, replaces and inserts words at random.
func edit(r *rand.Rand, base []string, who string, run int) (out []string, deleted map[string]bool, inserted []string) {
	deleted = map[string]bool{}
	k := 0
	add := func() {
		w := fmt.Sprintf("%s%d_%d", who, run, k)
		k++
		out = append(out, w)
		inserted = append(inserted, w)
	}
	for _, w := range base {
		switch r.IntN(8) {
		case 0:
			deleted[w] = true
		case 1:
			deleted[w] = true
			add()
		case 2:
			add()
			out = append(out, w)
		default:
			out = append(out, w)
		}
	}
	if r.IntN(4) == 0 {
		add()
	}
	return out, deleted, inserted
}

// BenchmarkMergeHour merges an hour-long transcript (9,000 words) the
// person edited in 150 places (words fixed, deleted, typed, paragraphs)
// with a new transcript that hears one word in ten differently: the work
// of one re-transcription.
func BenchmarkMergeHour(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	base := make([]string, 9000)
	for i := range base {
		base[i] = fmt.Sprintf("w%d", r.IntN(3000))
	}
	mine := slices.Clone(base)
	for k := range 150 {
		i := r.IntN(len(mine))
		switch k % 4 {
		case 0:
			mine[i] = "Fixed"
		case 1:
			mine = slices.Delete(mine, i, i+1)
		case 2:
			mine = slices.Insert(mine, i, "typed", "words")
		case 3:
			mine[i] = "\n\n" + mine[i]
		}
	}
	theirs := slices.Clone(base)
	for i := range theirs {
		if r.IntN(10) == 0 {
			theirs[i] = fmt.Sprintf("h%d", r.IntN(3000))
		}
	}
	bs, ms, ts := strings.Join(base, " "), strings.Join(mine, " "), strings.Join(theirs, " ")
	start := time.Now()
	var res Result
	for b.Loop() {
		res = Words(bs, ms, ts)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/merge")
	b.ReportMetric(float64(len(res.Conflicts)), "conflicts")
}

// FuzzWords: any three texts merge without a panic, the merge is valid
// UTF-8 when they are, every conflict it reports is marked in the text,
// and a text merged with itself as base and new is itself.
func FuzzWords(f *testing.F) {
	f.Add("and mr john guess what", "and mr john Dashwood\n\n#family", "And Mister John Dashwood.")
	f.Add("", "", "")
	f.Add("a b c", "a ⟦yours: b ‖ new: c⟧", "a b")
	f.Fuzz(func(t *testing.T, base, mine, theirs string) {
		res := Words(base, mine, theirs)
		if utf8.ValidString(base) && utf8.ValidString(mine) && utf8.ValidString(theirs) && !utf8.ValidString(res.Text) {
			t.Fatalf("invalid UTF-8 from valid texts: %q", res.Text)
		}
		if len(Find(res.Text)) < len(res.Conflicts) {
			t.Fatalf("%d conflicts reported, %d marked in %q", len(res.Conflicts), len(Find(res.Text)), res.Text)
		}
		if strings.TrimSpace(mine) != "" && !strings.ContainsAny(mine, "⟦⟧‖") {
			if got := Words(mine, mine, mine); got.Text != mine {
				t.Fatalf("a text merged with itself changed: %q -> %q", mine, got.Text)
			}
		}
	})
}
