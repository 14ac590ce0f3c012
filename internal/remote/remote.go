// Package remote holds what every client of an OpenAI-compatible server
// shares (transcription, transformations): the base URL as it may be
// typed, where a redirect may go, keys taken out of whatever a server
// sends back, and how its errors and Retry-After are read.
package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ParseBaseURL checks a base URL: http(s), and plain http only to this
// computer, because what is sent (a voice, a note) is private. what
// names that in the error ("your voice"); example is a URL to suggest.
func ParseBaseURL(s, what, example string) (*url.URL, error) {
	if s == "" {
		return nil, fmt.Errorf("a base URL is needed, such as %s", example)
	}
	u, err := url.Parse(strings.TrimRight(s, "/"))
	shown := RedactURL(s) // what the person typed, less any secret in it
	if err == nil && u.User != nil {
		return nil, fmt.Errorf("base URL %q holds a user name or password; give the key in the API key field (it is kept in the system keychain), not in the address", shown)
	}
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("base URL %q is not an http(s) URL such as %s", shown, example)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return nil, fmt.Errorf("base URL %q sends %s unencrypted; use https, or http only to this computer (localhost)", shown, what)
	}
	return u, nil
}

// IsLoopback reports whether host is this computer.
func IsLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ErrRedirect marks a redirect the client refused to follow.
var ErrRedirect = errors.New("redirect refused")

// Client is an HTTP client that follows a redirect only to the same
// host and port, never from https to http, and to plain http only on
// this computer: what (audio, a note) and the API key go only where the
// person pointed them.
func Client(what string) *http.Client {
	return &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		from := via[0].URL
		switch {
		case len(via) >= 5:
			return fmt.Errorf("%w: more than 5 redirects", ErrRedirect)
		case req.URL.Host != from.Host:
			return fmt.Errorf("%w: the server at %s sent the request on to %s; %s is only sent to the server in Settings", ErrRedirect, from.Host, req.URL.Host, what)
		case from.Scheme == "https" && req.URL.Scheme != "https":
			return fmt.Errorf("%w: the server at %s redirected from https to plain http", ErrRedirect, from.Host)
		case req.URL.Scheme == "http" && !IsLoopback(req.URL.Hostname()):
			return fmt.Errorf("%w: plain http to %s would send %s unencrypted", ErrRedirect, req.URL.Host, what)
		}
		return nil
	}}
}

// Redact removes the API key, and any bearer token or credential in a
// URL, from text a server sent back: an error that echoes the key must
// not reach a note, the screen or the log.
func Redact(s, key string) string {
	if len(key) >= 4 {
		s = strings.ReplaceAll(s, key, "[API key]")
	}
	s = bearerRE.ReplaceAllString(s, "${1}[redacted]")
	// A key given in the address (?key=..., &api_key=..., as some
	// servers take it) is a secret too, wherever a URL is quoted.
	return RedactURL(s)
}

// RedactURL is a URL, or text quoting one, without the values of its
// query or the password of its user.
func RedactURL(s string) string {
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

// RedactedError is an error whose text went through Redact; errors.Is
// and errors.As still see the cause.
type RedactedError struct {
	Msg string
	Err error
}

func (e *RedactedError) Error() string { return e.Msg }

func (e *RedactedError) Unwrap() error { return e.Err }

// Clip is s cut to at most n bytes, at a character, marked when cut.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// ErrorMessage digs the message out of an OpenAI-style error body.
func ErrorMessage(data []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
		return e.Error.Message
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// RetryAfter parses a Retry-After header: seconds or an HTTP date.
func RetryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(0, time.Until(t))
	}
	return 0
}

// Sleep waits d, or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// APIError is an answer a server gave that no retry will change: its
// status, its own words (without any key) and what to do.
type APIError struct {
	Server  string // who answered, as the message names it
	Status  int
	Message string
	Advice  string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s answered %d", e.Server, e.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Advice != "" {
		msg += " (" + e.Advice + ")"
	}
	return msg
}
