// Package wer scores transcripts against references: word error rate
// after the normalisation common ASR scorers apply. Tests and benchmarks use it.
package wer

import (
	"strings"
	"unicode"
)

// abbreviations are spelled out before scoring, on both sides, as common
// ASR normalizers do: engines write "mr" where references say "mister".
var abbreviations = map[string]string{"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint"}

// Words normalizes text for scoring: lower case, punctuation removed
// (apostrophes inside words kept), abbreviations spelled out.
func Words(s string) []string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	}) {
		w = strings.Trim(w, "'")
		if w == "" {
			continue
		}
		if full, ok := abbreviations[w]; ok {
			w = full
		}
		words = append(words, w)
	}
	return words
}

// EditDistance is the number of word substitutions, insertions and
// deletions that turn hyp into ref.
func EditDistance(ref, hyp []string) int {
	prev := make([]int, len(hyp)+1)
	cur := make([]int, len(hyp)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ref); i++ {
		cur[0] = i
		for j := 1; j <= len(hyp); j++ {
			sub := prev[j-1]
			if ref[i-1] != hyp[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(hyp)]
}

// WER is the word error rate of hyp against ref: edits per reference word.
func WER(ref, hyp string) float64 {
	r := Words(ref)
	if len(r) == 0 {
		if len(Words(hyp)) == 0 {
			return 0
		}
		return 1
	}
	return float64(EditDistance(r, Words(hyp))) / float64(len(r))
}

// Corpus is total edits over total reference words of many pairs.
func Corpus(refs, hyps []string) float64 {
	edits, words := 0, 0
	for i := range refs {
		r := Words(refs[i])
		edits += EditDistance(r, Words(hyps[i]))
		words += len(r)
	}
	return float64(edits) / float64(words)
}
