package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/persistence"
)

// Conflict choices.
const (
	KeepMine   = "keep mine"
	TakeTheirs = "take theirs"
	KeepBoth   = "keep both"
)

// askConflict shows the choice when a note was changed on disk by another
// program while it had unsaved edits here. Nothing is overwritten until
// the user chooses.
func (w *Window) askConflict(mine *persistence.Note, c *persistence.ConflictError) {
	if w.conflictOpen[mine.ID] {
		return
	}
	w.conflictOpen[mine.ID] = true
	what := "changed"
	if c.Deleted {
		what = "deleted"
	}
	msg := widget.NewLabel(fmt.Sprintf("\"%s\" was %s by another program (a sync tool or another editor) while you had unsaved edits here.\nWhich version do you want?", displayTitle(mine), what))
	msg.Wrapping = fyne.TextWrapWord
	var d dialog.Dialog
	choose := func(choice string) func() {
		return func() {
			d.Hide()
			delete(w.conflictOpen, mine.ID)
			w.ResolveConflict(mine, c, choice)
		}
	}
	buttons := container.NewHBox(
		widget.NewButton("Keep mine", choose(KeepMine)),
		widget.NewButton("Take theirs", choose(TakeTheirs)),
		widget.NewButton("Keep both", choose(KeepBoth)))
	d = dialog.NewCustomWithoutButtons("Changed elsewhere", container.NewVBox(msg, buttons), w.win)
	d.Show()
}

// ResolveConflict carries out the user's choice (exported for tests).
func (w *Window) ResolveConflict(mine *persistence.Note, c *persistence.ConflictError, choice string) {
	switch choice {
	case KeepMine:
		if err := w.saver.resolve(mine.ID, true); err != nil {
			w.showError(err)
			return
		}
		w.tell("Kept your version")
	case TakeTheirs:
		w.saver.resolve(mine.ID, false)
		w.tell("Took the version on disk")
	case KeepBoth:
		w.saver.resolve(mine.ID, false)
		if c.Deleted {
			// Nothing of theirs to keep: write mine back.
			if err := w.svc.Vault.Overwrite(mine); err != nil {
				w.showError(err)
				return
			}
			break
		}
		dup := w.svc.Vault.NewNote()
		dup.Title = strings.TrimSpace(mine.Title + " (my version)")
		dup.Body, dup.Tags, dup.Audio = mine.Body, mine.Tags, mine.Audio
		dup.Timestamp, dup.CreatedAt, dup.Duration = mine.Timestamp, mine.CreatedAt, mine.Duration
		dup.TranscriptionStatus, dup.Engine, dup.Language = mine.TranscriptionStatus, mine.Engine, mine.Language
		if dup.Audio == "" {
			if p, ok := w.svc.Vault.AudioPath(mine); ok {
				dup.Audio = filepath.Base(p)
			}
		}
		if err := w.svc.Vault.Save(dup); err != nil {
			w.showError(err)
			return
		}
		w.tell("Kept both: yours is \"" + dup.Title + "\"")
	}
	w.rescueSettled(mine.ID)
	w.selected = nil
	w.Reload()
	w.selectByID(mine.ID)
}
