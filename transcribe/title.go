package transcribe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// titleMax is about how long a title made from a transcript may be.
const titleMax = 60

// fillers are words people say while thinking; a title leaves them out.
var fillers = map[string]bool{"um": true, "umm": true, "uh": true, "uhm": true, "er": true, "erm": true,
	"ah": true, "hmm": true, "mm": true, "so": true, "like": true, "well": true, "okay": true, "ok": true}

// TitleFrom makes a title from a transcript: its first clause, without
// fillers, at most about 60 characters, cut at a word, with a capital
// first letter. It returns "" when the transcript has no words.
func TitleFrom(text string) string {
	var words []string
	n := 0
	for _, w := range strings.Fields(text) {
		ends := strings.ContainsAny(w[len(w)-1:], ".!?;:")
		if bare := strings.ToLower(strings.TrimFunc(w, unicode.IsPunct)); bare == "" || fillers[bare] {
			if ends && len(words) > 0 {
				break
			}
			continue
		}
		if n+len(w)+1 > titleMax && len(words) > 0 {
			break
		}
		words = append(words, w)
		n += len(w) + 1
		if ends {
			break // the first clause
		}
	}
	title := strings.TrimRightFunc(strings.Join(words, " "), func(r rune) bool { return unicode.IsPunct(r) && r != ')' && r != '"' })
	if title == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(title)
	return string(unicode.ToUpper(r)) + title[size:]
}
