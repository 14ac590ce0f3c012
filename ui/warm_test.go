package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestWarmShadowIsDrawnFromLaunch: the gradient that pays llvmpipe's
// first-gradient cost at launch (warm.go) only does so if the painter
// reaches it: it must be in the visible tree, inside the window, the size
// of a list's shadow, while the vault is empty and nothing scrolls; and it
// must show nothing.
func TestWarmShadowIsDrawnFromLaunch(t *testing.T) {
	w, _ := newTestWindow(t, nil)
	content := w.win.Content()
	drawn := false
	walkVisible(content, fyne.NewPos(0, 0), func(o fyne.CanvasObject, pos fyne.Position) {
		if o == w.warm {
			inside := pos.X >= 0 && pos.Y >= 0 && pos.X+o.Size().Width <= content.Size().Width && pos.Y+o.Size().Height <= content.Size().Height
			if !inside {
				t.Errorf("the warm-up gradient is at %v, outside the window (%v): it would not be painted", pos, content.Size())
			}
			drawn = true
		}
	})
	if !drawn {
		t.Fatal("the warm-up gradient is not in the window's visible tree: the painter never draws it")
	}
	if got := w.warm.Size(); got != fyne.NewSize(1, 8) {
		t.Errorf("the warm-up gradient is %v; want 1x8, the texture shape of a list's edge shadow", got)
	}
	for _, c := range []any{w.warm.StartColor, w.warm.EndColor} {
		if _, _, _, a := c.(interface{ RGBA() (r, g, b, a uint32) }).RGBA(); a != 0 {
			t.Errorf("the warm-up gradient has a visible colour %v; it must show nothing", c)
		}
	}
}

// walkVisible calls f with each visible object under o and its position in
// the window, as the painter walks them.
func walkVisible(o fyne.CanvasObject, at fyne.Position, f func(fyne.CanvasObject, fyne.Position)) {
	if !o.Visible() {
		return
	}
	pos := at.Add(o.Position())
	f(o, pos)
	var children []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		children = c.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(c).Objects()
	}
	for _, child := range children {
		walkVisible(child, pos, f)
	}
}
