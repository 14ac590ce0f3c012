// Package export renders a note for use outside the vault: HTML (through
// goldmark, with title, date, duration and a link to the audio), plain
// text, or the Markdown file itself.
package export

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

// Formats are the export formats, as given to --format.
var Formats = []string{"md", "html", "txt"}

// Render renders n in format. audioPath (may be "") is linked from HTML,
// relative to outDir when both are known.
func Render(n *persistence.Note, format, audioPath, outDir string) ([]byte, error) {
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
		return renderHTML(n, audioPath, outDir)
	}
	return nil, fmt.Errorf("unknown export format %q: choose one of %s", format, strings.Join(Formats, ", "))
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

func renderHTML(n *persistence.Note, audioPath, outDir string) ([]byte, error) {
	var body bytes.Buffer
	if err := md.Convert([]byte(n.Body), &body); err != nil {
		return nil, fmt.Errorf("rendering note %s: %w", n.ID, err)
	}
	var b bytes.Buffer
	t := html.EscapeString(title(n))
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n", html.EscapeString(lang(n)), t)
	b.WriteString("<style>body{font-family:system-ui,sans-serif;max-width:42em;margin:2em auto;padding:0 1em;line-height:1.5}header p{color:#555}</style>\n</head>\n<body>\n")
	fmt.Fprintf(&b, "<header>\n<h1>%s</h1>\n<p>%s</p>\n", t, html.EscapeString(header(n)))
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
		fmt.Fprintf(&b, "<p><audio controls src=\"%s\"></audio> <a href=\"%s\">%s</a></p>\n", html.EscapeString(u.String()), html.EscapeString(u.String()), html.EscapeString(filepath.Base(audioPath)))
	}
	b.WriteString("</header>\n<main>\n")
	b.Write(body.Bytes())
	if len(n.Markers) > 0 {
		// Each marker a heading with its time, which plays the audio
		// from there (a media fragment) when the audio is beside.
		b.WriteString("<section>\n<h2>Markers</h2>\n")
		for _, m := range n.Markers {
			text := html.EscapeString(MarkerHeading(m))
			if audioHref != "" {
				fmt.Fprintf(&b, "<h3><a href=\"%s#t=%s\">%s</a></h3>\n", html.EscapeString(audioHref), strconv.FormatFloat(m.At.Seconds(), 'f', -1, 64), text)
			} else {
				fmt.Fprintf(&b, "<h3>%s</h3>\n", text)
			}
		}
		b.WriteString("</section>\n")
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	return b.Bytes(), nil
}

// MarkerHeading is how a marker reads as a heading: its time, its label.
func MarkerHeading(m persistence.Marker) string {
	h := "⚑ " + audio.FormatDuration(m.At.Truncate(time.Second)) // 12.5 s is 0:12, as players show it
	if m.Label != "" {
		h += " — " + m.Label
	}
	return h
}

// WithMarkers is a note's Markdown body with its markers after it, as
// timestamped headings (for the window's Preview).
func WithMarkers(n *persistence.Note, body string) string {
	if len(n.Markers) == 0 {
		return body
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(body, "\n"))
	b.WriteString("\n\n## Markers\n")
	for _, m := range n.Markers {
		b.WriteString("\n### " + MarkerHeading(m) + "\n")
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

// Subtitles renders n's transcript as timed subtitles (srt or vtt): the
// stored word timings (WebVTT, nil when the note has none) aligned with
// the transcript as it reads now, so edits made since are in them, cut
// as subtitles are (at most 7 s and two lines of 42 characters a cue).
func Subtitles(n *persistence.Note, timings io.Reader, format string) ([]byte, error) {
	if timings == nil {
		return nil, fmt.Errorf("%w (it was transcribed before Voice Notes kept them, or by an engine that gives none); transcribe it again to get them: voicenotes transcribe %s", ErrNoTimings, n.ID)
	}
	cues, err := timeline.ParseVTT(timings)
	if err != nil {
		return nil, fmt.Errorf("reading the word timings of %s: %w", n.ID, err)
	}
	// Headings (a later transcript's, typed ones) are not speech.
	var spoken []string
	for _, l := range strings.Split(n.Body, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			spoken = append(spoken, l)
		}
	}
	words := timeline.Align(timeline.Words(cues), strings.Join(spoken, "\n"))
	if len(words) == 0 {
		return nil, fmt.Errorf("note %s has no transcript to make subtitles of", n.ID)
	}
	var b bytes.Buffer
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
