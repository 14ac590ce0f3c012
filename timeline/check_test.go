package timeline

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	good := []Word{{ms(100), ms(400), "one"}, {ms(400), ms(400), "two"}, {ms(900), ms(2000), "three"}}
	if err := Check(good, 2*time.Second); err != nil {
		t.Errorf("good timings refused: %v", err)
	}
	if err := Check(good, 0); err != nil {
		t.Errorf("good timings refused when the length is unknown: %v", err)
	}
	for _, c := range []struct {
		name  string
		words []Word
		why   string
	}{
		{"past the end", []Word{{ms(100), ms(400), "one"}, {ms(1900), ms(2100), "late"}}, `("late") ends at 2.1s, after the audio's end (2s)`},
		{"out of order", []Word{{ms(900), ms(1000), "one"}, {ms(100), ms(200), "two"}}, `("two") starts at 100ms, before`},
		{"negative", []Word{{ms(-5), ms(200), "one"}}, `("one") runs from -5ms`},
		{"backwards", []Word{{ms(500), ms(200), "one"}}, `("one") runs from 500ms to 200ms`},
	} {
		err := Check(c.words, 2*time.Second)
		if !errors.Is(err, ErrTimings) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: %v, want an ErrTimings saying %s", c.name, err, c.why)
		}
	}
	cues := []Cue{{ms(0), ms(500), "a"}, {ms(400), ms(900), "b"}}
	if err := CheckCues(cues, time.Second); !errors.Is(err, ErrTimings) {
		t.Errorf("overlapping cues: %v", err)
	}
	if err := CheckCues(cues[:1], ms(400)); !errors.Is(err, ErrTimings) {
		t.Errorf("a cue past the audio: %v", err)
	}
	if err := CheckCues(cues[:1], ms(460)); err != nil {
		t.Errorf("a cue within the slack of the audio's end: %v", err)
	}
}

// TestTimingsStamp: what WriteTimings stores reads back as the same words
// with its stamp; a file another program (or an older version) wrote
// reads the same way without it.
func TestTimingsStamp(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	words := []Word{{ms(150), ms(360), "and"}, {ms(370), ms(620), "mister"}}
	var b bytes.Buffer
	if err := WriteTimings(&b, words); err != nil {
		t.Fatal(err)
	}
	cues, stamped, err := ReadTimings(bytes.NewReader(b.Bytes()))
	if err != nil || !stamped || len(cues) != 2 || cues[1].Start != ms(370) || cues[1].Text != "mister" {
		t.Fatalf("read back %+v, stamped %v, %v:\n%s", cues, stamped, err, b.Bytes())
	}
	var plain bytes.Buffer
	WriteVTT(&plain, WordCues(words))
	cues2, stamped, err := ReadTimings(&oneByte{plain.Bytes()})
	if err != nil || stamped || len(cues2) != 2 {
		t.Errorf("an unstamped file: %+v, stamped %v, %v", cues2, stamped, err)
	}
	// The stamp is found however the reader hands the bytes over.
	if _, stamped, _ := ReadTimings(&oneByte{b.Bytes()}); !stamped {
		t.Error("the stamp was missed when read a byte at a time")
	}
}

type oneByte struct{ b []byte }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(o.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:1], o.b)
	o.b = o.b[n:]
	return n, nil
}

// TestParseVTTHostile: a cue whose text is one line of 2 MB (another
// program's paragraph) is read (a line limit refused the whole file);
// an hour past any recording, or minutes of 60, is not a timestamp (it
// overflowed and was written back as -1849262:-48:-35,-609).
func TestParseVTTHostile(t *testing.T) {
	long := strings.Repeat("word ", 400000)
	cues, err := ParseVTT(strings.NewReader("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + long + "\n\n00:00:03.000 --> 00:00:04.000\nend"))
	if err != nil || len(cues) != 2 || len(cues[0].Text) != len(long) || cues[1].Text != "end" {
		t.Errorf("a 2 MB cue line: %d cues, %v", len(cues), err)
	}
	for _, stamp := range []string{"9999999999999:00:00.000", "00:60:00.000", "00:00:60.000"} {
		if _, err := ParseVTT(strings.NewReader("WEBVTT\n\n" + stamp + " --> 00:00:02.000\nx\n")); err == nil {
			t.Errorf("%s read as a timestamp", stamp)
		}
	}
}

// TestWordCuesLinear: a server that times all of 300,000 words at 0 s
// (one cue) is stored with work linear in the words: the bytes it
// allocates for ten times the words are well under a hundred times as
// many (joining the cue's text as words came copied it for each word:
// quadratic, 47 s for 300,000 words). Bytes, not seconds: deterministic
// on a shared machine.
func TestWordCuesLinear(t *testing.T) {
	at0 := func(n int) []Word {
		ws := make([]Word, n)
		for i := range ws {
			ws[i] = Word{Text: "word"}
		}
		return ws
	}
	allocated := func(n int) uint64 {
		ws := at0(n)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c := WordCues(ws)
		runtime.ReadMemStats(&after)
		if len(c) != 1 || len(c[0].Text) != 5*n-1 {
			t.Fatalf("%d words at 0: %d cues", n, len(c))
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := allocated(30000), allocated(300000)
	if large > 20*small {
		t.Errorf("10x the words allocated %d bytes against %d: not linear", large, small)
	}
}
