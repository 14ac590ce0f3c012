package export

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

func note() *persistence.Note {
	return &persistence.Note{ID: "n1", Title: "Plans <for> Monday & more", CreatedAt: time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC),
		Duration: 83 * time.Second, TranscriptionStatus: persistence.StatusDone,
		Body: "We should **ship** the release.\n\n- first\n- second\n\n<script>alert(1)</script>\n"}
}

func TestHTML(t *testing.T) {
	out, err := Render(note(), "html", "/vault/recordings/n1.wav", "/vault/exports", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"<h1>Plans &lt;for&gt; Monday &amp; more</h1>", "1m23s", "<strong>ship</strong>", "<li>first</li>", `src="../recordings/n1.wav"`} {
		if !strings.Contains(s, want) {
			t.Errorf("HTML lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "<script>") {
		t.Error("raw HTML from the note was passed through")
	}
	// It parses as XML-ish HTML: every tag closed (a parse error would
	// mean a broken document).
	d := xml.NewDecoder(strings.NewReader(strings.Replace(s, "<!DOCTYPE html>", "", 1)))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("exported HTML does not parse: %v", err)
			}
			break
		}
	}
}

func TestTextAndMarkdown(t *testing.T) {
	out, _ := Render(note(), "txt", "", "", nil)
	if !strings.HasPrefix(string(out), "Plans <for> Monday & more\n") || !strings.Contains(string(out), "We should **ship**") {
		t.Errorf("txt:\n%s", out)
	}
	md, _ := Render(note(), "md", "", "", nil)
	if !strings.HasPrefix(string(md), "---\nid: n1\n") {
		t.Errorf("md:\n%s", md)
	}
	if _, err := Render(note(), "pdf", "", "", nil); err == nil || !strings.Contains(err.Error(), "md, html, txt") {
		t.Errorf("pdf: %v", err)
	}
}

// TestMarkersInExports: without word timings, the HTML export and the
// Preview's Markdown end with the markers as timestamped headings; in
// HTML each plays the audio from its moment; a label cannot inject markup.
func TestMarkersInExports(t *testing.T) {
	n := note()
	n.Markers = []persistence.Marker{{At: 75 * time.Second}, {At: 12500 * time.Millisecond, Label: "budget <b> *now*"}}
	out, err := Render(n, "html", "/vault/recordings/n 1 (b).wav", "/vault/exports", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"<h2>Markers</h2>", `<h3><a href="../recordings/n%201%20%28b%29.wav#t=12.5">⚑ 0:12 — budget &lt;b&gt; *now*</a></h3>`, `#t=75">⚑ 1:15</a>`} {
		if !strings.Contains(s, want) {
			t.Errorf("HTML lacks %q:\n%s", want, s)
		}
	}
	if strings.Index(s, "0:12") > strings.Index(s, "1:15") {
		t.Error("markers are not in the order they were dropped")
	}
	md := WithMarkers(n, n.Body, nil, nil)
	if !strings.HasSuffix(md, "## Markers\n\n### ⚑ 0:12 — budget \\<b\\> \\*now\\*\n\n### ⚑ 1:15\n") {
		t.Errorf("Preview Markdown:\n%s", md)
	}
	if WithMarkers(note(), "body", nil, nil) != "body" {
		t.Error("a note without markers got a Markers section")
	}
}

// TestMarkersWhereDropped: with word timings, each marker stands as a
// heading of its own before the first word said at or after its moment,
// in the text as the person edited it; the words around it are all kept.
func TestMarkersWhereDropped(t *testing.T) {
	timed := []timeline.Word{{Start: 0, End: 400 * time.Millisecond, Text: "first"}, {Start: 500 * time.Millisecond, End: 900 * time.Millisecond, Text: "we"},
		{Start: time.Second, End: 1400 * time.Millisecond, Text: "talked"}, {Start: 2 * time.Second, End: 2500 * time.Millisecond, Text: "budget"},
		{Start: 3 * time.Second, End: 3500 * time.Millisecond, Text: "then"}, {Start: 4 * time.Second, End: 4400 * time.Millisecond, Text: "lunch."}}
	n := &persistence.Note{ID: "n1", Markers: []persistence.Marker{
		{At: 1900 * time.Millisecond, Label: "money"}, {At: 0}, {At: 9 * time.Second, Label: "end"}, {At: 1950 * time.Millisecond}}}
	// Edited: a heading typed in, a word inserted, one changed in case.
	body := "# Meeting\nFirst we talked  about the Budget\nthen lunch.\n"
	md := WithMarkers(n, body, timed, nil)
	want := "# Meeting\n\n### ⚑ 0:00\n\nFirst we talked  about the\n\n### ⚑ 0:01 — money\n### ⚑ 0:01\n\nBudget\nthen lunch.\n\n### ⚑ 0:09 — end\n\n"
	if md != want {
		t.Errorf("markers placed as\n%q\nwant\n%q", md, want)
	}
	// Every word of the text is still there, in order.
	var got []string
	for _, l := range strings.Split(md, "\n") {
		if !strings.HasPrefix(l, "#") {
			got = append(got, strings.Fields(l)...)
		}
	}
	if strings.Join(got, " ") != "First we talked about the Budget then lunch." {
		t.Errorf("the words around the markers changed: %q", got)
	}
	out, err := Render(&persistence.Note{ID: "n1", Body: body, Markers: n.Markers}, "html", "/v/n1.wav", "/v", timed)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(out); !strings.Contains(s, "<p>First we talked  about the</p>\n<h3><a href=\"n1.wav#t=1.9\">⚑ 0:01 — money</a></h3>") || strings.Contains(s, "Markers") {
		t.Errorf("HTML:\n%s", s)
	}
}

// TestTimingsThatCannotBeRightAreRefused: a note's timings that run past
// its audio or out of order, or that an older Voice Notes made with
// PocketSphinx (every word after a pause late), are never handed out to
// be shown; timings another program wrote that fit are.
func TestTimingsThatCannotBeRightAreRefused(t *testing.T) {
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	plain := "WEBVTT\n\n00:00:00.200 --> 00:00:00.500\nhello\n\n00:00:01.000 --> 00:00:01.400\nworld\n"
	var stamped bytes.Buffer
	timeline.WriteTimings(&stamped, []timeline.Word{{Start: 200 * time.Millisecond, End: 500 * time.Millisecond, Text: "hello"}, {Start: time.Second, End: 1400 * time.Millisecond, Text: "world"}})
	for _, c := range []struct {
		name, engine, vtt string
		length            time.Duration
		ok                bool
	}{
		{"this version's", "pocketsphinx", stamped.String(), 2 * time.Second, true},
		{"another program's", "whisper-1", plain, 2 * time.Second, true},
		{"an older version's PocketSphinx timings", "pocketsphinx", plain, 2 * time.Second, false},
		{"past the audio", "whisper-1", plain, time.Second, false},
		{"out of order", "whisper-1", "WEBVTT\n\n00:00:01.000 --> 00:00:01.400\nworld\n\n00:00:00.200 --> 00:00:00.500\nhello\n", 2 * time.Second, false},
	} {
		n := v.NewNote()
		n.Engine, n.Duration, n.Body = c.engine, c.length, "hello world"
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(v.TimingsPath(n), []byte(c.vtt), 0o600); err != nil {
			t.Fatal(err)
		}
		timed, err := Timings(v, n)
		if c.ok {
			if err != nil || len(timed) != 2 || timed[1].Start != time.Second {
				t.Errorf("%s: %+v, %v", c.name, timed, err)
			}
			continue
		}
		if !errors.Is(err, timeline.ErrTimings) || timed != nil || !strings.Contains(err.Error(), "voicenotes transcribe "+n.ID) {
			t.Errorf("%s: %+v, %v; want them refused, saying how to time the note again", c.name, timed, err)
		}
		if _, err := Subtitles(n, timed, "srt"); !errors.Is(err, ErrNoTimings) {
			t.Errorf("%s: subtitles made without timings: %v", c.name, err)
		}
	}
}

// TestTextCannotMakeStructure: a transcript line that looks like a
// subtitle timing stays text in the SRT (players read it as a cue of its
// own), and a marker label with line ends stays inside its heading in
// the HTML (it broke out and made Markdown of its own).
func TestTextCannotMakeStructure(t *testing.T) {
	n := note()
	n.Body = "before\n\n00:00:09,000 --> 00:00:10,000 fake cue\n"
	timed := []timeline.Word{{Start: 0, End: time.Second, Text: "before"}, {Start: 2 * time.Second, End: 3 * time.Second, Text: "00:00:09,000"},
		{Start: 3 * time.Second, End: 4 * time.Second, Text: "-->"}, {Start: 4 * time.Second, End: 5 * time.Second, Text: "00:00:10,000"},
		{Start: 5 * time.Second, End: 6 * time.Second, Text: "fake"}, {Start: 6 * time.Second, End: 7 * time.Second, Text: "cue"}}
	srt, err := Subtitles(n, timed, "srt")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(srt), "00:00:09,000 --> 00:00:10,000") || !strings.Contains(string(srt), "fake cue") {
		t.Errorf("a timing line in the text is a cue in the SRT:\n%s", srt)
	}
	n.Body = "words\n"
	n.Markers = []persistence.Marker{{At: time.Second, Label: "point\n# Injected\n<script>x</script>"}}
	out, err := Render(n, "html", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "<h1>Injected") || strings.Contains(string(out), "<script>x") {
		t.Errorf("the label broke out of its heading:\n%s", out)
	}
}
