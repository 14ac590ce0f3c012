package cli

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// printable is text from notes, file names and servers made safe to show
// in a terminal: a control character (an escape sequence's ESC, which can
// clear the screen, set the title or write the clipboard; a carriage
// return that overwrites a line; the C1 controls) or an invalid byte is
// shown as an escape (\x1b, \u009b) rather than acted on. With keepLines,
// line ends and tabs stay; without, a line end is shown as \n, so a file
// name cannot forge a line of output.
func printable(s string, keepLines bool) string {
	safe := true
	for _, r := range s {
		if unsafeRune(r, keepLines) {
			safe = false
			break
		}
	}
	if safe && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && !keepLines:
			b.WriteString(`\n`)
		case r == '\t' && !keepLines:
			b.WriteString(`\t`)
		case unsafeRune(r, keepLines) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r, keepLines):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func unsafeRune(r rune, keepLines bool) bool {
	if keepLines && (r == '\n' || r == '\t') {
		return false
	}
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == utf8.RuneError
}
