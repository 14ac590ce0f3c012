package ui

import (
	"image/color"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/persistence"
)

// rowText is what row i of the list shows: heading (if any), title,
// snippet and meta, one per line, and the highlighted parts.
func rowText(t *testing.T, w *Window, i int) (text string, marked []string) {
	t.Helper()
	r := newNoteRow()
	w.fillRow(r, i)
	var lines []string
	if r.heading.Visible() {
		lines = append(lines, "["+r.heading.Text+"]")
	}
	for _, rt := range []*widget.RichText{r.title, r.snippet} {
		var b strings.Builder
		for _, s := range rt.Segments {
			ts := s.(*widget.TextSegment)
			b.WriteString(ts.Text)
			if ts.Style.ColorName == theme.ColorNamePrimary {
				marked = append(marked, ts.Text)
			}
		}
		lines = append(lines, b.String())
	}
	lines = append(lines, r.meta.Text)
	return strings.Join(lines, "\n"), marked
}

// TestListRows: each row has the title, a line of the transcript, when,
// how long, the state and the tags; rows are grouped under Today,
// Yesterday, This week and months, with a fixed clock.
func TestListRows(t *testing.T) {
	w, v := newTestWindow(t, nil)
	now := time.Date(2026, 12, 10, 15, 0, 0, 0, time.Local)
	w.now = func() time.Time { return now }
	add := func(title, body string, at time.Time, status persistence.Status, tags ...string) {
		n := v.NewNote()
		n.Title, n.Body, n.TranscriptionStatus, n.Tags = title, body, status, tags
		n.Timestamp, n.CreatedAt, n.Duration = at, at, 83*time.Second
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
	}
	add("Call the plumber", "Call the plumber about the leak.\nAlso the boiler.", now.Add(-time.Hour), persistence.StatusDone, "todo", "home")
	add("Queued one", "", now.Add(-2*time.Hour), persistence.StatusUnprocessed)
	add("Yesterday's idea", "An app that names notes.", now.AddDate(0, 0, -1), persistence.StatusDone, "idea")
	add("Failed one", "", now.AddDate(0, 0, -3), persistence.StatusFailed)
	add("Last month", "Budget review with the team.", time.Date(2026, 11, 3, 9, 0, 0, 0, time.Local), persistence.StatusDone)
	add("Last year", "Old words.", time.Date(2025, 6, 1, 9, 0, 0, 0, time.Local), persistence.StatusDone)
	w.Reload()
	want := []string{
		"[Today]\nCall the plumber\nCall the plumber about the leak.\n14:00 · 1:23 · #todo #home",
		"Queued one\nNo transcript yet\n13:00 · 1:23 · queued",
		"[Yesterday]\nYesterday's idea\nAn app that names notes.\n15:00 · 1:23 · #idea",
		"[This week]\nFailed one\nNo transcript yet\nMon 15:00 · 1:23 · transcription failed: Transcribe again",
		"[November]\nLast month\nBudget review with the team.\n3 Nov 2026 · 1:23",
		"[June 2025]\nLast year\nOld words.\n1 Jun 2025 · 1:23",
	}
	if len(w.shown) != len(want) {
		t.Fatalf("%d rows, want %d", len(w.shown), len(want))
	}
	for i, wnt := range want {
		if got, _ := rowText(t, w, i); got != wnt {
			t.Errorf("row %d:\n%s\nwant:\n%s", i, got, wnt)
		}
	}

	// Search: a word in the transcript shows the line around it, marked;
	// the headings follow the rows shown.
	test.Type(w.search, "boiler")
	if len(w.shown) != 1 {
		t.Fatalf("search boiler: %d rows", len(w.shown))
	}
	got, marked := rowText(t, w, 0)
	if !strings.Contains(got, "[Today]") || !strings.Contains(got, "Also the boiler.") || len(marked) != 1 || marked[0] != "boiler" {
		t.Errorf("search boiler: row\n%s\nmarked %q", got, marked)
	}
	// A tag: by word, or as #tag, which only tags match.
	w.search.SetText("")
	test.Type(w.search, "#idea")
	if len(w.shown) != 1 || w.shown[0].Title != "Yesterday's idea" {
		t.Errorf("#idea shows %d rows", len(w.shown))
	}
	w.search.SetText("#home plumber")
	if len(w.shown) != 1 {
		t.Errorf("#home plumber shows %d rows", len(w.shown))
	}
	w.search.SetText("#plumber") // a word, not a tag
	if len(w.shown) != 0 {
		t.Errorf("#plumber (no such tag) shows %d rows", len(w.shown))
	}
}

// TestTagEditing: tags are added by typing and Enter, removed with the ✕
// or Backspace in the empty field, saved as Obsidian's list; a tag that
// cannot be one is refused with the reason; a chip's name filters.
func TestTagEditing(t *testing.T) {
	w, v := newTestWindow(t, nil)
	n := addNote(t, v, "Tag me", "words")
	w.Reload()
	w.list.Select(0)
	w.win.Canvas().Focus(w.tagField)
	test.Type(w.tagField, "#work/meetings")
	w.tagField.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(w.tagField, "idea")
	w.tagField.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(w.tagField, "two words")
	w.tagField.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !strings.Contains(w.status.Text, "not allowed in a tag") || w.tagField.Text != "two words" {
		t.Errorf("a bad tag: status %q, field %q", w.status.Text, w.tagField.Text)
	}
	w.tagField.SetText("")
	eventually(t, "the tags saved", func() bool {
		got, _ := v.Note(n.ID)
		return strings.Join(got.Tags, ",") == "work/meetings,idea"
	})
	if len(w.tagChips.Objects) != 2 {
		t.Fatalf("%d chips, want 2", len(w.tagChips.Objects))
	}
	// Backspace in the empty field removes the last; the ✕ removes one.
	w.tagField.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	eventually(t, "idea removed", func() bool {
		got, _ := v.Note(n.ID)
		return strings.Join(got.Tags, ",") == "work/meetings"
	})
	chip := w.tagChips.Objects[0].(*fyne.Container)
	test.Tap(chip.Objects[0].(*widget.Button)) // the name: filter
	if w.search.Text != "#work/meetings" || len(w.shown) != 1 {
		t.Errorf("tapping the chip's name: search %q, %d shown", w.search.Text, len(w.shown))
	}
	test.Tap(chip.Objects[1].(*widget.Button)) // the ✕
	eventually(t, "the last tag removed", func() bool {
		got, _ := v.Note(n.ID)
		return len(got.Tags) == 0
	})
}

// TestEmptyVault: a new vault says how to start and where the files
// live; the first note takes the message away.
func TestEmptyVault(t *testing.T) {
	w, v := newTestWindow(t, nil)
	if !w.empty.Visible() || !strings.Contains(w.emptyWhere.Text, v.RecordingsPath()) {
		t.Fatalf("empty vault: shown %v, %q", w.empty.Visible(), w.emptyWhere.Text)
	}
	addNote(t, v, "First", "words")
	w.Reload()
	if w.empty.Visible() {
		t.Error("the first-run message stays over a note")
	}
}

// TestWaveformIsVisibleInBothThemes: the unplayed waveform stands 3:1
// against the background (WCAG's contrast for graphics) in the light and
// the dark theme.
func TestWaveformIsVisibleInBothThemes(t *testing.T) {
	th := theme.DefaultTheme()
	lum := func(c color.Color) float64 {
		r, g, b, _ := c.RGBA()
		lin := func(x uint32) float64 {
			s := float64(x) / 0xffff
			if s <= 0.03928 {
				return s / 12.92
			}
			return math.Pow((s+0.055)/1.055, 2.4)
		}
		return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	}
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		a, b := lum(unplayedColor(th, v)), lum(th.Color(theme.ColorNameBackground, v))
		if ratio := (max(a, b) + 0.05) / (min(a, b) + 0.05); ratio < 3 {
			t.Errorf("variant %v: the unplayed waveform is %.1f:1 against the background, want 3:1", v, ratio)
		}
	}
}
