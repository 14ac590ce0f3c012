package ui

import (
	"fmt"
	"slices"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/export"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

// Follow along: a note with word timings gets a "Follow" tab that shows
// its transcript, as edited, word by word. While the audio plays the word
// being said is marked; tapping a word plays from it; the pointer on a
// word shows when it was said. ←/→ skip 5 s and Ctrl+←/→ go to the
// previous or next sentence while no text field has the keyboard.

// maxFollowWords bounds the words laid out one by one (an hour of speech
// would be ten thousand widgets); a longer note has no Follow tab.
const maxFollowWords = 4000

// wordChip is one timed word: tappable, hoverable, markable.
type wordChip struct {
	widget.BaseWidget
	word  timeline.Word
	text  *canvas.Text
	bg    *canvas.Rectangle
	tap   func(timeline.Word)
	hover func(timeline.Word, bool)
}

func newWordChip(word timeline.Word, tap func(timeline.Word), hover func(timeline.Word, bool)) *wordChip {
	c := &wordChip{word: word, tap: tap, hover: hover,
		text: canvas.NewText(word.Text, theme.Color(theme.ColorNameForeground)),
		bg:   canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))}
	c.text.TextSize = theme.TextSize()
	c.bg.Hide()
	c.ExtendBaseWidget(c)
	return c
}

func (c *wordChip) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(c.bg, container.NewPadded(c.text)))
}

func (c *wordChip) Tapped(*fyne.PointEvent)        { c.tap(c.word) }
func (c *wordChip) MouseIn(*desktop.MouseEvent)    { c.hover(c.word, true) }
func (c *wordChip) MouseMoved(*desktop.MouseEvent) {}
func (c *wordChip) MouseOut()                      { c.hover(c.word, false) }
func (c *wordChip) Cursor() desktop.Cursor         { return desktop.PointerCursor }

// mark shows or clears the "being said" mark.
func (c *wordChip) mark(on bool) {
	if on {
		c.bg.Show()
		c.text.Color = theme.Color(theme.ColorNameForegroundOnPrimary)
	} else {
		c.bg.Hide()
		c.text.Color = theme.Color(theme.ColorNameForeground)
	}
	c.Refresh()
}

// flowLayout lays objects out left to right, wrapping at the width. A
// layout is not told its width when asked its minimum size, so it keeps
// the width it was last laid out at and answers the height the words
// take at that width: the scroller around it then scrolls to the last
// word. When the width changes, relayout (the scroller's Refresh) asks
// again.
type flowLayout struct {
	width    float32
	relayout func()
	laidOut  func() // after each layout (the window's trace)
	busy     bool
}

// rows places objects at width and returns the height they take.
func (*flowLayout) rows(objs []fyne.CanvasObject, width float32, place bool) float32 {
	x, y, rowH := float32(0), float32(0), float32(0)
	for _, o := range objs {
		m := o.MinSize()
		if x > 0 && x+m.Width > width {
			x, y, rowH = 0, y+rowH, 0
		}
		if place {
			o.Move(fyne.NewPos(x, y))
			o.Resize(m)
		}
		x += m.Width
		rowH = max(rowH, m.Height)
	}
	return y + rowH
}

func (f *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	f.rows(objs, size.Width, true)
	if f.laidOut != nil {
		defer f.laidOut()
	}
	if size.Width != f.width && !f.busy {
		f.width = size.Width
		if f.relayout != nil {
			f.busy = true
			f.relayout()
			f.busy = false
		}
	}
}

func (f *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w float32
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	return fyne.NewSize(w, f.rows(objs, max(f.width, w), false))
}

// follow is the Follow tab's state for the selected note.
type follow struct {
	id     string
	timed  []timeline.Word // as stored (from <id>.vtt)
	words  []timeline.Word // aligned with the transcript as it reads now
	text   string          // the transcript words was aligned with
	chips  []*wordChip
	marked int
	// The transcript's words aligned for the editor's caret, made off the
	// UI thread after an edit (caretText is what they were aligned with).
	caretWords []timeline.Word
	caretSaid  []bool // which of caretWords were said, not typed since
	caretText  string
	aligning   string // the text being aligned now
}

// loadTimings reads the selected note's word timings in the background;
// a note without them has no Follow tab.
func (w *Window) loadTimings(n *persistence.Note) {
	w.follow = nil
	w.showFollowTab(false)
	v := w.svc.Vault
	note := *n
	id := n.ID
	go func() {
		timed, err := export.Timings(v, &note)
		if err != nil {
			w.do(func() { w.tell("The word timings are not shown: " + err.Error()) })
			return
		}
		if timed == nil {
			return
		}
		w.do(func() {
			if w.selected == nil || w.selected.ID != id {
				return
			}
			w.follow = &follow{id: id, timed: timed, marked: -1}
			w.showFollowTab(true)
			w.tracePainted("follow tab for %s", id)
			if len(w.selected.Markers) > 0 && w.tabs.Selected() == w.tabs.Items[1] {
				w.showPreview(w.editor.Text) // the markers go where they were dropped
			}
		})
	}()
}

// showPreview renders body in the Preview tab, with the selected note's
// markers in it as headings: where they were dropped once its word
// timings are read, after the text until then.
func (w *Window) showPreview(body string) {
	var timed []timeline.Word
	if f := w.follow; f != nil && w.selected != nil && f.id == w.selected.ID {
		timed = f.timed
	}
	w.preview.ParseMarkdown(export.WithMarkers(w.selected, body, timed, nil))
}

// showFollowTab adds or removes the Follow tab.
func (w *Window) showFollowTab(on bool) {
	has := len(w.tabs.Items) == 3
	switch {
	case on && !has:
		w.tabs.Append(w.followTab)
	case !on && has:
		if w.tabs.Selected() == w.followTab {
			w.tabs.SelectIndex(0)
		}
		w.tabs.Remove(w.followTab)
	}
}

// followWords is the timed words aligned with the transcript as it reads
// now (aligned again after edits), laid out in the Follow tab.
func (w *Window) followWords() []timeline.Word {
	f := w.follow
	if f == nil || w.selected == nil || f.id != w.selected.ID {
		return nil
	}
	if f.words != nil && f.text == w.selected.Body {
		return f.words
	}
	f.text = w.selected.Body
	f.words = timeline.Align(f.timed, f.text)
	f.marked = -1
	f.chips = nil
	if len(f.words) > maxFollowWords {
		w.followFlow.Objects = []fyne.CanvasObject{widget.NewLabel("This transcript is too long to follow word by word.")}
		w.followScroll.Refresh()
		return f.words
	}
	// Markers stand before the first word said at or after them; tapping
	// one plays from its moment.
	markers := slices.Clone(w.selected.Markers)
	objs := make([]fyne.CanvasObject, 0, len(f.words)+len(markers))
	for _, wd := range f.words {
		for len(markers) > 0 && markers[0].At <= wd.Start {
			objs = append(objs, w.markerChip(markers[0]))
			markers = markers[1:]
		}
		c := newWordChip(wd, w.playFrom, w.hoverWord)
		f.chips = append(f.chips, c)
		objs = append(objs, c)
	}
	for _, m := range markers {
		objs = append(objs, w.markerChip(m))
	}
	w.followFlow.Objects = objs
	w.followScroll.Refresh() // asks the words' height anew
	return f.words
}

// markerChip is a marker in the Follow tab, in the warning colour.
func (w *Window) markerChip(m persistence.Marker) *wordChip {
	c := newWordChip(timeline.Word{Start: m.At, End: m.At, Text: export.MarkerHeading(m)}, w.playFrom, w.hoverWord)
	c.text.Color = theme.Color(theme.ColorNameWarning)
	c.text.TextStyle.Bold = true
	return c
}

// playFrom plays the selected note from a word.
func (w *Window) playFrom(wd timeline.Word) {
	if w.selected == nil {
		return
	}
	if w.player == nil || w.player.id != w.selected.ID {
		w.startPlayer(wd.Start)
		if w.player == nil {
			return
		}
	} else {
		w.player.player.Seek(wd.Start)
		if !w.player.player.Playing() {
			w.TogglePlay()
		}
	}
	w.markAt(wd.Start)
}

// hoverWord shows when the word under the pointer was said.
func (w *Window) hoverWord(wd timeline.Word, in bool) {
	if in {
		w.followAt.SetText("“" + wd.Text + "” at " + audio.FormatDuration(wd.Start))
	} else {
		w.followAt.SetText("Tap a word to play from it")
	}
}

// markAt marks the word being said at pos (from the player's updates).
func (w *Window) markAt(pos time.Duration) {
	words := w.followWords()
	f := w.follow
	if f == nil || f.chips == nil {
		return
	}
	i := timeline.Position(words, pos)
	if i == f.marked {
		return
	}
	if f.marked >= 0 && f.marked < len(f.chips) {
		f.chips[f.marked].mark(false)
	}
	if i >= 0 && i < len(f.chips) {
		f.chips[i].mark(true)
	}
	f.marked = i
	w.trace("follow marked %d at %d ms", i, pos.Milliseconds())
}

// traceFollowLayout says where on the window each word of the Follow tab
// is, in pixels (for make e2e, which clicks them): once the layout is
// painted, as the words' own layout can come before the tab's, which
// places them (said then, every word was at 0,0, and a test that clicked
// there on a loaded machine clicked nothing).
func (w *Window) traceFollowLayout() {
	w.afterPaint(func() {
		f := w.follow
		if f == nil || w.tabs.Selected() != w.followTab {
			return
		}
		for i, c := range f.chips {
			w.traceBox(fmt.Sprintf("follow word %d %q", i, c.word.Text), w.app.Driver().AbsolutePositionForObject(c), c.Size())
		}
	})
}

// skip moves playback by d.
func (w *Window) skip(d time.Duration) {
	if w.player == nil || w.selected == nil || w.player.id != w.selected.ID {
		return
	}
	p := w.player.player
	to := min(max(0, w.playPos+d), p.Length())
	p.Seek(to)
	w.markAt(to)
}

// sentence moves playback to the start of the next (dir 1) or previous
// (dir -1) sentence of the transcript.
func (w *Window) sentence(dir int) {
	if w.player == nil || w.selected == nil || w.player.id != w.selected.ID {
		return
	}
	words := w.followWords()
	if len(words) == 0 {
		return
	}
	pos := w.playPos
	var starts []time.Duration
	for i, wd := range words {
		if i == 0 || endsSentence(words[i-1].Text) {
			starts = append(starts, wd.Start)
		}
	}
	target := starts[0]
	if dir > 0 {
		target = w.player.player.Length()
		for _, s := range starts {
			if s > pos+50*time.Millisecond {
				target = s
				break
			}
		}
	} else {
		// The start of this sentence, or the one before when just begun.
		for _, s := range starts {
			if s < pos-time.Second {
				target = s
			}
		}
	}
	w.player.player.Seek(target)
	w.markAt(target)
}

func endsSentence(s string) bool {
	return s != "" && (s[len(s)-1] == '.' || s[len(s)-1] == '?' || s[len(s)-1] == '!')
}

// caretMoved shows when the word at the editor's caret was said, for a
// note with word timings: Ctrl+Enter plays from it. After an edit the
// text is aligned again off the UI thread, and the time shown when done.
func (w *Window) caretMoved() {
	f := w.follow
	if f == nil || w.selected == nil || f.id != w.selected.ID {
		w.caretAt.Hide()
		return
	}
	text := w.editor.Text
	if f.caretWords == nil || f.caretText != text {
		if f.aligning != text {
			f.aligning = text
			timed := f.timed
			go func() {
				words, said := timeline.AlignSpoken(timed, text)
				w.do(func() {
					f.caretWords, f.caretSaid, f.caretText, f.aligning = words, said, text, ""
					if w.follow == f && w.editor.Text == text {
						w.caretMoved()
					}
				})
			}()
		}
		return
	}
	i, ok := w.caretWord()
	if !ok {
		w.caretAt.Hide()
		return
	}
	wd := f.caretWords[i]
	if f.caretSaid[i] {
		w.caretAt.SetText("“" + wd.Text + "” was said at " + audio.FormatDuration(wd.Start) + " · Ctrl+Enter plays from it")
	} else if j := nearestSaid(f.caretWords, f.caretSaid, i); j >= 0 {
		// A typed word has no time of its own: say so, and name the
		// spoken word nearest it, which Ctrl+Enter plays from.
		w.caretAt.SetText("“" + wd.Text + "” was typed, not said · the nearest spoken word, “" + f.caretWords[j].Text + "”, at " + audio.FormatDuration(f.caretWords[j].Start) + " · Ctrl+Enter plays from it")
	} else {
		w.caretAt.SetText("“" + wd.Text + "” was typed, not said")
	}
	w.caretAt.Show()
}

// caretWord is the index in follow.caretWords of the word at (or just
// before) the editor's caret.
func (w *Window) caretWord() (int, bool) {
	f := w.follow
	if f == nil || w.selected == nil || f.id != w.selected.ID || f.caretText != w.editor.Text || len(f.caretWords) == 0 {
		return 0, false
	}
	i := wordAt(f.caretText, w.editor.CursorTextOffset())
	if i < 0 || i >= len(f.caretWords) {
		return 0, false
	}
	return i, true
}

// nearestSaid is the index of the spoken word nearest word i (the one
// before it on a tie), or -1 when no word was spoken.
func nearestSaid(words []timeline.Word, said []bool, i int) int {
	for d := 0; d < len(words); d++ {
		if i-d >= 0 && said[i-d] {
			return i - d
		}
		if i+d < len(words) && said[i+d] {
			return i + d
		}
	}
	return -1
}

// playFromCaret plays the selected note from the word at the editor's
// caret (Ctrl+Enter).
func (w *Window) playFromCaret() {
	f := w.follow
	if i, ok := w.caretWord(); ok {
		if j := nearestSaid(f.caretWords, f.caretSaid, i); j >= 0 {
			w.playFrom(f.caretWords[j])
		}
	}
}

// wordAt is the index, among the words of text (strings.Fields), of the
// word the rune offset at is in or just after (the first word when at is
// before it); -1 when text has no words.
func wordAt(text string, at int) int {
	i, inWord, runes := -1, false, 0
	for _, r := range text {
		space := unicode.IsSpace(r)
		if !space && !inWord {
			if runes > at && i >= 0 {
				break
			}
			i++
		}
		inWord = !space
		runes++
	}
	return i
}
