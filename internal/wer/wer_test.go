package wer

import (
	"math"
	"testing"
)

func TestWER(t *testing.T) {
	for _, tc := range []struct {
		ref, hyp string
		want     float64
	}{
		{"the cat sat", "the cat sat", 0},
		{"The cat, sat!", "the CAT sat", 0},
		{"the cat sat", "the cat", 1.0 / 3},
		{"the cat sat", "a cat sat on", 2.0 / 3},
		{"mister john dashwood", "mr john dashwood", 0},
		{"it's here", "its here", 0.5},
		{"", "", 0},
		{"", "noise", 1},
		{"one two three four", "", 1},
	} {
		if got := WER(tc.ref, tc.hyp); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("WER(%q, %q) = %v, want %v", tc.ref, tc.hyp, got, tc.want)
		}
	}
}
