package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/persistence"
)

// The selected note's tags, under its title: a chip per tag (its name
// filters the list by it, its ✕ removes it) and a field to add one
// (Enter adds; Backspace in the empty field removes the last tag).

// tagEntry is the field tags are typed into.
type tagEntry struct {
	keyEntry
	onEmptyBackspace func()
}

func newTagEntry(window func(fyne.Shortcut) bool) *tagEntry {
	e := &tagEntry{keyEntry: keyEntry{window: window}}
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder("Add a tag (Ctrl+T)")
	return e
}

func (e *tagEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyBackspace && e.Text == "" && e.onEmptyBackspace != nil {
		e.onEmptyBackspace()
		return
	}
	e.Entry.TypedKey(k)
}

func (w *Window) buildTags() fyne.CanvasObject {
	w.tagChips = container.NewHBox()
	w.tagField = newTagEntry(w.windowShortcut)
	w.tagField.OnSubmitted = func(s string) { w.AddTag(s) }
	w.tagField.onEmptyBackspace = func() {
		if n := w.selected; n != nil && len(n.Tags) > 0 {
			w.RemoveTag(n.Tags[len(n.Tags)-1])
		}
	}
	return inScreenOrder(nil, nil, w.tagChips, nil, w.tagField)
}

// AddTag adds a tag to the selected note; a tag that cannot be one is
// refused, saying why, and the field keeps what was typed.
func (w *Window) AddTag(text string) {
	if w.selected == nil {
		return
	}
	t, err := persistence.NormalizeTag(text)
	if err != nil {
		w.tell(err.Error())
		return
	}
	w.edited(func(n *persistence.Note) { n.AddTag(t) })
	w.tagField.SetText("")
	w.showTags(w.selected)
	w.setStatus("Tagged #" + t)
}

// RemoveTag removes a tag from the selected note.
func (w *Window) RemoveTag(tag string) {
	if w.selected == nil {
		return
	}
	w.edited(func(n *persistence.Note) { n.RemoveTag(tag) })
	w.showTags(w.selected)
}

// FilterByTag shows the notes with tag.
func (w *Window) FilterByTag(tag string) {
	w.search.SetText("#" + tag)
}

// showTags shows n's tags as chips.
func (w *Window) showTags(n *persistence.Note) {
	w.tagChips.RemoveAll()
	if n == nil {
		w.tagField.Disable()
		return
	}
	w.tagField.Enable()
	for _, t := range n.Tags {
		name := widget.NewButton("#"+t, func() { w.FilterByTag(t) })
		name.Importance = widget.LowImportance
		remove := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { w.RemoveTag(t) })
		remove.Importance = widget.LowImportance
		w.tagChips.Add(container.NewHBox(name, remove))
	}
	w.tagChips.Refresh()
}
