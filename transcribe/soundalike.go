package transcribe

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"sync"
)

// Sound-alikes: PocketSphinx hears a name it rarely expects as common
// words that sound like it ("Dashwood" as "dash would"). Its
// pronouncing dictionary says how each word sounds, so a run of one to
// three heard words that sound like a vocabulary word (its phones within
// one edit in five) is that word. Only for PocketSphinx, whose dictionary
// this is; other engines get the words in their prompt.

// dictPath is the pronouncing dictionary's path, "" when this build has
// none (set by the PocketSphinx engine).
var dictPath = func() string { return "" }

var (
	pronOnce sync.Once
	pron     map[string][]string
)

// pronunciations reads the dictionary once: a word's first pronunciation.
func pronunciations() map[string][]string {
	pronOnce.Do(func() {
		path := dictPath()
		if path == "" {
			return
		}
		f, err := os.Open(path)
		if err != nil {
			return
		}
		defer f.Close()
		pron = make(map[string][]string, 140000)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 2 || strings.Contains(fields[0], "(") {
				continue // an alternative pronunciation: word(2)
			}
			pron[fields[0]] = fields[1:]
		}
	})
	return pron
}

// phonesOf is how the words sound, or nil when one is not in the dictionary.
func phonesOf(dict map[string][]string, words []string) []string {
	var out []string
	for _, w := range words {
		p, ok := dict[key(w)]
		if !ok {
			return nil
		}
		out = append(out, p...)
	}
	return out
}

// soundAlike is a vocabulary word and how it sounds.
type soundAlike struct {
	phones []string
	right  string
	keys   []string
}

// soundAlikes are the vocabulary's words (and rules' right sides) the
// dictionary can say, of four phones or more.
func (voc *Vocabulary) soundAlikes() []soundAlike {
	dict := pronunciations()
	if dict == nil {
		return nil
	}
	var out []soundAlike
	seen := map[string]bool{}
	add := func(term string) {
		if seen[term] {
			return
		}
		seen[term] = true
		words := strings.Fields(term)
		if p := phonesOf(dict, words); len(p) >= 4 {
			out = append(out, soundAlike{p, term, wordKeys(words)})
		}
	}
	for _, t := range voc.Terms {
		add(t)
	}
	for _, r := range voc.Rules {
		add(r.Right)
	}
	return out
}

// matchSoundAlike finds a vocabulary word that words[i:i+k] sound like.
func matchSoundAlike(alikes []soundAlike, words []string, i int) (int, string, bool) {
	dict := pronunciations()
	for _, a := range alikes {
		for k := 1; k <= 3 && i+k <= len(words); k++ {
			if slices.Equal(wordKeys(words[i:i+k]), a.keys) {
				break // already the word
			}
			p := phonesOf(dict, words[i:i+k])
			if p == nil || abs(len(p)-len(a.phones)) > len(a.phones)/5 {
				continue
			}
			if editDistance(p, a.phones) <= len(a.phones)/5 {
				return k, a.right, true
			}
		}
	}
	return 0, "", false
}

// editDistance is the Levenshtein distance between two phone strings.
func editDistance(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
