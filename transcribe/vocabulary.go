package transcribe

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/voicenotes/voicenotes/internal/regular"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

// The vocabulary is a plain file in the vault, vocabulary.md: one word or
// phrase a line that engines should know (names, jargon), or a rule
// "wrong → right" (also "wrong -> right") for what an engine hears wrong.
// Lines starting with # and empty lines are for the person. It reaches
// every engine: an OpenAI-compatible server gets the words in its prompt;
// every transcript, of any engine, has the rules applied and the words
// put in their case ("dashwood" is written "Dashwood" when the vocabulary
// says so). Voice Notes adds a rule only when the person says so, after
// offering one it saw them make (Corrections).

// VocabularyFile is the vocabulary's name in the vault's folder.
const VocabularyFile = "vocabulary.md"

// maxVocabulary bounds the file read (a vocabulary is a few KB).
const maxVocabulary = 1 << 20

// Rule replaces what an engine heard wrong.
type Rule struct {
	Wrong, Right string
}

func (r Rule) String() string { return r.Wrong + " → " + r.Right }

// Vocabulary is the vault's vocabulary file, read.
type Vocabulary struct {
	Terms []string
	Rules []Rule
}

// VocabularyPath is where vault v keeps its vocabulary.
func VocabularyPath(v *persistence.Vault) string {
	return filepath.Join(v.Root(), VocabularyFile)
}

// LoadVocabulary reads vault v's vocabulary; none is an empty one.
func LoadVocabulary(v *persistence.Vault) (*Vocabulary, error) {
	data, err := readVocabulary(v)
	if err != nil {
		return &Vocabulary{}, err
	}
	return ParseVocabulary(string(data)), nil
}

func readVocabulary(v *persistence.Vault) ([]byte, error) {
	// Not followed if it is a link: its words go to a server in a prompt.
	path := VocabularyPath(v)
	if st, err := os.Lstat(path); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("the vocabulary %s is a link; Voice Notes does not follow links out of the vault (its words may go to a transcription server): put the file itself there", path)
	}
	f, err := regular.OpenNoFollow(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the vocabulary %s: %w", VocabularyPath(v), err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxVocabulary+1))
	if err != nil {
		return nil, fmt.Errorf("reading the vocabulary %s: %w", VocabularyPath(v), err)
	}
	if len(data) > maxVocabulary {
		return nil, fmt.Errorf("the vocabulary %s is larger than 1 MB; it is not used until it is smaller", VocabularyPath(v))
	}
	return data, nil
}

// ParseVocabulary reads a vocabulary file's text.
func ParseVocabulary(text string) *Vocabulary {
	voc := &Vocabulary{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(line, "- "), "* "))
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "<!--") {
			continue
		}
		if w, r, ok := cutArrow(line); ok {
			if w, r = strings.TrimSpace(w), strings.TrimSpace(r); w != "" && r != "" && len(strings.Fields(w)) <= 8 {
				voc.Rules = append(voc.Rules, Rule{w, r})
			}
			continue
		}
		if len(line) <= 100 {
			voc.Terms = append(voc.Terms, line)
		}
	}
	return voc
}

func cutArrow(line string) (string, string, bool) {
	for _, arrow := range []string{"→", "->", "=>"} {
		if w, r, ok := strings.Cut(line, arrow); ok {
			return w, r, true
		}
	}
	return "", "", false
}

// Empty reports whether there is nothing in it.
func (voc *Vocabulary) Empty() bool { return voc == nil || len(voc.Terms)+len(voc.Rules) == 0 }

// Prompt is the words for an engine that takes a prompt (OpenAI's
// transcription prompt: spellings to prefer), within 800 characters.
func (voc *Vocabulary) Prompt() string {
	if voc.Empty() {
		return ""
	}
	words := slices.Clone(voc.Terms)
	for _, r := range voc.Rules {
		if !slices.Contains(words, r.Right) {
			words = append(words, r.Right)
		}
	}
	var b strings.Builder
	b.WriteString("Vocabulary: ")
	for i, w := range words {
		if b.Len()+len(w)+3 > 800 {
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(w)
	}
	b.WriteString(".")
	return b.String()
}

// apply is one replacement: the words of wrong, compared without case or
// the punctuation around them, become right.
type apply struct {
	keys  []string
	right string
}

func (voc *Vocabulary) replacements() []apply {
	var out []apply
	for _, r := range voc.Rules {
		out = append(out, apply{wordKeys(strings.Fields(r.Wrong)), r.Right})
	}
	for _, t := range voc.Terms {
		out = append(out, apply{wordKeys(strings.Fields(t)), t})
	}
	// Longest first: "john dash would" before "dash would".
	slices.SortStableFunc(out, func(a, b apply) int { return len(b.keys) - len(a.keys) })
	return out
}

func wordKeys(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = key(w)
	}
	return out
}

// key is a word as the vocabulary compares it: as the aligner does.
func key(w string) string { return timeline.Key(w) }

// Apply puts the vocabulary into a transcript and its word timings: each
// rule's wrong words become its right ones, and each word or phrase is
// written as the vocabulary writes it. The punctuation around the words
// replaced stays. A run of timed words replaced becomes one timed span.
//
// With soundsLike (PocketSphinx's output), a run of words that sounds
// like a vocabulary word by the pronouncing dictionary is that word too.
func (voc *Vocabulary) Apply(res *Result, soundsLike bool) *Result {
	if voc.Empty() || res == nil {
		return res
	}
	reps := voc.replacements()
	var alikes []soundAlike
	if soundsLike {
		alikes = voc.soundAlikes()
	}
	out := *res
	out.Text = strings.Join(replaceWords(strings.Fields(res.Text), reps, alikes, nil), " ")
	if len(res.Words) > 0 {
		words := make([]string, len(res.Words))
		for i, w := range res.Words {
			words[i] = strings.TrimSpace(w.Text)
		}
		var spans []Segment
		replaceWords(words, reps, alikes, func(from, to int, text string) {
			spans = append(spans, Segment{Start: res.Words[from].Start, End: res.Words[to-1].End, Text: text})
		})
		out.Words = spans
	}
	return &out
}

// replaceWords applies reps, then alikes, to words, and calls span (when
// set) for each output word with the input words it came of.
func replaceWords(words []string, reps []apply, alikes []soundAlike, span func(from, to int, text string)) []string {
	var out []string
	for i := 0; i < len(words); {
		matched := false
		found := func(k int, right string) {
			first, last := words[i], words[i+k-1]
			lead := first[:len(first)-len(strings.TrimLeftFunc(first, notWordRune))]
			trail := last[len(strings.TrimRightFunc(last, notWordRune)):]
			text := lead + right + trail
			out = append(out, text)
			if span != nil {
				span(i, i+k, text)
			}
			i += k
			matched = true
		}
		for _, r := range reps {
			k := len(r.keys)
			if k == 0 || i+k > len(words) {
				continue
			}
			ok := true
			for j := range k {
				if key(words[i+j]) != r.keys[j] {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			found(k, r.right)
			break
		}
		if !matched && len(alikes) > 0 {
			if k, right, ok := matchSoundAlike(alikes, words, i); ok {
				found(k, right)
			}
		}
		if !matched {
			out = append(out, words[i])
			if span != nil {
				span(i, i+1, words[i])
			}
			i++
		}
	}
	return out
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// Corrections are the replacements the person made in a machine text:
// runs of one to three words the engine heard that they replaced with
// one to three others (not only their case). Voice Notes offers each to
// be remembered; it never remembers one on its own.
func Corrections(machine, edited string) []Rule {
	mw, ew := strings.Fields(machine), strings.Fields(edited)
	match := timeline.Match(mw, ew)
	// at[i]: the edited word machine word i is, or -1.
	at := make([]int, len(mw))
	for i := range at {
		at[i] = -1
	}
	for j, i := range match {
		if i >= 0 {
			at[i] = j
		}
	}
	var out []Rule
	prevM, prevE := -1, -1
	flush := func(nextM, nextE int) {
		removed, added := mw[prevM+1:nextM], ew[prevE+1:nextE]
		if len(removed) == 0 || len(added) == 0 || len(removed) > 3 || len(added) > 3 {
			return
		}
		r := Rule{Wrong: strings.Join(wordKeys(removed), " "), Right: strings.TrimFunc(strings.Join(added, " "), notWordRune)}
		if r.Right == "" || strings.TrimSpace(r.Wrong) == "" || strings.EqualFold(r.Wrong, r.Right) {
			return
		}
		for _, w := range added {
			if strings.HasPrefix(w, "#") || strings.ContainsAny(w, "⟦⟧‖") {
				return // a tag or a conflict mark is not a correction
			}
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	for i, j := range at {
		if j < 0 {
			continue
		}
		flush(i, j)
		prevM, prevE = i, j
	}
	flush(len(mw), len(ew))
	return out
}

// Knows reports whether the vocabulary already has rule r (or one that
// makes the same words right).
func (voc *Vocabulary) Knows(r Rule) bool {
	for _, x := range voc.Rules {
		if strings.EqualFold(x.Wrong, r.Wrong) && x.Right == r.Right {
			return true
		}
	}
	return false
}

// Remember adds rule r to vault v's vocabulary file (atomically; made
// when there is none), unless it is there.
func Remember(v *persistence.Vault, r Rule) error {
	data, err := readVocabulary(v)
	if err != nil {
		return err
	}
	if ParseVocabulary(string(data)).Knows(r) {
		return nil
	}
	text := string(data)
	if text == "" {
		text = VocabularyHeader
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return SaveVocabulary(v, text+r.String()+"\n")
}

// VocabularyHeader begins a vocabulary file Voice Notes makes.
const VocabularyHeader = "# Vocabulary\n\n" +
	"# Words and phrases for Voice Notes' engines to know, one a line, or a rule\n" +
	"# \"heard → meant\" for what they hear wrong. Lines starting with # are notes.\n\n"

// SaveVocabulary replaces vault v's vocabulary file with text.
func SaveVocabulary(v *persistence.Vault, text string) error {
	if len(text) > maxVocabulary {
		return fmt.Errorf("the vocabulary is larger than 1 MB; it was not saved")
	}
	if err := persistence.WriteFile(v.FS(), VocabularyPath(v), []byte(text), persistence.FilePerm); err != nil {
		return fmt.Errorf("saving the vocabulary %s: %w", VocabularyPath(v), err)
	}
	return nil
}

// ReadVocabularyText is the vocabulary file's text ("" when there is none).
func ReadVocabularyText(v *persistence.Vault) (string, error) {
	data, err := readVocabulary(v)
	return string(data), err
}
