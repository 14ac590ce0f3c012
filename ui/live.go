package ui

import (
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/export"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// recordingView is the recording in progress in the note pane: its
// growing transcript, and the row above the list that brings it back.
type recordingView struct {
	liveBody      *widget.Label
	recordingRow  *widget.Button // tapped: the recording back in the pane
	recordingLine *widget.Label  // over it: "● Recording now · newest words"
	recordingBox  *fyne.Container
	liveScroll    *container.Scroll
	livePane      *fyne.Container
	live          *liveView // while recording
	liveShown     bool      // the pane shows the recording, not a note
	rec           *ongoing
	recOn         atomic.Bool         // rec != nil, for the dictation shortcut's goroutine
	standby       *transcribe.Standby // the live decoder, kept between recordings
}

// The recording in progress, shown where a note is: its title (a typed
// one is kept for the note), the live transcript growing in the big pane
// with the newest words in view, the markers as they are dropped; a row
// above the list stands for it. When it stops, the pane becomes the
// saved note, its text where the live text was.

// liveView is what the pane shows of the recording in progress.
type liveView struct {
	rec     *ongoing
	started time.Time
	title   string // typed while recording; "" leaves the app's title
	text    string // the live transcript so far
	markers []persistence.Marker
}

// liveShownChars bounds the live text laid out in the pane: the newest
// words are what a person follows, and re-wrapping an hour's transcript
// on every new word would hold the UI thread. The note gets all of it.
const liveShownChars = 4000

func (w *Window) buildLive() {
	w.liveBody = widget.NewLabel("")
	w.liveBody.Wrapping = fyne.TextWrapWord
	w.liveScroll = container.NewVScroll(w.liveBody)
	w.livePane = container.NewBorder(nil, nil, nil, nil, w.liveScroll)
	w.livePane.Hide()
	// The row is a button under a label that cuts the newest words to
	// its width (a button's own text would widen the list to fit them).
	w.recordingRow = widget.NewButton("", func() {
		if w.live != nil {
			w.showLive()
		}
	})
	w.recordingRow.Importance = widget.DangerImportance
	w.recordingLine = widget.NewLabel("")
	w.recordingLine.Truncation = fyne.TextTruncateEllipsis
	w.recordingLine.TextStyle.Bold = true
	w.recordingBox = container.NewStack(w.recordingRow, w.recordingLine)
	w.recordingBox.Hide()
}

// startLive begins showing a new recording in the pane.
func (w *Window) startLive(rec *ongoing) {
	w.live = &liveView{rec: rec, started: time.Now()}
	w.recordingLine.SetText("● Recording now")
	w.recordingBox.Show()
	w.showLive()
}

// showLive puts the recording in progress in the note pane, saving the
// note that was there.
func (w *Window) showLive() {
	if w.selected != nil {
		w.saver.flush(w.selected)
		w.stopPlayback()
		w.selected = nil
		w.list.UnselectAll()
	}
	w.showNote(nil)
	w.loading = true
	w.titleEntry.Enable()
	w.titleEntry.SetPlaceHolder("Title (optional: the first words name it otherwise)")
	w.titleEntry.SetText(w.live.title)
	w.loading = false
	w.liveShown = true
	w.tabs.Hide()
	w.livePane.Show()
	w.refreshLive(true)
}

// hideLive gives the pane back to the selected note.
func (w *Window) hideLive() {
	if !w.liveShown {
		return
	}
	w.liveShown = false
	w.titleEntry.SetPlaceHolder("Title")
	w.livePane.Hide()
	w.tabs.Show()
}

// endLive forgets the recording, once it is saved or gone.
func (w *Window) endLive() {
	w.hideLive()
	w.live = nil
	w.recordingBox.Hide()
	if w.selected == nil {
		w.showNote(nil)
	}
}

// refreshLive shows the live text and markers; text says whether the
// text changed (then the newest words are scrolled into view).
func (w *Window) refreshLive(text bool) {
	l := w.live
	if l == nil {
		return
	}
	if text {
		tail := lastWords(l.text, 70)
		row := "● Recording now"
		if tail != "" {
			row += " · " + tail
		}
		w.recordingLine.SetText(row)
		w.liveText.SetText(tail)
	}
	if !w.liveShown {
		return
	}
	if text {
		shown := l.text
		if shown == "" {
			shown = "The words appear here as you speak."
		}
		if len(shown) > liveShownChars {
			shown = "…" + lastWords(shown, liveShownChars)
		}
		w.liveBody.SetText(shown)
		w.liveScroll.ScrollToBottom()
	}
	parts := []string{"Recording since " + l.started.Format("15:04:05")}
	for _, m := range l.markers {
		parts = append(parts, export.MarkerHeading(m))
	}
	w.meta.SetText(strings.Join(parts, " · "))
}

// lastWords is the end of text, at most n bytes, cut at a word, with an
// ellipsis when something was left out.
func lastWords(text string, n int) string {
	text = strings.TrimSpace(text)
	if len(text) <= n {
		return text
	}
	tail := text[len(text)-n:]
	if i := strings.IndexByte(tail, ' '); i >= 0 && i < len(tail)-1 {
		tail = tail[i+1:]
	}
	return "…" + tail
}

// liveMarkerText is how a marker dropped now is confirmed.
func liveMarkerText(m persistence.Marker) string {
	msg := "Marker at " + audio.FormatDuration(m.At)
	if m.Label != "" {
		msg += ": " + m.Label
	}
	return msg
}
