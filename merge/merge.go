// Package merge carries a person's edits onto a new machine transcript: a
// three-way merge of words. Base is the machine text the person started
// from, mine the note as they edited it, theirs the new machine text.
//
// The words of mine and of theirs are each aligned with base (the
// timeline's aligner: no case, no punctuation around a word). A base word
// both kept is a fixed point; between fixed points each base word is kept
// only if both kept it, and the words each side inserted before a base
// word are merged there:
//
//   - only one side inserted: its words;
//   - both inserted the same words: the person's form of them;
//   - the person only added words after a word they kept (a typed
//     sentence, a #tag) while the engine replaced words there: the
//     engine's words, then the person's;
//   - the engine only added words after a word it kept while the person
//     replaced words there: the person's words, then the engine's;
//   - otherwise (the person and the engine changed the same words
//     differently) a conflict, written into the text where it stands as
//     ⟦yours: … ‖ new: …⟧ so that nothing is dropped and any editor shows
//     it; the window offers to resolve each one.
//
// The person's whitespace (paragraphs, line breaks) and their form of a
// kept word (case, punctuation they changed) stay; a word they did not
// touch takes the new engine's form.
package merge

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/voicenotes/voicenotes/timeline"
)

// Conflict is a place where the person and the new transcript changed the
// same words differently.
type Conflict struct {
	Mine, Theirs string
}

// Result is a merged text.
type Result struct {
	Text      string
	Conflicts []Conflict
}

// Conflict markers in a merged text.
const (
	Open  = "⟦yours: "
	Sep   = " ‖ new: "
	Close = "⟧"
)

// token is a word with the whitespace before it.
type token struct{ sep, word string }

// tokens splits s into words, each with the whitespace before it; the
// whitespace after the last word is returned apart.
func tokens(s string) ([]token, string) {
	var out []token
	for {
		i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			return out, s
		}
		sep := s[:i]
		s = s[i:]
		j := strings.IndexFunc(s, unicode.IsSpace)
		if j < 0 {
			j = len(s)
		}
		out = append(out, token{sep, s[:j]})
		s = s[j:]
	}
}

func words(ts []token) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.word
	}
	return out
}

// side is one text aligned with base: for each base word the index of the
// token that is it (-1: removed), and the tokens inserted before each base
// word (gap i is before base word i; gap len(base) is the end).
type side struct {
	toks []token
	at   []int     // base word -> token, or -1
	ins  [][]token // gap -> tokens inserted there
}

func align(base []string, toks []token) side {
	match := timeline.Match(base, words(toks))
	s := side{toks: toks, at: make([]int, len(base)), ins: make([][]token, len(base)+1)}
	for i := range s.at {
		s.at[i] = -1
	}
	for j, i := range match {
		if i >= 0 {
			s.at[i] = j
		}
	}
	// An inserted token belongs to the gap before the next kept base word.
	next := 0
	for j, i := range match {
		if i >= 0 {
			next = i + 1
			continue
		}
		g := next
		for g < len(base) && s.at[g] < 0 {
			g++
		}
		s.ins[g] = append(s.ins[g], toks[j])
	}
	return s
}

// touched treats a base word the person changed the form of (case,
// punctuation) and the new transcript changed as one the person replaced,
// so that the two changes meet as a conflict instead of the person's
// being dropped.
func (s side) touched(base []string, other side) {
	for i, j := range s.at {
		if j < 0 || other.at[i] >= 0 || s.toks[j].word == base[i] {
			continue
		}
		s.at[i] = -1
		g := i + 1
		for g < len(base) && s.at[g] < 0 {
			g++
		}
		moved := append(append(s.ins[i], s.toks[j]), s.ins[g]...)
		s.ins[i], s.ins[g] = nil, moved
	}
}

// kept reports whether this side kept base word i (i < 0: the start,
// which every side keeps).
func (s side) kept(i int) bool { return i < 0 || s.at[i] >= 0 }

// Words merges: base is the machine text the person started from, mine
// the note as it is, theirs the new machine text.
func Words(base, mine, theirs string) Result {
	b, _ := tokens(base)
	mt, tail := tokens(mine)
	tt, _ := tokens(theirs)
	bw := words(b)
	m, t := align(bw, mt), align(bw, tt)
	m.touched(bw, t)

	var out strings.Builder
	var res Result
	first := true
	pending := "" // a paragraph break of the person's whose word went
	emit := func(sep, word string) {
		switch {
		case first:
			sep = leading(mt)
		case pending != "" && !strings.Contains(sep, "\n"):
			sep = pending
		case sep == "":
			sep = " "
		}
		pending = ""
		first = false
		out.WriteString(sep)
		out.WriteString(word)
	}
	emitMine := func(ts []token) {
		for _, x := range ts {
			emit(x.sep, x.word)
		}
	}
	emitTheirs := func(ts []token) {
		for _, x := range ts {
			emit(" ", x.word)
		}
	}
	stable := func(i int) bool { return m.at[i] >= 0 && t.at[i] >= 0 }
	word := func(g int) {
		mj, tj := m.at[g], t.at[g]
		switch {
		case mj >= 0 && tj >= 0:
			word := mt[mj].word
			if word == bw[g] {
				word = tt[tj].word // untouched: the new engine's form
			}
			emit(mt[mj].sep, word)
		case mj >= 0 && strings.Contains(mt[mj].sep, "\n") && !first:
			pending = mt[mj].sep
		}
	}
	for g := 0; g <= len(bw); g++ {
		if g == 0 || stable(g-1) {
			// A stretch between two words both kept, where the new
			// transcript has every word the person typed in it (their
			// correction, anchored elsewhere than the engine's) and none
			// they deleted: the engine's words, in the person's form.
			q := g
			for q < len(bw) && !stable(q) {
				q++
			}
			if ts, ok := agreed(bw, m, t, g, q); ok {
				for _, x := range ts {
					emit(x.sep, x.word)
				}
				if q == len(bw) {
					break
				}
				word(q)
				g = q
				continue
			}
		}
		mi, ti := m.ins[g], t.ins[g]
		switch {
		case len(mi) == 0:
			emitTheirs(ti)
		case len(ti) == 0:
			emitMine(mi)
		case same(mi, ti):
			emitMine(mi)
		case m.kept(g-1) && (!t.kept(g-1) || strings.Contains(mi[0].sep, "\n")):
			// The person added words after one they kept (or began a
			// line of their own); the engine replaced that word or
			// added its own.
			emitTheirs(ti)
			emitMine(mi)
		case t.kept(g-1) && !m.kept(g-1):
			emitMine(mi)
			emitTheirs(ti)
		default:
			c := Conflict{Mine: join(mi), Theirs: join(ti)}
			res.Conflicts = append(res.Conflicts, c)
			emit(mi[0].sep, Open+c.Mine+Sep+c.Theirs+Close)
		}
		if g == len(bw) {
			break
		}
		word(g)
	}
	if first {
		// Nothing came of it: what the person has stays.
		if strings.TrimSpace(mine) == "" {
			return Result{Text: theirs}
		}
		return Result{Text: mine}
	}
	out.WriteString(tail)
	res.Text = out.String()
	return res
}

// agreed returns the stretch of base words [g, q) (none of them kept by
// both sides) as the new transcript has it, when it has every word the
// person inserted there and none the person deleted; the person's
// inserted words in their form.
func agreed(bw []string, m, t side, g, q int) ([]token, bool) {
	var mi []token
	for i := g; i <= q; i++ {
		mi = append(mi, m.ins[i]...)
	}
	if len(mi) == 0 {
		return nil, false
	}
	for i := g; i < q; i++ {
		if m.at[i] < 0 && t.at[i] >= 0 {
			return nil, false // the person deleted a word the engine kept
		}
	}
	from, to := 0, len(t.toks)
	if g > 0 {
		from = t.at[g-1] + 1
	}
	if q < len(bw) {
		to = t.at[q]
	}
	ts := slices.Clone(t.toks[from:to])
	match := timeline.Match(words(ts), words(mi))
	for _, k := range match {
		if k < 0 {
			return nil, false
		}
	}
	for k := range ts {
		ts[k].sep = " "
	}
	for j, k := range match {
		ts[k].word = mi[j].word
		if strings.Contains(mi[j].sep, "\n") {
			ts[k].sep = mi[j].sep
		}
	}
	return ts, true
}

func leading(ts []token) string {
	if len(ts) == 0 {
		return ""
	}
	return ts[0].sep
}

// same reports whether two runs are the same words, compared as the
// aligner compares them.
func same(a, b []token) bool {
	return slices.EqualFunc(a, b, func(x, y token) bool { return timeline.Key(x.word) == timeline.Key(y.word) })
}

func join(ts []token) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			if strings.Contains(t.sep, "\n") {
				b.WriteString(t.sep)
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(t.word)
	}
	return b.String()
}

var conflictRE = regexp.MustCompile(`(?s)⟦yours: (.*?) ‖ new: (.*?)⟧`)

// Place is a conflict as it stands in a text.
type Place struct {
	Start, End int // byte offsets of the whole marker
	Conflict
}

// Find returns the conflict markers in text, in order.
func Find(text string) []Place {
	var out []Place
	for _, m := range conflictRE.FindAllStringSubmatchIndex(text, -1) {
		out = append(out, Place{m[0], m[1], Conflict{text[m[2]:m[3]], text[m[4]:m[5]]}})
	}
	return out
}

// Resolve replaces the conflict marker at p in text with one side:
// yours (true) or the new transcript's.
func Resolve(text string, p Place, yours bool) string {
	with := p.Theirs
	if yours {
		with = p.Mine
	}
	return text[:p.Start] + with + text[p.End:]
}

// Kept is the share of base's words that mine still has (1 when base has
// none): below a half, the person rewrote the text rather than corrected
// it, and a merge would scatter the new transcript's words through theirs.
func Kept(base, mine string) float64 {
	b := strings.Fields(base)
	if len(b) == 0 {
		return 1
	}
	kept := 0
	for _, i := range timeline.Match(b, strings.Fields(mine)) {
		if i >= 0 {
			kept++
		}
	}
	return float64(kept) / float64(len(b))
}
