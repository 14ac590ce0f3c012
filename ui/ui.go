// Package ui is the Voice Notes window: it shows the vault's notes and turns
// the domain packages' callbacks into widgets. It knows the other packages
// only through small interfaces, so its tests run without audio hardware.
package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/persistence"
)

// Window is the main window and the widgets tests drive.
type Window struct {
	App    fyne.App
	Win    fyne.Window
	Vault  *persistence.Vault
	Notes  *widget.List
	Status *widget.Label

	notes []*persistence.Note
}

// New builds the main window on an open vault.
func New(a fyne.App, v *persistence.Vault) *Window {
	w := &Window{App: a, Vault: v, Win: a.NewWindow("Voice Notes")}
	w.Status = widget.NewLabel("")
	w.Notes = widget.NewList(
		func() int { return len(w.notes) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			n := w.notes[i]
			title := n.Title
			if title == "" {
				title = n.CreatedAt.Local().Format("2 Jan 2006 15:04")
			}
			o.(*widget.Label).SetText(title)
		})
	w.Reload()
	w.Win.SetContent(container.NewBorder(nil, w.Status, nil, nil, w.Notes))
	w.Win.Resize(fyne.NewSize(900, 600))
	return w
}

// Reload reads the vault's notes into the list.
func (w *Window) Reload() {
	notes, bad, err := w.Vault.List()
	if err != nil {
		w.Status.SetText(err.Error())
		return
	}
	w.notes = notes
	msg := fmt.Sprintf("%d notes in %s", len(notes), w.Vault.Root())
	if len(bad) > 0 {
		msg += fmt.Sprintf(" (%d files could not be read; run voicenotes doctor)", len(bad))
	}
	w.Status.SetText(msg)
	w.Notes.Refresh()
}

// ShowAndRun shows the window and runs the app until it quits.
func (w *Window) ShowAndRun() { w.Win.ShowAndRun() }
