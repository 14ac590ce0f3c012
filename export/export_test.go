package export

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

func note() *persistence.Note {
	return &persistence.Note{ID: "n1", Title: "Plans <for> Monday & more", CreatedAt: time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC),
		Duration: 83 * time.Second, TranscriptionStatus: persistence.StatusDone,
		Body: "We should **ship** the release.\n\n- first\n- second\n\n<script>alert(1)</script>\n"}
}

func TestHTML(t *testing.T) {
	out, err := Render(note(), "html", "/vault/recordings/n1.wav", "/vault/exports")
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
	out, _ := Render(note(), "txt", "", "")
	if !strings.HasPrefix(string(out), "Plans <for> Monday & more\n") || !strings.Contains(string(out), "We should **ship**") {
		t.Errorf("txt:\n%s", out)
	}
	md, _ := Render(note(), "md", "", "")
	if !strings.HasPrefix(string(md), "---\nid: n1\n") {
		t.Errorf("md:\n%s", md)
	}
	if _, err := Render(note(), "pdf", "", ""); err == nil || !strings.Contains(err.Error(), "md, html, txt") {
		t.Errorf("pdf: %v", err)
	}
}

// TestMarkersInExports: the HTML export and the Preview's Markdown end
// with the markers as timestamped headings; in HTML each plays the audio
// from its moment; a label cannot inject markup.
func TestMarkersInExports(t *testing.T) {
	n := note()
	n.Markers = []persistence.Marker{{At: 12500 * time.Millisecond, Label: "budget <b>"}, {At: 75 * time.Second}}
	out, err := Render(n, "html", "/vault/recordings/n1.wav", "/vault/exports")
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"<h2>Markers</h2>", `<h3><a href="../recordings/n1.wav#t=12.5">⚑ 0:12 — budget &lt;b&gt;</a></h3>`, `#t=75">⚑ 1:15</a>`} {
		if !strings.Contains(s, want) {
			t.Errorf("HTML lacks %q:\n%s", want, s)
		}
	}
	md := WithMarkers(n, n.Body)
	if !strings.HasSuffix(md, "## Markers\n\n### ⚑ 0:12 — budget <b>\n\n### ⚑ 1:15\n") {
		t.Errorf("Preview Markdown:\n%s", md)
	}
	if WithMarkers(note(), "body") != "body" {
		t.Error("a note without markers got a Markers section")
	}
}
