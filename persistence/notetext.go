package persistence

import "strings"

// NoteText is text from outside (an engine's transcript, a chat model's
// answer) as a note can hold it: control characters a server may send (a
// NUL made the whole note unsavable, an escape sequence would reach a
// terminal) are left out; line ends and tabs stay, a carriage return
// becomes a line end.
func NoteText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return '\n'
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			return -1
		}
		return r
	}, s)
}
