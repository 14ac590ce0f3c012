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
		dup, err := w.saveAsNewNote(mine, "my version")
		if err != nil {
			w.showError(err)
			return
		}
		w.tell("Kept both: yours is \"" + dup.Title + "\"")
	}
	w.rescueSettled(mine.ID)
	w.showAgain(mine.ID)
}

// saveAsNewNote keeps a version of a note as a note of its own, titled
// with what it is ("my version"), sharing the note's audio.
func (w *Window) saveAsNewNote(from *persistence.Note, what string) (*persistence.Note, error) {
	v := w.svc.Vault
	dup := v.NewNote()
	dup.Title = strings.TrimSpace(from.Title + " (" + what + ")")
	dup.Body, dup.Tags, dup.Audio = from.Body, from.Tags, from.Audio
	dup.Timestamp, dup.CreatedAt, dup.Duration = from.Timestamp, from.CreatedAt, from.Duration
	dup.TranscriptionStatus, dup.Engine, dup.Language = from.TranscriptionStatus, from.Engine, from.Language
	if dup.Audio == "" {
		if p, ok := v.AudioPath(from); ok {
			dup.Audio = filepath.Base(p)
		}
	}
	return dup, v.Save(dup)
}

// showAgain reads the vault again and shows note id as it is on disk now.
func (w *Window) showAgain(id string) {
	w.selected = nil
	w.Reload()
	w.selectByID(id)
}
