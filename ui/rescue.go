package ui

import (
	"errors"
	"fmt"
	"log"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/persistence"
)

// Edits that could not be saved as the window closed (the disk full or
// gone, the note read-only, a conflict left unanswered) are kept by the
// vault (Vault.Rescue) and offered back at the next start: Restore saves
// each like an edit typed now (a conflict if its note changed since),
// Later keeps them for the next start, Discard drops them once asked.

// rescueUnsaved keeps every edit the saver could not write. Called by
// Shutdown, once nothing more can be tried.
func (w *Window) rescueUnsaved() error {
	var errs []error
	for _, n := range w.saver.unsaved() {
		path, err := w.svc.Vault.Rescue(n, w.svc.RescueDir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		log.Printf("ui: the unsaved edit of %s is kept in %s; the next start offers it back", n.ID, path)
	}
	return errors.Join(errs...)
}

// offerRescued asks what to do with the edits kept by an earlier close.
// One that matches its note as it is now (it was saved after all) is
// dropped without asking.
func (w *Window) offerRescued() {
	v := w.svc.Vault
	kept, err := v.Rescued(w.svc.RescueDir)
	if err != nil {
		w.showError(err)
	}
	var offer []*persistence.Note
	for _, r := range kept {
		if cur, err := v.Note(r.ID); err == nil && cur.Title == r.Title && cur.Body == r.Body && slices.Equal(cur.Tags, r.Tags) {
			v.DropRescued(r)
			continue
		}
		offer = append(offer, r)
	}
	if len(offer) == 0 {
		return
	}
	var titles []string
	for _, r := range offer {
		titles = append(titles, "• "+displayTitle(r))
	}
	msg := widget.NewLabel(fmt.Sprintf("Voice Notes could not save your last edits when it closed. They were kept:\n\n%s\n\nRestore saves them into their notes (if a note changed since, you choose which version to keep).", strings.Join(titles, "\n")))
	msg.Wrapping = fyne.TextWrapWord
	var d dialog.Dialog
	restore := widget.NewButton("Restore", func() { d.Hide(); w.restoreRescued(offer) })
	restore.Importance = widget.HighImportance
	w.rescueRestore = restore
	later := widget.NewButton("Later", func() { d.Hide(); w.tell("Your kept edits are offered again at the next start") })
	discard := widget.NewButton("Discard…", func() {
		dialog.ShowConfirm("Discard the kept edits?", "The edits listed are removed for good; the notes stay as they are on disk.", func(yes bool) {
			if !yes {
				return
			}
			d.Hide()
			for _, r := range offer {
				if err := v.DropRescued(r); err != nil {
					w.showError(err)
				}
			}
			w.tell("Discarded the kept edits")
		}, w.win)
	})
	d = dialog.NewCustomWithoutButtons("Unsaved edits kept", container.NewVBox(msg, container.NewHBox(restore, later, discard)), w.win)
	d.Show()
}

// restoreRescued saves each kept edit over the note it was an edit of.
// Run on the UI thread; the saves run in the background.
func (w *Window) restoreRescued(kept []*persistence.Note) {
	v := w.svc.Vault
	go func() {
		for _, r := range kept {
			err := v.Save(r)
			w.do(func() {
				var conflict *persistence.ConflictError
				switch {
				case errors.As(err, &conflict):
					// The note changed since: the person chooses, as for
					// any edit that meets another program's change.
					w.saver.hold(r, err)
					w.rescuing[r.ID] = r
					w.askConflict(r, conflict)
				case err != nil:
					w.showError(fmt.Errorf("your kept edit of \"%s\" could not be restored: %w; it stays kept, and is offered again at the next start", displayTitle(r), err))
				default:
					if err := v.DropRescued(r); err != nil {
						log.Printf("ui: removing the restored edit %s: %v", r.RescuedFrom(), err)
					}
					w.tell(fmt.Sprintf("Restored your edit of \"%s\"", displayTitle(r)))
					w.showAgain(r.ID)
				}
			})
		}
	}()
}

// rescueSettled drops the kept edit of note id once the person settled
// its conflict (whichever version they kept).
func (w *Window) rescueSettled(id string) {
	if r := w.rescuing[id]; r != nil {
		delete(w.rescuing, id)
		if err := w.svc.Vault.DropRescued(r); err != nil {
			log.Printf("ui: removing the restored edit %s: %v", r.RescuedFrom(), err)
		}
	}
}
