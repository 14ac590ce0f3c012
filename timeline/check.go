package timeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// Slack is how far past the audio's stated length a word may end: a
// length is stored to the millisecond and an engine rounds to its frame.
const Slack = 50 * time.Millisecond

// ErrTimings means a set of word timings does not fit its audio.
var ErrTimings = errors.New("the word timings do not fit the audio")

// Check holds timings to what every reader of them relies on: each word
// starts at or after zero and after the word before it, ends no earlier
// than it starts, and, when length (the audio's) is known, ends within it.
// Timings that fail it are wrong somewhere, and a wrong time is worse
// than none: a player jumps to silence, a subtitle runs past the film.
func Check(words []Word, length time.Duration) error {
	var prev time.Duration
	for i, w := range words {
		switch {
		case w.Start < 0 || w.End < w.Start:
			return fmt.Errorf("%w: word %d (%q) runs from %s to %s", ErrTimings, i+1, w.Text, w.Start, w.End)
		case w.Start < prev:
			return fmt.Errorf("%w: word %d (%q) starts at %s, before the word ahead of it (%s)", ErrTimings, i+1, w.Text, w.Start, prev)
		case length > 0 && w.End > length+Slack:
			return fmt.Errorf("%w: word %d (%q) ends at %s, after the audio's end (%s)", ErrTimings, i+1, w.Text, w.End, length)
		}
		prev = w.Start
	}
	return nil
}

// CheckCues is Check for stored cues (a cue a word, or subtitles): in
// order, not overlapping, inside the audio.
func CheckCues(cues []Cue, length time.Duration) error {
	var prevEnd time.Duration
	for i, c := range cues {
		switch {
		case c.Start < 0 || c.End < c.Start:
			return fmt.Errorf("%w: cue %d (%q) runs from %s to %s", ErrTimings, i+1, c.Text, c.Start, c.End)
		case c.Start < prevEnd:
			return fmt.Errorf("%w: cue %d (%q) starts at %s, before the cue ahead of it ends (%s)", ErrTimings, i+1, c.Text, c.Start, prevEnd)
		case length > 0 && c.End > length+Slack:
			return fmt.Errorf("%w: cue %d (%q) ends at %s, after the audio's end (%s)", ErrTimings, i+1, c.Text, c.End, length)
		}
		prevEnd = c.End
	}
	return nil
}

// stampNote marks a timings file this version wrote: its times are from
// the start of the audio. A PocketSphinx file without it was made by an
// earlier version, which added each utterance's start to times already
// counted from the start of the audio.
const stampNote = "NOTE voicenotes word timings 2: seconds from the start of the audio"

// WriteTimings stores timed words as WebVTT, a cue a word (WordCues),
// stamped as made by this version.
func WriteTimings(w io.Writer, words []Word) error {
	if _, err := io.WriteString(w, "WEBVTT\n\n"+stampNote+"\n"); err != nil {
		return err
	}
	return writeCues(w, WordCues(words))
}

// ReadTimings reads a timings file: its cues, and whether this version
// wrote it (its stamp).
func ReadTimings(r io.Reader) (cues []Cue, stamped bool, err error) {
	sr := &stampReader{r: r}
	cues, err = ParseVTT(sr)
	return cues, sr.stamped, err
}

// stampReader passes a file through and looks for the stamp in its first
// bytes.
type stampReader struct {
	r       io.Reader
	head    []byte
	stamped bool
}

func (s *stampReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if limit := len(stampNote) + 64; len(s.head) < limit {
		s.head = append(s.head, p[:min(n, limit-len(s.head))]...)
		s.stamped = bytes.Contains(s.head, []byte("\n"+stampNote+"\n"))
	}
	return n, err
}
