package timeline

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestFromEngine(t *testing.T) {
	words := FromEngine([]Span{{0, 0.4, "<s>"}, {0.4, 0.8, "hello"}, {0.8, 1.0, "<sil>"}, {1.0, 1.5, "world"}, {1.5, 1.6, "[NOISE]"}}, nil)
	want := []Word{{ms(400), ms(800), "hello"}, {ms(1000), ms(1500), "world"}}
	if !slices.Equal(words, want) {
		t.Errorf("from words: %v, want %v", words, want)
	}
	// Segments only: spread by length over the segment.
	words = FromEngine(nil, []Span{{2, 3, "aa bbbbbb"}})
	if len(words) != 2 || words[0].Start != 2*time.Second || words[1].End != 3*time.Second || words[0].End != words[1].Start || words[1].End-words[1].Start <= words[0].End-words[0].Start {
		t.Errorf("from segments: %v", words)
	}
}

func TestCuesFollowSubtitleRules(t *testing.T) {
	var words []Word
	at := time.Duration(0)
	text := strings.Fields("this is a long sentence that goes on and on without a single stop for breath because people talk like that when they are excited about something. Short one. Then after a pause")
	for i, w := range text {
		words = append(words, Word{at, at + 300*time.Millisecond, w})
		at += 350 * time.Millisecond
		if i == len(text)-4 {
			at += time.Second // a pause before "after a pause"
		}
	}
	cues := Cues(words)
	var all []string
	for _, c := range cues {
		if c.End-c.Start > MaxCue {
			t.Errorf("cue %q lasts %v", c.Text, c.End-c.Start)
		}
		ls := strings.Split(c.Text, "\n")
		if len(ls) > 2 {
			t.Errorf("cue %q has %d lines", c.Text, len(ls))
		}
		for _, l := range ls {
			if len([]rune(l)) > MaxLine {
				t.Errorf("cue line %q is %d characters", l, len([]rune(l)))
			}
		}
		all = append(all, strings.Fields(c.Text)...)
	}
	if !slices.Equal(all, text) {
		t.Errorf("cues lost or reordered words:\n%v\n%v", all, text)
	}
	if !slices.ContainsFunc(cues, func(c Cue) bool { return c.Text == "Short one." }) {
		t.Errorf("a sentence end did not end a cue: %q", cues)
	}
	if last := cues[len(cues)-1]; last.Text != "after a pause" {
		t.Errorf("a pause did not start a cue: last cue %q", last.Text)
	}
}

func TestVTTAndSRT(t *testing.T) {
	cues := []Cue{{ms(500), ms(2250), "Hello <world> & co"}, {3*time.Hour + ms(61001), 3*time.Hour + ms(62000), "two\nlines"}}
	var vtt bytes.Buffer
	if err := WriteVTT(&vtt, cues); err != nil {
		t.Fatal(err)
	}
	want := "WEBVTT\n\n00:00:00.500 --> 00:00:02.250\nHello &lt;world&gt; &amp; co\n\n03:01:01.001 --> 03:01:02.000\ntwo\nlines\n"
	if vtt.String() != want {
		t.Errorf("VTT:\n%q\nwant\n%q", vtt.String(), want)
	}
	back, err := ParseVTT(&vtt)
	if err != nil || !slices.Equal(back, cues) {
		t.Errorf("VTT read back %v, %v", back, err)
	}
	var srt bytes.Buffer
	WriteSRT(&srt, cues)
	if want := "1\n00:00:00,500 --> 00:00:02,250\nHello <world> & co\n\n2\n03:01:01,001 --> 03:01:02,000\ntwo\nlines\n"; srt.String() != want {
		t.Errorf("SRT:\n%q\nwant\n%q", srt.String(), want)
	}
	// Another program's WebVTT: identifiers, settings, a NOTE, mm:ss.
	other := "\ufeffWEBVTT - made elsewhere\n\nNOTE a comment\n\ncue-1\n00:01.000 --> 00:02.500 align:start\nfirst\n\n00:00:03.000 --> 00:00:04.000\nsecond\n"
	got, err := ParseVTT(strings.NewReader(other))
	if err != nil || len(got) != 2 || got[0] != (Cue{time.Second, ms(2500), "first"}) || got[1].Text != "second" {
		t.Errorf("another program's VTT: %v %v", got, err)
	}
	for _, bad := range []string{"", "not vtt\n", "WEBVTT\n\n00:02.000 --> 00:01.000\nbackwards\n", "WEBVTT\n\n1:2 --> x\n"} {
		if _, err := ParseVTT(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseVTT(%q) accepted it", bad)
		}
	}
}

// TestAlign: an edited transcript keeps the times of the words that stayed,
// new words get times between their neighbours, removed ones drop out;
// case and punctuation do not count as changes.
func TestAlign(t *testing.T) {
	timed := []Word{{ms(0), ms(400), "the"}, {ms(500), ms(900), "quick"}, {ms(1000), ms(1400), "brown"}, {ms(1500), ms(1900), "fox"}, {ms(2000), ms(2400), "jumps"}}
	got := Align(timed, "The quick, red fox! Jumps high")
	want := []Word{{ms(0), ms(400), "The"}, {ms(500), ms(900), "quick,"}, {ms(900), ms(1500), "red"}, {ms(1500), ms(1900), "fox!"}, {ms(2000), ms(2400), "Jumps"}, {ms(2400), ms(2400), "high"}}
	if !slices.Equal(got, want) {
		t.Errorf("Align:\n%v\nwant\n%v", got, want)
	}
	if Position(got, ms(1600)) != 3 || Position(got, -ms(1)) != -1 {
		t.Errorf("Position: %d %d", Position(got, ms(1600)), Position(got, -ms(1)))
	}
	if Align(nil, "words") != nil || Align(timed, " ") != nil {
		t.Error("nothing to align gave words")
	}
}

// TestWordCues: stored timings are a cue a word, read back to the same
// times; for any word times an engine may give (overlapping, zero-length,
// starting together), the cues are valid WebVTT (in order, not
// overlapping, each ending after it starts) and hold every word in order.
func TestWordCues(t *testing.T) {
	words := []Word{{ms(150), ms(360), "and"}, {ms(370), ms(620), "mister"}, {ms(630), ms(990), "john"}}
	var b bytes.Buffer
	if err := WriteVTT(&b, WordCues(words)); err != nil {
		t.Fatal(err)
	}
	cues, err := ParseVTT(&b)
	if err != nil || !slices.Equal(Words(cues), words) {
		t.Fatalf("read back %v (%v), want %v", Words(cues), err, words)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for round := range 2000 {
		var in []Word
		at := time.Duration(rng.IntN(500)) * time.Millisecond
		for i := range 1 + rng.IntN(20) {
			start := at
			if rng.IntN(4) == 0 && i > 0 {
				start = in[i-1].Start + time.Duration(rng.IntN(300))*time.Millisecond // overlapping, or together
			}
			end := start + time.Duration(rng.IntN(3)*rng.IntN(400))*time.Millisecond // often zero
			in = append(in, Word{start, end, fmt.Sprintf("w%d", i)})
			at = max(at, end) + time.Duration(rng.IntN(3)*10)*time.Millisecond
		}
		cues := WordCues(in)
		var got []string
		for i, c := range cues {
			if c.End <= c.Start || i > 0 && c.Start < cues[i-1].End {
				t.Fatalf("round %d: cue %d %v-%v is empty or overlaps the one before (%v)\nin: %v", round, i, c.Start, c.End, cues, in)
			}
			got = append(got, strings.Fields(c.Text)...)
		}
		var want []string
		for _, w := range in {
			want = append(want, w.Text)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: words %v, want %v", round, got, want)
		}
	}
}
