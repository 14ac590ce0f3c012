package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/persistence"
)

// Other versions of a note: a sync tool's conflict copy (the same note
// edited on two computers before they synced), or a copy a file manager
// made. The list never shows them as notes; the note they copy shows an
// "Other version" button, which offers the choices an edit from another
// program gets: keep mine, take theirs, keep both. A copy leaves the
// folder (to the vault's trash) only once the person has chosen.

// setVersions records the other versions List reported, by the note
// they copy.
func (w *Window) setVersions(bad []persistence.BadFile) {
	w.versions = map[string][]string{}
	for _, b := range bad {
		if b.CopyOf != "" {
			w.versions[b.CopyOf] = append(w.versions[b.CopyOf], b.Path)
		}
	}
	w.showVersionsButton()
}

// versionChanged records a copy the watcher saw appear (id set) or go.
func (w *Window) versionChanged(path, id string) {
	for other, paths := range w.versions {
		if i := slices.Index(paths, path); i >= 0 && other != id {
			w.versions[other] = slices.Delete(paths, i, i+1)
		}
	}
	if id != "" && !slices.Contains(w.versions[id], path) {
		w.versions[id] = append(w.versions[id], path)
	}
	w.showVersionsButton()
}

// showVersionsButton shows the button while the selected note has
// another version.
func (w *Window) showVersionsButton() {
	if w.versionsButton == nil {
		return
	}
	if w.selected != nil && len(w.versions[w.selected.ID]) > 0 {
		w.versionsButton.Show()
	} else {
		w.versionsButton.Hide()
	}
}

// ShowVersions offers the choice for the selected note's first other
// version.
func (w *Window) ShowVersions() {
	if w.selected == nil || len(w.versions[w.selected.ID]) == 0 {
		return
	}
	mine, path := w.selected, w.versions[w.selected.ID][0]
	theirs, err := w.svc.Vault.ReadNote(path)
	if err != nil {
		w.showError(fmt.Errorf("the other version %s cannot be read: %w", path, err))
		return
	}
	excerpt := strings.TrimSpace(theirs.Body)
	if len(excerpt) > 400 {
		excerpt = excerpt[:400] + "…"
	}
	msg := widget.NewLabel(fmt.Sprintf("A sync tool (or a copy made in the folder) left another version of \"%s\": %s.\n\nIts title: %s\nIts text: %s\n\nWhich do you want?", displayTitle(mine), filepath.Base(path), displayTitle(theirs), excerpt))
	msg.Wrapping = fyne.TextWrapWord
	var d dialog.Dialog
	choose := func(choice string) func() {
		return func() { d.Hide(); w.ResolveVersion(mine.ID, path, choice) }
	}
	buttons := container.NewHBox(
		widget.NewButton("Keep mine", choose(KeepMine)),
		widget.NewButton("Take theirs", choose(TakeTheirs)),
		widget.NewButton("Keep both", choose(KeepBoth)),
		widget.NewButton("Later", func() { d.Hide() }))
	d = dialog.NewCustomWithoutButtons("Another version", container.NewVBox(msg, buttons), w.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// ResolveVersion carries out the person's choice (KeepMine, TakeTheirs,
// KeepBoth) for the other version at path of note id: mine keeps the note as it is, theirs puts the
// other version's title, text and tags in the note, both makes the other
// version a note of its own; then the copy goes to the vault's trash.
func (w *Window) ResolveVersion(id, path, choice string) {
	v := w.svc.Vault
	if w.selected != nil && w.selected.ID == id {
		w.saver.flush(w.selected)
		if err := w.saver.wait(); err != nil {
			w.showError(fmt.Errorf("your edit must be saved before choosing: %w", err))
			return
		}
	}
	theirs, err := v.ReadNote(path)
	if err != nil {
		w.showError(err)
		return
	}
	switch choice {
	case TakeTheirs:
		if _, err := v.Update(id, func(n *persistence.Note) error {
			n.Title, n.Body, n.Tags, n.AutoTitle = theirs.Title, theirs.Body, theirs.Tags, theirs.AutoTitle
			return nil
		}); err != nil {
			w.showError(err)
			return
		}
	case KeepBoth:
		if _, err := w.saveAsNewNote(theirs, "other version"); err != nil {
			w.showError(err)
			return
		}
	}
	if err := v.TrashCopy(path); err != nil {
		w.showError(err)
		return
	}
	w.tell(map[string]string{KeepMine: "Kept your version; the other is in the vault's trash",
		TakeTheirs: "Took the other version; yours was replaced", KeepBoth: "Kept both: the other version is a note of its own"}[choice])
	w.showAgain(id)
}
