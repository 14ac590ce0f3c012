package transcribe

import (
	"regexp"
	"strings"
)

// redact removes the API key, and any bearer token, from text a server
// sent back: an error that echoes the key must not reach a note, the
// screen or the log.
func (o *OpenAI) redact(s string) string {
	if len(o.key) >= 4 {
		s = strings.ReplaceAll(s, o.key, "[API key]")
	}
	s = bearerRE.ReplaceAllString(s, "${1}[redacted]")
	// A key given in the address (?key=..., &api_key=..., as some
	// servers take it) is a secret too, wherever a URL is quoted.
	return redactURL(s)
}

// redactURL is a URL, or text quoting one, without the values of its
// query or the password of its user.
func redactURL(s string) string {
	s = queryValueRE.ReplaceAllString(s, "${1}[redacted]")
	return userinfoRE.ReplaceAllString(s, "${1}[redacted]@")
}

var (
	bearerRE = regexp.MustCompile(`(?i)(bearer\s+)[^\s"',;]+`)
	// queryValueRE finds the values of a URL's query: every one may be a
	// credential (key, token, sig, code...), and none is needed to read
	// an error.
	queryValueRE = regexp.MustCompile(`([?&][^=\s&#"']+=)[^\s&#"']+`)
	// userinfoRE finds a password in a URL (https://user:secret@host).
	userinfoRE = regexp.MustCompile(`(://[^/\s:@"']+:)[^@\s/"']+@`)
)

// redactedError is an error whose text went through redact; errors.Is and
// errors.As still see the cause.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Unwrap() error { return e.err }
