package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// A focused Fyne entry takes every shortcut typed and drops the ones it
// does not know, so without help Ctrl+R, Ctrl+M and the rest would do
// nothing while the person is typing in the transcript, the title, the
// search or the tags: the moment they most want to drop a marker or stop
// a recording. keyEntry hands the window's own shortcuts on.

// keyEntry is a text field that lets the window's shortcuts through.
type keyEntry struct {
	widget.Entry
	window func(fyne.Shortcut) bool // runs s if it is the window's; reports whether it was
}

func newKeyEntry(multiLine bool, window func(fyne.Shortcut) bool) *keyEntry {
	e := &keyEntry{window: window}
	e.MultiLine = multiLine
	if multiLine {
		e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	}
	e.ExtendBaseWidget(e)
	return e
}

// AcceptsTab is false: Tab and Shift+Tab move to the next and previous
// control, in the transcript too (a tab typed into a spoken text is never
// wanted, and a keyboard user could not leave it).
func (e *keyEntry) AcceptsTab() bool { return false }

func (e *keyEntry) TypedShortcut(s fyne.Shortcut) {
	if e.window != nil && e.window(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// windowShortcut runs s when it is one of the window's own (registered by
// bindKeys) and not one a text field needs for editing.
func (w *Window) windowShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok {
		return false
	}
	run, ok := w.ownKeys[cs.ShortcutName()]
	if ok {
		run()
	}
	return ok
}
