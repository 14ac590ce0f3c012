package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// TipButton is a button that, when the pointer rests on it, says what it
// does and its shortcut ("Record (Ctrl+R)"), as desktop apps do; the text
// is also what a screen reader would read for an icon-only button.
type TipButton struct {
	widget.Button
	Tip string

	win     fyne.Window
	do      func(func())
	timer   *time.Timer
	popup   *widget.PopUp
	hovered bool // the pointer is on the button (a late timer shows nothing)
}

// tipDelay is how long the pointer rests before the tip shows.
const tipDelay = 600 * time.Millisecond

func (w *Window) newTipButton(label string, icon fyne.Resource, tip string, tapped func()) *TipButton {
	b := &TipButton{Tip: tip, win: w.win, do: w.do}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *TipButton) MouseIn(e *desktop.MouseEvent) {
	b.Button.MouseIn(e)
	b.hovered = true
	b.stopTimer()
	pos := e.AbsolutePosition
	b.timer = time.AfterFunc(tipDelay, func() { b.do(func() { b.showTip(pos) }) })
}

func (b *TipButton) MouseMoved(e *desktop.MouseEvent) { b.Button.MouseMoved(e) }

func (b *TipButton) MouseOut() {
	b.Button.MouseOut()
	b.hovered = false
	b.stopTimer()
	b.hideTip()
}

// Tapped hides the tip and does what the button does.
func (b *TipButton) Tapped(e *fyne.PointEvent) {
	b.stopTimer()
	b.hideTip()
	b.Button.Tapped(e)
}

func (b *TipButton) stopTimer() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
}

// showTip shows the tip just below the pointer.
func (b *TipButton) showTip(at fyne.Position) {
	if b.Tip == "" || b.popup != nil || !b.Visible() || !b.hovered {
		return
	}
	label := widget.NewLabel(b.Tip)
	b.popup = widget.NewPopUp(label, b.win.Canvas())
	b.popup.ShowAtPosition(at.Add(fyne.NewPos(0, 20)))
}

func (b *TipButton) hideTip() {
	if b.popup != nil {
		b.popup.Hide()
		b.popup = nil
	}
}

// TipShown is the tip on screen, "" when none (for tests).
func (b *TipButton) TipShown() string {
	if b.popup == nil || !b.popup.Visible() {
		return ""
	}
	return b.Tip
}
