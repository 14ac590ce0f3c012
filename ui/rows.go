package ui

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/persistence"
)

// A row of the note list: a group heading when the row starts a group
// (Today, Yesterday, This week, then months), the title, a line of the
// transcript (around the search match, if the match is in it), and the
// date, length, state and tags. What the search matched is highlighted.

// noteRow is the row template's parts.
type noteRow struct {
	box     *fyne.Container
	heading *widget.Label
	title   *widget.RichText
	snippet *widget.RichText
	meta    *widget.Label
}

func newNoteRow() *noteRow {
	r := &noteRow{heading: widget.NewLabel(""), title: widget.NewRichText(), snippet: widget.NewRichText(), meta: widget.NewLabel("")}
	r.heading.TextStyle.Bold = true
	r.heading.Importance = widget.HighImportance
	r.heading.Hide()
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.snippet.Truncation = fyne.TextTruncateEllipsis
	r.meta.Truncation = fyne.TextTruncateEllipsis
	r.box = container.New(rowLayout{}, r.heading, r.title, r.snippet, r.meta)
	return r
}

// rowLayout stacks a row's lines as the lines of one item, not as fields
// each padded as a form's: a label keeps the theme's inner padding (8
// units) above and below its text, transparent, and a column of them
// spaced 4 apart fitted about 4.5 notes in a 700-pixel list. The lines
// overlap that padding, leaving rowGap between texts and the full padding
// at the row's top and bottom. (A theme override with less padding did
// the same and cost a second of CPU a minute at idle with 10k notes.)
type rowLayout struct{}

// rowGap is the room between two lines' texts.
const rowGap = 4

// overlap is how much of two neighbouring lines' padding is shared.
func (rowLayout) overlap() float32 { return 2*theme.InnerPadding() - rowGap }

func (l rowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h - l.overlap()
	}
}

func (l rowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var w, h float32
	n := 0
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		w, h = max(w, m.Width), h+m.Height
		n++
	}
	if n > 1 {
		h -= float32(n-1) * l.overlap()
	}
	return fyne.NewSize(w, h)
}

// rowOf is the row a list item shows, from its box's parts (Fyne makes a
// row each time it refreshes the list, to measure one: rows are not kept
// in a map, which grew by one at every refresh).
func rowOf(box *fyne.Container) *noteRow {
	o := box.Objects
	return &noteRow{box: box, heading: o[0].(*widget.Label), title: o[1].(*widget.RichText), snippet: o[2].(*widget.RichText), meta: o[3].(*widget.Label)}
}

// group is the heading a note's day falls under, seen from now.
func group(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	day := func(x time.Time) time.Time { y, m, d := x.Date(); return time.Date(y, m, d, 0, 0, 0, 0, time.Local) }
	today := day(now)
	switch d := day(t); {
	case !d.Before(today):
		return "Today" // and the future: a clock that was ahead
	case !d.Before(today.AddDate(0, 0, -1)):
		return "Yesterday"
	case !d.Before(today.AddDate(0, 0, -6)):
		return "This week"
	case t.Year() == now.Year():
		return t.Format("January")
	default:
		return t.Format("January 2006")
	}
}

// highlighted is text as rich-text segments, the terms' occurrences
// (case-blind) in the theme's primary colour and bold.
func highlighted(text string, terms []string, bold bool) []widget.RichTextSegment {
	plain := func(s string) *widget.TextSegment {
		return &widget.TextSegment{Text: s, Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: bold}}}
	}
	lower := strings.ToLower(text)
	if len(lower) != len(text) { // a case change that changes lengths: no highlight
		return []widget.RichTextSegment{plain(text)}
	}
	var segs []widget.RichTextSegment
	pos := 0
	for pos < len(text) {
		at, length := -1, 0
		for _, t := range terms {
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			if i := strings.Index(lower[pos:], t); i >= 0 && (at < 0 || pos+i < at) {
				at, length = pos+i, len(t)
			}
		}
		if at < 0 {
			break
		}
		if at > pos {
			segs = append(segs, plain(text[pos:at]))
		}
		segs = append(segs, &widget.TextSegment{Text: text[at : at+length], Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePrimary, TextStyle: fyne.TextStyle{Bold: true}}})
		pos = at + length
	}
	if pos < len(text) || len(segs) == 0 {
		segs = append(segs, plain(text[pos:]))
	}
	return segs
}

// snippet is the line of the transcript a row shows: around the first
// match of a term if the transcript holds one, else its first line.
func snippet(body string, terms []string) string {
	body = strings.TrimSpace(body)
	if body == "" {
		return ""
	}
	lower := strings.ToLower(body)
	for _, t := range terms {
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if i := strings.Index(lower, t); i >= 0 && len(lower) == len(body) {
			start := max(0, i-30)
			for start > 0 && !utf8.RuneStart(body[start]) {
				start--
			}
			if start > 0 { // begin at a word
				if sp := strings.IndexByte(body[start:i], ' '); sp >= 0 {
					start += sp + 1
				}
			}
			s := oneLine(clip(body[start:]))
			if start > 0 {
				s = "…" + s
			}
			return s
		}
	}
	first, _, _ := strings.Cut(body, "\n")
	return oneLine(clip(first))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// rowChars is the most of a text a row hands to the text shaper: a row is
// far narrower, and shaping a whole paragraph to find where to cut it
// made each keystroke of a search take several frames.
const rowChars = 120

// clip cuts s to rowChars characters (the row ellipsises what it cannot
// show).
func clip(s string) string {
	if len(s) <= rowChars {
		return s
	}
	n := 0
	for i := range s {
		if n == rowChars {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// tagText is a note's tags as a row shows them.
func tagText(n *persistence.Note) string {
	var b strings.Builder
	for i, t := range n.Tags {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "#%s", strings.TrimPrefix(strings.TrimSpace(t), "#"))
	}
	return b.String()
}
