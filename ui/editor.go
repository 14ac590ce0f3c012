package ui

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
)

// The selected note: showing it, editing it, and what the saver says.

// selectNote shows a note, saving the previous one's edits first.
func (w *Window) selectNote(n *persistence.Note) {
	if n != nil {
		w.hideLive()
	}
	if w.selected != nil && n != nil && w.selected.ID == n.ID {
		return
	}
	if w.selected != nil {
		w.saver.flush(w.selected)
	}
	w.stopPlayback()
	w.selected = n
	w.showNote(n)
}

func (w *Window) showNote(n *persistence.Note) {
	w.loading = true
	defer func() { w.loading = false }()
	for _, o := range []fyne.Disableable{w.Title, w.Editor, w.PlayButton, w.Seek, w.Retry, w.Copy, w.Reveal, w.Export, w.Delete} {
		if n == nil {
			o.Disable()
		} else {
			o.Enable()
		}
	}
	w.showTags(n)
	w.playPos = 0
	w.Waveform.SetPosition(0) // not where the last note was played to
	if n == nil {
		w.follow = nil
		w.showFollowTab(false)
		w.Title.SetText("")
		w.Editor.SetText("")
		w.Meta.SetText("Select a note, or press Record (Ctrl+R).")
		w.Waveform.SetPeaks(nil)
		w.Position.SetText("0:00 / 0:00")
		return
	}
	w.loadTimings(n)
	w.Title.SetText(n.Title)
	w.Editor.SetText(n.Body)
	if w.Tabs.Selected() == w.Tabs.Items[1] { // else rendered when its tab is chosen
		w.showPreview(n.Body)
	}
	w.refreshMeta()
	w.showSeek(0)
	w.Position.SetText("0:00 / " + audio.FormatDuration(n.Duration))
	w.loadWaveform(n)
	var marks []float64
	if n.Duration > 0 {
		for _, m := range n.Markers {
			marks = append(marks, min(1, float64(m.At)/float64(n.Duration)))
		}
	}
	w.Waveform.SetMarkers(marks)
	w.trace("shown %s", n.ID)
}

func (w *Window) refreshMeta() {
	n := w.selected
	if n == nil {
		return
	}
	parts := []string{n.CreatedAt.Local().Format("Monday 2 January 2006, 15:04"), audio.FormatDuration(n.Duration)}
	if n.Engine != "" {
		parts = append(parts, "transcribed by "+n.Engine)
	}
	switch n.TranscriptionStatus {
	case persistence.StatusFailed:
		parts = append(parts, "transcription failed: "+n.TranscriptionError)
	case persistence.StatusDone:
		if n.TranscriptionError != "" {
			parts = append(parts, "transcribing again failed (the text is kept): "+n.TranscriptionError)
		}
	case persistence.StatusTranscribing:
		parts = append(parts, fmt.Sprintf("transcribing… %.0f%%", 100*w.progress[n.ID]))
	case persistence.StatusUnprocessed:
		parts = append(parts, "waiting to be transcribed")
	}
	w.Meta.SetText(strings.Join(parts, " · "))
}

// edited applies a change typed by the user and schedules its save.
func (w *Window) edited(change func(*persistence.Note)) {
	if w.loading || w.selected == nil {
		return
	}
	change(w.selected)
	delete(w.hay, w.selected)
	w.filtered = false
	w.saver.schedule(w.selected)
	w.List.Refresh()
	w.trace("edited %s %d", w.selected.ID, len(w.selected.Body))
}

// onSaved hears from the saver (on the UI thread).
func (w *Window) onSaved(saved *persistence.Note, before persistence.Revision, err error) {
	var conflict *persistence.ConflictError
	switch {
	case errors.As(err, &conflict):
		w.askConflict(saved, conflict)
		return
	case err != nil:
		w.tell(fmt.Sprintf("Not saved yet: %v. Your text is kept and saving is retried.", err))
		w.showError(fmt.Errorf("could not save your edit: %w\nYour text stays in the editor and is saved as soon as it can be", err))
		return
	}
	for _, n := range w.notes {
		if n.ID == saved.ID && n.Revision() == before {
			n.Adopt(saved)
		}
	}
	if w.selected != nil && w.selected.ID == saved.ID && w.selected.Revision() == before {
		w.selected.Adopt(saved)
	}
	w.setStatus("Saved")
}
