package timeline

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// editScript makes a transcript of n timed words and a random edit of it:
// words deleted, inserted, replaced, recased or given punctuation. It
// returns the timed words, the edited text, and for each edited word the
// timed word it came from unchanged (-1 for new words).
func editScript(r *rand.Rand, n, edits int) ([]Word, string, []int) {
	timed := make([]Word, n)
	for i := range timed {
		timed[i] = Word{time.Duration(i) * 300 * time.Millisecond, time.Duration(i)*300*time.Millisecond + 250*time.Millisecond, fmt.Sprintf("w%d", i)}
	}
	type tok struct {
		text string
		from int
	}
	toks := make([]tok, n)
	for i := range toks {
		toks[i] = tok{timed[i].Text, i}
	}
	for e := 0; e < edits; e++ {
		at := r.IntN(len(toks) + 1)
		switch r.IntN(5) {
		case 0: // delete
			if at < len(toks) {
				toks = append(toks[:at], toks[at+1:]...)
			}
		case 1: // insert
			toks = append(toks[:at], append([]tok{{fmt.Sprintf("new%d", e), -1}}, toks[at:]...)...)
		case 2: // replace
			if at < len(toks) {
				toks[at] = tok{fmt.Sprintf("other%d", e), -1}
			}
		case 3: // recase: still the same word
			if at < len(toks) {
				toks[at].text = strings.ToUpper(toks[at].text)
			}
		case 4: // punctuation: still the same word
			if at < len(toks) {
				toks[at].text += ","
			}
		}
	}
	var texts []string
	var from []int
	for _, t := range toks {
		texts = append(texts, t.text)
		from = append(from, t.from)
	}
	return timed, strings.Join(texts, " "), from
}

// TestAlignKeepsUnchangedWords: for random edit scripts, short and an
// hour long, every word that was not changed keeps its time exactly, and
// the times never go backwards.
func TestAlignKeepsUnchangedWords(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		n, edits := 5+r.IntN(200), r.IntN(40)
		if round%20 == 0 {
			n, edits = 9000, 150 // an hour of speech, edited here and there
		}
		timed, text, from := editScript(r, n, edits)
		got := Align(timed, text)
		if len(got) != len(from) {
			t.Fatalf("round %d: %d words aligned, want %d", round, len(got), len(from))
		}
		for j, k := range from {
			if k >= 0 && (got[j].Start != timed[k].Start || got[j].End != timed[k].End) {
				t.Fatalf("round %d (%d words, %d edits): unchanged word %q got %v-%v, want %v-%v", round, n, edits, got[j].Text, got[j].Start, got[j].End, timed[k].Start, timed[k].End)
			}
			if j > 0 && got[j].Start < got[j-1].Start {
				t.Fatalf("round %d: times go backwards at word %d (%q)", round, j, got[j].Text)
			}
		}
	}
}

// BenchmarkAlignHour aligns an hour-long transcript (9,000 words) after
// 150 scattered edits, as the Follow tab and the subtitles do after the
// person corrects a long note.
func BenchmarkAlignHour(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	timed, text, _ := editScript(r, 9000, 150)
	start := time.Now()
	for b.Loop() {
		Align(timed, text)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/align")
}

// BenchmarkTimingsHour stores the word timings of an hour of speech
// (9,000 words) as <id>.vtt is written, and reports their size beside the
// recording's (16 kHz 16-bit mono WAV, 115 MB an hour) and the time to
// make them.
func BenchmarkTimingsHour(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	timed, _, _ := editScript(r, 9000, 0)
	var buf bytes.Buffer
	start := time.Now()
	for b.Loop() {
		buf.Reset()
		if err := WriteVTT(&buf, WordCues(timed)); err != nil {
			b.Fatal(err)
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	const wavHour = 3600 * 16000 * 2
	b.ReportMetric(float64(buf.Len())/1024/60, "vtt-KB-per-audio-min")
	b.ReportMetric(100*float64(buf.Len())/wavHour, "pct-of-wav")
	b.ReportMetric(float64(per.Microseconds())/1000, "ms/write")
}
