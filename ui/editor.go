package ui

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// notePane is the right pane: the selected note's title, tags and
// details, its transcript (editable), preview and Follow tabs, and what
// can be done with it.
type notePane struct {
	titleEntry   *keyEntry
	meta         *widget.Label
	tagChips     *fyne.Container
	tagField     *tagEntry
	editor       *keyEntry
	caretAt      *widget.Label // when the word at the editor's caret was said
	preview      *widget.RichText
	tabs         *container.AppTabs
	retryButton  *TipButton
	copyButton   *TipButton
	revealButton *TipButton
	exportButton *TipButton
	deleteButton *TipButton
	// exportDialog asks which format to export as (exportChoice).
	exportDialog *dialog.CustomDialog
	exportDir    string // where the last export went
	exportChoice *widget.RadioGroup

	selected     *persistence.Note
	loading      bool // true while widgets are being filled from a note
	saver        *saver
	conflictOpen map[string]bool // notes whose conflict dialog is open
	// rescuing are kept edits being restored whose note changed since,
	// until the person settles the conflict (rescue.go); rescueRestore
	// is the start's offer to restore them.
	rescuing      map[string]*persistence.Note
	rescueRestore *widget.Button
	// versions are other versions of notes (sync tools' conflict copies,
	// file managers' copies) by the id they copy (versions.go), and the
	// button that offers the choice for the selected note's.
	versions       map[string][]string
	versionsButton *TipButton
	// transcriptsButton lists the note's machine transcripts
	// (transcripts.go); conflictsButton offers the places a
	// re-transcription could not merge.
	transcriptsButton *TipButton
	conflictsButton   *TipButton
	// learnBar offers to remember a correction the person made (offered);
	// declined are those they said no to, this session. machine caches
	// each note's machine text by its hash (read off the UI thread).
	learnBar  *fyne.Container
	learnText *widget.Label
	learnYes  *widget.Button
	learnNo   *widget.Button
	offered   transcribe.Rule
	declined  map[transcribe.Rule]bool
	machineMu sync.Mutex
	machine   map[string]machineCache
}

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
	for _, o := range []fyne.Disableable{w.titleEntry, w.editor, w.playButton, w.seek, w.retryButton, w.transcriptsButton, w.copyButton, w.revealButton, w.exportButton, w.deleteButton} {
		if n == nil {
			o.Disable()
		} else {
			o.Enable()
		}
	}
	w.showTags(n)
	w.showVersionsButton()
	if w.learnBar != nil {
		w.learnBar.Hide()
	}
	w.playPos = 0
	w.waveform.SetPosition(0) // not where the last note was played to
	if n == nil {
		w.follow = nil
		w.showFollowTab(false)
		w.titleEntry.SetText("")
		w.editor.SetText("")
		w.showConflictsButton()
		w.meta.SetText("Select a note, or press Record (Ctrl+R).")
		w.waveform.SetPeaks(nil)
		w.position.SetText("0:00 / 0:00")
		return
	}
	w.loadTimings(n)
	w.titleEntry.SetText(n.Title)
	w.editor.SetText(n.Body)
	w.showConflictsButton()
	if w.tabs.Selected() == w.tabs.Items[1] { // else rendered when its tab is chosen
		w.showPreview(n.Body)
	}
	w.refreshMeta()
	w.showSeek(0)
	w.position.SetText("0:00 / " + audio.FormatDuration(n.Duration))
	w.loadWaveform(n)
	var marks []float64
	if n.Duration > 0 {
		for _, m := range n.Markers {
			marks = append(marks, min(1, float64(m.At)/float64(n.Duration)))
		}
	}
	w.waveform.SetMarkers(marks)
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
	w.meta.SetText(strings.Join(parts, " · "))
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
	w.list.Refresh()
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
	if w.selected != nil && w.selected.ID == saved.ID {
		w.offerCorrection(saved)
	}
}

// buildNotePane makes the right pane: the note's title, tags and
// details, its tabs, the player (made by buildPlayer) and the actions.
func (w *Window) buildNotePane(player fyne.CanvasObject) fyne.CanvasObject {
	w.titleEntry = newKeyEntry(false, w.windowShortcut)
	w.titleEntry.SetPlaceHolder("Title")
	w.titleEntry.OnChanged = func(s string) {
		if w.liveShown && !w.loading {
			w.live.title = s // the recording's, given to its note when saved
			return
		}
		w.edited(func(n *persistence.Note) { n.Title, n.AutoTitle = s, false }) // typed: never replaced
	}
	w.meta = widget.NewLabel("")
	w.editor = newKeyEntry(true, w.windowShortcut)
	w.editor.Wrapping = fyne.TextWrapWord
	w.editor.SetPlaceHolder("The transcript appears here; type to edit.")
	w.editor.OnChanged = func(s string) {
		w.edited(func(n *persistence.Note) { n.Body = s })
		if !w.loading {
			w.showConflictsButton()
		}
	}
	w.editor.OnCursorChanged = w.caretMoved
	w.caretAt = widget.NewLabel("")
	w.caretAt.Importance = widget.LowImportance
	w.caretAt.Hide()
	w.preview = widget.NewRichTextFromMarkdown("")
	w.preview.Wrapping = fyne.TextWrapWord
	w.tabs = container.NewAppTabs(
		container.NewTabItem("Transcript", inScreenOrder(nil, w.caretAt, nil, nil, asDocument(w.editor))),
		container.NewTabItem("Preview", container.NewVScroll(w.preview)))
	w.tabs.OnSelected = func(t *container.TabItem) {
		switch t {
		case w.tabs.Items[1]:
			if w.selected != nil {
				w.showPreview(w.editor.Text)
			}
		case w.followTab:
			w.followWords()
			w.markAt(w.playPos)
		}
	}
	w.retryButton = w.newTipButton("Transcribe again", theme.ViewRefreshIcon(), "Transcribe this recording again (your edits are kept)", w.Retranscribe)
	w.copyButton = w.newTipButton("Copy text", theme.ContentCopyIcon(), "Copy the transcript", w.CopyText)
	w.revealButton = w.newTipButton("Show file", theme.FolderOpenIcon(), "Show the note's file in the file manager", w.RevealFile)
	w.exportButton = w.newTipButton("Export", theme.DocumentSaveIcon(), "Export as a web page, Markdown, text or subtitles (Ctrl+E)", w.ExportSelected)
	w.deleteButton = w.newTipButton("Delete", theme.DeleteIcon(), "Move to the vault's trash (Delete; Ctrl+Z brings it back)", w.DeleteSelected)
	w.deleteButton.Importance = widget.DangerImportance
	w.versionsButton = w.newTipButton("Other version…", theme.WarningIcon(), "A sync tool left another version of this note: compare, and choose which to keep", w.ShowVersions)
	w.versionsButton.Importance = widget.WarningImportance
	w.versionsButton.Hide()
	w.transcriptsButton = w.newTipButton("", theme.HistoryIcon(), "Every transcript this note has had, with the engine that made it: restore one", func() { w.ShowTranscripts(nil) })
	w.conflictsButton = w.newTipButton("Choose…", theme.WarningIcon(), "The new transcript and your edits changed the same words: choose which to keep", func() { w.ShowConflicts() })
	w.conflictsButton.Importance = widget.WarningImportance
	w.conflictsButton.Hide()
	actions := container.NewHBox(w.versionsButton, w.conflictsButton, w.retryButton, w.transcriptsButton, w.buildTransformButton(), w.copyButton, w.revealButton, w.exportButton, w.deleteButton)
	return inScreenOrder(
		container.NewVBox(w.titleEntry, w.buildTags(), w.meta, w.buildLearnBar()),
		container.NewVBox(player, actions),
		nil, nil, container.NewStack(w.tabs, w.livePane))
}
