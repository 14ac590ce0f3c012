// Package export renders a note for use outside the vault: HTML (through
// goldmark, with title, date, duration and a link to the audio), plain
// text, or the Markdown file itself.
package export

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

// Formats are the export formats, as given to --format.
var Formats = []string{"md", "html", "txt"}

// Render renders n in format. audioPath (may be "") is linked from HTML,
// relative to outDir when both are known; timed (may be nil) are the
// note's word timings, which put its markers where they were dropped.
func Render(n *persistence.Note, format, audioPath, outDir string, timed []timeline.Word) ([]byte, error) {
	switch format {
	case "md":
		return n.Marshal()
	case "txt":
		var b strings.Builder
		b.WriteString(title(n) + "\n")
		b.WriteString(header(n) + "\n\n")
		b.WriteString(strings.TrimSpace(n.Body) + "\n")
		return []byte(b.String()), nil
	case "html":
		return renderHTML(n, audioPath, outDir, timed)
	}
	return nil, fmt.Errorf("unknown export format %q: choose one of %s", format, strings.Join(Formats, ", "))
}

// Timings reads n's word timings (<id>.vtt); nil when it has none.
// Timings that cannot be right are refused with an error wrapping
// timeline.ErrTimings, never returned: a word past the audio's end or
// out of order, or a PocketSphinx file made before this version, which
// put every word after the first pause late. What only needs them for
// markers (HTML, the Preview) goes on without them.
func Timings(v *persistence.Vault, n *persistence.Note) ([]timeline.Word, error) {
	f, err := persistence.OpenRegular(v.FS(), v.TimingsPath(n))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the word timings of %s: %w", n.ID, err)
	}
	defer f.Close()
	cues, stamped, err := timeline.ReadTimings(f)
	if err != nil {
		return nil, fmt.Errorf("reading the word timings of %s: %w", n.ID, err)
	}
	if !stamped && n.Engine == "pocketsphinx" {
		return nil, fmt.Errorf("%w: note %s was timed by an older Voice Notes, which put the words after a pause too late; transcribe it again to time it: voicenotes transcribe %s", timeline.ErrTimings, n.ID, n.ID)
	}
	if err := timeline.CheckCues(cues, n.Duration); err != nil {
		return nil, fmt.Errorf("%w in %s; transcribe the note again to time it: voicenotes transcribe %s", err, filepath.Base(v.TimingsPath(n)), n.ID)
	}
	return timeline.Words(cues), nil
}

func title(n *persistence.Note) string {
	if t := strings.TrimSpace(n.Title); t != "" {
		return t
	}
	return "Voice note of " + n.CreatedAt.Local().Format("2 January 2006 15:04")
}

func header(n *persistence.Note) string {
	parts := []string{}
	if !n.CreatedAt.IsZero() {
		parts = append(parts, n.CreatedAt.Local().Format("Monday 2 January 2006, 15:04"))
	}
	if n.Duration > 0 {
		parts = append(parts, n.Duration.Round(time.Second).String())
	}
	return strings.Join(parts, " · ")
}

var md = goldmark.New(goldmark.WithExtensions(extension.GFM)) // raw HTML in notes is escaped (goldmark's default)

func renderHTML(n *persistence.Note, audioPath, outDir string, timed []timeline.Word) ([]byte, error) {
	audioHref := ""
	if audioPath != "" {
		href := audioPath
		if outDir != "" {
			if rel, err := filepath.Rel(outDir, audioPath); err == nil {
				href = rel
			}
		}
		u := url.URL{Path: filepath.ToSlash(href)}
		audioHref = u.String()
	}
	// Each marker a heading with its time, which plays the audio from
	// there (a media fragment) when the audio is beside.
	link := func(m persistence.Marker) string {
		if audioHref == "" {
			return ""
		}
		return audioHref + "#t=" + strconv.FormatFloat(m.At.Seconds(), 'f', -1, 64)
	}
	var body bytes.Buffer
	if err := md.Convert([]byte(WithMarkers(n, n.Body, timed, link)), &body); err != nil {
		return nil, fmt.Errorf("rendering note %s: %w", n.ID, err)
	}
	var b bytes.Buffer
	t := html.EscapeString(title(n))
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n", html.EscapeString(lang(n)), t)
	b.WriteString("<style>body{font-family:system-ui,sans-serif;max-width:42em;margin:2em auto;padding:0 1em;line-height:1.5}header p{color:#555}</style>\n</head>\n<body>\n")
	fmt.Fprintf(&b, "<header>\n<h1>%s</h1>\n<p>%s</p>\n", t, html.EscapeString(header(n)))
	if audioHref != "" {
		fmt.Fprintf(&b, "<p><audio controls src=\"%s\"></audio> <a href=\"%s\">%s</a></p>\n", html.EscapeString(audioHref), html.EscapeString(audioHref), html.EscapeString(filepath.Base(audioPath)))
	}
	b.WriteString("</header>\n<main>\n")
	b.Write(body.Bytes())
	b.WriteString("</main>\n</body>\n</html>\n")
	return b.Bytes(), nil
}

// MarkerHeading is how a marker reads as a heading: its time, its label.
func MarkerHeading(m persistence.Marker) string {
	h := "⚑ " + audio.FormatDuration(m.At.Truncate(time.Second)) // 12.5 s is 0:12, as players show it
	// A heading is one line: a label's line ends (from another program)
	// would end it and start Markdown of their own.
	if label := strings.Join(strings.Fields(m.Label), " "); label != "" {
		h += " — " + label
	}
	return h
}

// WithMarkers is a Markdown body with n's markers in it as timestamped
// headings: each before the first word said at or after its moment when
// the note has word timings (timed, aligned with body as it reads now),
// else in a "Markers" section after the text. link (may be nil) makes a
// heading's link target; "" leaves it plain. A label is escaped, so it
// reads as typed and cannot become markup.
func WithMarkers(n *persistence.Note, body string, timed []timeline.Word, link func(persistence.Marker) string) string {
	if len(n.Markers) == 0 {
		return body
	}
	markers := slices.Clone(n.Markers)
	slices.SortStableFunc(markers, func(a, b persistence.Marker) int { return cmp.Compare(a.At, b.At) })
	heading := func(level string, m persistence.Marker) string {
		text := escapeMarkdown(MarkerHeading(m))
		if link != nil {
			if href := link(m); href != "" {
				text = "[" + text + "](<" + href + ">)"
			}
		}
		return level + " " + text + "\n"
	}
	spoken, at := spokenWords(body)
	words := timeline.Align(timed, strings.Join(spoken, " "))
	if len(words) != len(spoken) || len(words) == 0 {
		var b strings.Builder
		b.WriteString(strings.TrimRight(body, "\n"))
		b.WriteString("\n\n## Markers\n")
		for _, m := range markers {
			b.WriteString("\n" + heading("###", m))
		}
		return b.String()
	}
	var b strings.Builder
	from := 0
	for len(markers) > 0 {
		i := timeline.Before(words, markers[0].At)
		var group []persistence.Marker
		for len(markers) > 0 && timeline.Before(words, markers[0].At) == i {
			group, markers = append(group, markers[0]), markers[1:]
		}
		if i == len(words) {
			b.WriteString(strings.TrimRight(body[from:], "\n"))
			from = len(body)
			b.WriteString("\n")
		} else {
			// The heading takes a line of its own: the text before it
			// ends its line, the text after starts the next one.
			off := at[i]
			before := strings.TrimRight(body[from:off], " \t")
			b.WriteString(before)
			if before != "" && !strings.HasSuffix(before, "\n") {
				b.WriteString("\n")
			}
			from = off
		}
		if s := b.String(); s != "" && !strings.HasSuffix(s, "\n\n") {
			b.WriteString("\n")
		}
		for _, m := range group {
			b.WriteString(heading("###", m))
		}
		b.WriteString("\n")
	}
	b.WriteString(body[from:])
	return b.String()
}

// spokenWords are the words of body outside its heading lines (a later
// transcript's heading, a typed one: not speech), with the byte offset
// of each.
func spokenWords(body string) (words []string, at []int) {
	line := 0
	for line < len(body) {
		end := strings.IndexByte(body[line:], '\n')
		if end < 0 {
			end = len(body)
		} else {
			end += line
		}
		if l := body[line:end]; !strings.HasPrefix(strings.TrimSpace(l), "#") {
			for i := 0; i < len(l); {
				r, size := utf8.DecodeRuneInString(l[i:])
				if unicode.IsSpace(r) {
					i += size
					continue
				}
				j := i
				for j < len(l) {
					r, size := utf8.DecodeRuneInString(l[j:])
					if unicode.IsSpace(r) {
						break
					}
					j += size
				}
				words, at = append(words, l[i:j]), append(at, line+i)
				i = j
			}
		}
		line = end + 1
	}
	return words, at
}

// escapeMarkdown backslash-escapes what Markdown could read as markup in
// s (CommonMark allows the backslash before any ASCII punctuation), so s
// reads as plain text.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()<>#+-.!|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func lang(n *persistence.Note) string {
	if n.Language != "" {
		return n.Language
	}
	return "en"
}

// SubtitleFormats are the formats made from a note's word timings.
var SubtitleFormats = []string{"srt", "vtt"}

// ErrNoTimings means a note has no word timings to make subtitles from.
var ErrNoTimings = errors.New("this note has no word timings")

// Subtitles renders n's transcript as timed subtitles (srt or vtt): its
// stored word timings (nil when it has none; see Timings) aligned with
// the transcript as it reads now, so edits made since are in them, cut
// as subtitles are (at most 7 s and two lines of 42 characters a cue).
func Subtitles(n *persistence.Note, timed []timeline.Word, format string) ([]byte, error) {
	if len(timed) == 0 {
		return nil, fmt.Errorf("%w (it was transcribed before Voice Notes kept them, or by an engine that gives none); transcribe it again to get them: voicenotes transcribe %s", ErrNoTimings, n.ID)
	}
	spoken, _ := spokenWords(n.Body)
	words := timeline.Align(timed, strings.Join(spoken, " "))
	if len(words) == 0 {
		return nil, fmt.Errorf("note %s has no transcript to make subtitles of", n.ID)
	}
	var b bytes.Buffer
	var err error
	switch format {
	case "srt":
		err = timeline.WriteSRT(&b, timeline.Cues(words))
	case "vtt":
		err = timeline.WriteVTT(&b, timeline.Cues(words))
	default:
		return nil, fmt.Errorf("unknown subtitle format %q: choose srt or vtt", format)
	}
	return b.Bytes(), err
}
