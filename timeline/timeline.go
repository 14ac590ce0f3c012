// Package timeline is when each word of a transcript was said: made from
// what an engine reports, stored beside the audio as WebVTT (<id>.vtt,
// which any player and Obsidian's media plugins read), aligned with the
// transcript as the person edited it, and cut into subtitles (SRT, WebVTT)
// as subtitle conventions expect.
package timeline

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Word is one timed word.
type Word struct {
	Start, End time.Duration
	Text       string
}

// Cue is one timed piece of text.
type Cue struct {
	Start, End time.Duration
	Text       string
}

// Span is a stretch of a transcript an engine timed: a word or a segment,
// in seconds.
type Span struct {
	Start, End float64
	Text       string
}

// FromEngine makes the timed words of a transcript: the engine's word
// times when it gave them, else its segments' times spread over their
// words by length. Fillers and silences an engine marks (<sil>, [NOISE],
// (um)) are left out.
func FromEngine(words, segments []Span) []Word {
	var out []Word
	sec := func(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }
	if len(words) > 0 {
		for _, w := range words {
			if t := strings.TrimSpace(w.Text); t != "" && !marker(t) && w.End >= w.Start {
				out = append(out, Word{sec(w.Start), sec(w.End), t})
			}
		}
		return out
	}
	for _, s := range segments {
		out = append(out, spread(sec(s.Start), sec(s.End), strings.Fields(s.Text))...)
	}
	return out
}

// marker reports an engine's mark for something that is not a word.
func marker(t string) bool {
	return strings.HasPrefix(t, "<") && strings.HasSuffix(t, ">") || strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") ||
		strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") && !strings.Contains(t, " ")
}

// spread gives words the times between start and end in proportion to
// their length.
func spread(start, end time.Duration, words []string) []Word {
	total := 0
	for _, w := range words {
		total += len(w) + 1
	}
	var out []Word
	at, cum := start, 0
	for _, w := range words {
		cum += len(w) + 1
		next := start + (end-start)*time.Duration(cum)/time.Duration(max(total, 1))
		out = append(out, Word{at, next, w})
		at = next
	}
	return out
}

// Words spreads cues back into timed words.
func Words(cues []Cue) []Word {
	var out []Word
	for _, c := range cues {
		out = append(out, spread(c.Start, c.End, strings.Fields(c.Text))...)
	}
	return out
}

// Limits of a cue, as subtitle conventions have them.
const (
	MaxCue      = 7 * time.Second
	MaxLine     = 42 // characters a line
	pauseBreaks = 700 * time.Millisecond
)

// Cues groups timed words into cues: at most MaxCue long and two lines of
// MaxLine characters, ending at a sentence's end or a pause where one can.
func Cues(words []Word) []Cue {
	var out []Cue
	var cur []Word
	fits := func(ws []Word) bool {
		n := len(ws) - 1 // the spaces between
		for _, w := range ws {
			n += utf8.RuneCountInString(w.Text)
		}
		if n <= MaxLine {
			return true // one line: no need to find the best split
		}
		for _, l := range strings.Split(lines(ws), "\n") {
			if len([]rune(l)) > MaxLine {
				return false
			}
		}
		return true
	}
	flush := func() {
		if len(cur) == 0 {
			return
		}
		out = append(out, Cue{cur[0].Start, cur[len(cur)-1].End, lines(cur)})
		cur = nil
	}
	for i, w := range words {
		if len(cur) > 0 && (w.End-cur[0].Start > MaxCue || !fits(append(cur[:len(cur):len(cur)], w))) {
			flush()
		}
		cur = append(cur, w)
		end := strings.ContainsAny(w.Text[len(w.Text)-1:], ".?!")
		pause := i+1 < len(words) && words[i+1].Start-w.End >= pauseBreaks
		if end || pause {
			flush()
		}
	}
	flush()
	return out
}

// WordCues is how timings are stored: a cue a word, so each word keeps
// the time the engine gave it to the millisecond. Cues never overlap and
// never end before they start: a word that starts with the one before it,
// or takes no time, shares that word's cue; a word still sounding when
// the next starts ends there.
func WordCues(words []Word) []Cue {
	var out []Cue
	// The words of each cue, joined once it is complete: a server that
	// times every word at 0 puts them all in one cue, and joining as they
	// come would copy the text so far for each word (quadratic).
	var texts [][]string
	for _, w := range words {
		n := len(out)
		if n > 0 && (w.Start <= out[n-1].Start || w.End <= w.Start && w.Start <= out[n-1].End) {
			texts[n-1] = append(texts[n-1], w.Text)
			out[n-1].End = max(out[n-1].End, w.End)
			continue
		}
		if n > 0 && out[n-1].End > w.Start {
			out[n-1].End = w.Start
		}
		out = append(out, Cue{Start: w.Start, End: max(w.End, w.Start)})
		texts = append(texts, []string{w.Text})
	}
	for i := range out {
		out[i].Text = strings.Join(texts[i], " ")
	}
	// A first word that takes no time: a millisecond, or one cue with the
	// next.
	for i := 0; i < len(out); i++ {
		if out[i].End > out[i].Start {
			continue
		}
		if i+1 < len(out) && out[i+1].Start <= out[i].Start+time.Millisecond {
			out[i+1].Text, out[i+1].Start = out[i].Text+" "+out[i+1].Text, out[i].Start
			out = append(out[:i], out[i+1:]...)
			i--
			continue
		}
		out[i].End = out[i].Start + time.Millisecond
	}
	return out
}

// lines is the words as one line, or two balanced ones when they pass
// MaxLine.
func lines(ws []Word) string {
	var texts []string
	for _, w := range ws {
		texts = append(texts, w.Text)
	}
	one := strings.Join(texts, " ")
	if len([]rune(one)) <= MaxLine {
		return one
	}
	best, bestDiff := 1, math.MaxInt
	for i := 1; i < len(texts); i++ {
		a, b := len([]rune(strings.Join(texts[:i], " "))), len([]rune(strings.Join(texts[i:], " ")))
		if d := max(a, b); d < bestDiff {
			best, bestDiff = i, d
		}
	}
	return strings.Join(texts[:best], " ") + "\n" + strings.Join(texts[best:], " ")
}

func stamp(d time.Duration, sep string) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d%s%03d", ms/3600000, ms/60000%60, ms/1000%60, sep, ms%1000)
}

// WriteVTT writes cues as WebVTT.
func WriteVTT(w io.Writer, cues []Cue) error {
	if _, err := io.WriteString(w, "WEBVTT\n"); err != nil {
		return err
	}
	return writeCues(w, cues)
}

// writeCues writes the cue blocks of a WebVTT file, each after a blank
// line.
func writeCues(w io.Writer, cues []Cue) error {
	b := bufio.NewWriter(w)
	for _, c := range cues {
		fmt.Fprintf(b, "\n%s --> %s\n%s\n", stamp(c.Start, "."), stamp(c.End, "."), strings.ReplaceAll(escapeVTT(c.Text), "\n\n", "\n"))
	}
	return b.Flush()
}

// The replacers are made once: building one per cue was most of the
// time an hour's subtitles took.
var (
	vttEscaper   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "-->", "--&gt;")
	vttUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

func escapeVTT(s string) string { return vttEscaper.Replace(s) }

// srtText is a cue's text as SubRip can hold it: SubRip has no escapes,
// and players take a line holding "-->" for a new cue's timing (a
// transcript saying "00:00:09,000 --> 00:00:10,000 fake cue" made one),
// so the arrow is written with a space in it; a blank line would end the
// cue, so there are none.
func srtText(s string) string {
	s = strings.ReplaceAll(s, "-->", "-- >")
	for strings.Contains(s, "\n\n") {
		s = strings.ReplaceAll(s, "\n\n", "\n")
	}
	return s
}

// WriteSRT writes cues as SubRip.
func WriteSRT(w io.Writer, cues []Cue) error {
	b := bufio.NewWriter(w)
	for i, c := range cues {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(b, "%d\n%s --> %s\n%s\n", i+1, stamp(c.Start, ","), stamp(c.End, ","), srtText(c.Text))
	}
	return b.Flush()
}

// ParseVTT reads the cues of a WebVTT file (settings, notes, styles and
// cue identifiers are skipped).
func ParseVTT(r io.Reader) ([]Cue, error) {
	// Lines are read whole, however long (another program may put a
	// paragraph on one): a scanner's token limit refused such files.
	br := bufio.NewReader(r)
	next := func() (string, bool, error) {
		l, err := br.ReadString('\n')
		if err == io.EOF {
			return l, l != "", nil
		}
		return l, err == nil, err
	}
	first, ok, err := next()
	if err != nil {
		return nil, err
	}
	if !ok || !strings.HasPrefix(strings.TrimPrefix(first, "\ufeff"), "WEBVTT") {
		return nil, fmt.Errorf("not a WebVTT file: it does not start with WEBVTT")
	}
	var cues []Cue
	var cur *Cue
	line := 1
	for {
		text, ok, err := next()
		if err != nil {
			return cues, err
		}
		if !ok {
			break
		}
		line++
		l := strings.TrimRight(text, "\r\n")
		switch {
		case l == "":
			cur = nil
		case cur != nil:
			if cur.Text != "" {
				cur.Text += "\n"
			}
			cur.Text += unescapeVTT(l)
		case strings.Contains(l, "-->"):
			from, to, _ := strings.Cut(l, "-->")
			fields := strings.Fields(to)
			if len(fields) == 0 {
				return nil, fmt.Errorf("line %d: a cue timing without an end", line)
			}
			s, err1 := parseStamp(strings.TrimSpace(from))
			e, err2 := parseStamp(fields[0])
			if err1 != nil || err2 != nil || e < s {
				return nil, fmt.Errorf("line %d: %q is not a cue timing (hh:mm:ss.ttt --> hh:mm:ss.ttt)", line, l)
			}
			cues = append(cues, Cue{Start: s, End: e})
			cur = &cues[len(cues)-1]
		}
	}
	return cues, nil
}

func unescapeVTT(s string) string { return vttUnescaper.Replace(s) }

// maxStampUnits bounds a timestamp's leading field: a hundred thousand
// hours.
const maxStampUnits = 100000

// parseStamp reads mm:ss.ttt or hh:mm:ss.ttt.
func parseStamp(s string) (time.Duration, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("bad timestamp %q", s)
	}
	secPart := parts[len(parts)-1]
	whole, frac, ok := strings.Cut(secPart, ".")
	if !ok || len(frac) != 3 {
		return 0, fmt.Errorf("bad timestamp %q", s)
	}
	var d time.Duration
	for i, p := range append(parts[:len(parts)-1], whole) {
		n, err := strconv.Atoi(p)
		// Minutes and seconds under 60 after hours, as WebVTT has them;
		// hours (or leading minutes) bounded far from where a Duration
		// overflows (which wrote -1849262:-48:-35 for a garbled hour).
		if err != nil || n < 0 || i > 0 && n >= 60 || n > maxStampUnits {
			return 0, fmt.Errorf("bad timestamp %q", s)
		}
		d = d*60 + time.Duration(n)*time.Second
	}
	ms, err := strconv.Atoi(frac)
	if err != nil {
		return 0, fmt.Errorf("bad timestamp %q", s)
	}
	return d + time.Duration(ms)*time.Millisecond, nil
}
