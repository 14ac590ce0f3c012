package timeline

import (
	"sort"
	"strings"
	"time"
	"unicode"
)

// Align gives the words of text, the transcript as the person edited it,
// the times of the timed words: a word-level diff (compared without case
// or punctuation) keeps an unchanged word's time, gives inserted words
// times between their neighbours' by length, and drops deleted ones.
func Align(timed []Word, text string) []Word {
	out, _ := AlignSpoken(timed, text)
	return out
}

// AlignSpoken is Align, and tells for each word whether it was said (its
// time is the engine's) or typed since (its time is only its place
// between the spoken words around it).
func AlignSpoken(timed []Word, text string) ([]Word, []bool) {
	words := strings.Fields(text)
	if len(words) == 0 || len(timed) == 0 {
		return nil, nil
	}
	match := diff(keys(timed, func(w Word) string { return w.Text }), keys(words, func(s string) string { return s }))
	out := make([]Word, len(words))
	known := make([]bool, len(words))
	for j, i := range match {
		if i >= 0 {
			out[j] = Word{timed[i].Start, timed[i].End, words[j]}
			known[j] = true
		}
	}
	// Runs of new words take the gap between the known ones around them.
	for j := 0; j < len(words); {
		if known[j] {
			j++
			continue
		}
		k := j
		for k < len(words) && !known[k] {
			k++
		}
		from, to := timed[0].Start, timed[len(timed)-1].End
		if j > 0 {
			from = out[j-1].End
		}
		if k < len(words) {
			to = out[k].Start
		}
		if to < from {
			to = from
		}
		copy(out[j:k], spread(from, to, words[j:k]))
		j = k
	}
	return out, known
}

func keys[T any](xs []T, text func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = Key(text(x))
	}
	return out
}

// Key is a word as the aligner compares it: without case or the
// punctuation around it.
func Key(word string) string {
	return strings.ToLower(strings.TrimFunc(word, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
}

// maxCells bounds the diff's table (16 MB of cells). An hour of speech is
// about 9,000 words: past the bound, only a band around the diagonal is
// searched, wide enough for the words added or removed plus a margin, which
// finds the same words as the whole table unless an edit moved text far.
const maxCells = 4 << 20

// diff returns, for each word of b, the index of the word of a it is
// (-1 for words not in a): a longest common subsequence, after the common
// start and end are matched directly.
func diff(a, b []string) []int {
	match := make([]int, len(b))
	for j := range match {
		match[j] = -1
	}
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		match[pre] = pre
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		match[len(b)-1-suf] = len(a) - 1 - suf
		suf++
	}
	// The words as numbers, compared at each cell of the table.
	ids := map[string]int32{}
	intern := func(ws []string) []int32 {
		out := make([]int32, len(ws))
		for k, w := range ws {
			id, ok := ids[w]
			if !ok {
				id = int32(len(ids))
				ids[w] = id
			}
			out[k] = id
		}
		return out
	}
	ma, mb := intern(a[pre:len(a)-suf]), intern(b[pre:len(b)-suf])
	n, m := len(ma), len(mb)
	if n == 0 || m == 0 {
		return match
	}
	// The band: cells (i, j) with |j - i*m/n| <= half. The whole table
	// when it fits.
	half := max(n, m)
	if n*m > maxCells {
		half = max(abs(n-m)+64, maxCells/(2*n))
	}
	// Row i of the table of longest common subsequences holds the band
	// only: j in [lo(i), hi(i)]; a cell outside it is 0.
	lo := func(i int) int { return max(0, i*m/n-half) }
	hi := func(i int) int { return min(m, i*m/n+half) }
	rows := make([][]int32, n+1)
	los := make([]int, n+1)
	at := func(i, j int) int32 {
		if i > n || j < los[i] || j >= los[i]+len(rows[i]) {
			return 0
		}
		return rows[i][j-los[i]]
	}
	los[n] = lo(n)
	rows[n] = make([]int32, hi(n)-lo(n)+1)
	for i := n - 1; i >= 0; i-- {
		l, h := lo(i), hi(i)
		row := make([]int32, h-l+1)
		next, nl := rows[i+1], los[i+1]
		nh := nl + len(next) - 1
		for j := min(h, m-1); j >= l; j-- {
			var v int32
			if ma[i] == mb[j] {
				if j+1 >= nl && j+1 <= nh {
					v = next[j+1-nl]
				}
				v++
			} else {
				var down, right int32
				if j >= nl && j <= nh {
					down = next[j-nl]
				}
				if j+1 <= h {
					right = row[j+1-l]
				}
				v = max(down, right)
			}
			row[j-l] = v
		}
		rows[i], los[i] = row, l
	}
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case ma[i] == mb[j] && j >= los[i] && j < los[i]+len(rows[i]):
			match[pre+j] = pre + i
			i++
			j++
		case at(i+1, j) >= at(i, j+1):
			i++
		default:
			j++
		}
	}
	return match
}

func abs(x int) int { return max(x, -x) }

// Position is where in text the word at t is: the index of the word being
// said (for follow-along), or -1 before the first.
func Position(words []Word, t time.Duration) int {
	// Starts are in order (an engine's words, or Align's): the last word
	// started by t, found by halving.
	return sort.Search(len(words), func(i int) bool { return words[i].Start > t }) - 1
}

// Before is the index of the first word said at or after t (len(words)
// when none is): where a marker dropped at t stands in the transcript.
func Before(words []Word, t time.Duration) int {
	for i, w := range words {
		if w.Start >= t {
			return i
		}
	}
	return len(words)
}

// Match returns, for each of the words b, the index of the word of a it is
// (-1 for words not in a), comparing as Align does: without case or the
// punctuation around a word. Matches are in order (a longest common
// subsequence).
func Match(a, b []string) []int {
	id := func(s string) string { return s }
	return diff(keys(a, id), keys(b, id))
}
