package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// paintedRects is the area of the rectangles under o that Fyne's painter
// draws: it skips one with neither a fill nor a stroke, by these rules
// (internal/painter/gl drawOblong).
func paintedRects(o fyne.CanvasObject) float32 {
	if !o.Visible() {
		return 0
	}
	switch t := o.(type) {
	case *canvas.Rectangle:
		noFill := t.FillColor == nil || t.FillColor == color.Transparent
		noStroke := t.StrokeColor == nil || t.StrokeColor == color.Transparent || t.StrokeWidth == 0
		if noFill && noStroke {
			return 0
		}
		return t.Size().Width * t.Size().Height
	case *fyne.Container:
		var a float32
		for _, k := range t.Objects {
			a += paintedRects(k)
		}
		return a
	case fyne.Widget:
		var a float32
		for _, k := range test.WidgetRenderer(t).Objects() {
			a += paintedRects(k)
		}
		return a
	}
	return 0
}

// TestTranscriptIsAPage: the transcript, which fills most of the window,
// is drawn without a box or a border, so a frame does not shade it twice
// pixel by pixel; the small fields keep theirs.
func TestTranscriptIsAPage(t *testing.T) {
	w, v := newTestWindow(t, nil)
	addNote(t, v, "A note", "Some words spoken in a voice note.")
	w.Reload()
	pump()
	w.win.Resize(fyne.NewSize(1100, 700))
	w.list.Select(0)
	pump()
	editor := w.editor.Size()
	if editor.Width*editor.Height < 100_000 {
		t.Fatalf("the transcript is %v: too small to tell", editor)
	}
	if a := paintedRects(w.editor); a != 0 {
		t.Errorf("the transcript paints %.0f px² of box and border (the editor is %v); want none", a, editor)
	}
	title := w.titleEntry.Size()
	if a := paintedRects(w.titleEntry); a < title.Width*title.Height/2 {
		t.Errorf("the title field paints %.0f px² of box (it is %v); it should keep its box", a, title)
	}
	if w.editor.Text != "Some words spoken in a voice note." {
		t.Errorf("the transcript shows %q", w.editor.Text)
	}
}

// TestDocumentThemeFollowsTheApp: apart from the field box, the page
// takes every colour and size from the app's theme of the moment.
func TestDocumentThemeFollowsTheApp(t *testing.T) {
	test.NewTempApp(t)
	th := fyne.CurrentApp().Settings().Theme()
	d := documentTheme{}
	for _, v := range []fyne.ThemeVariant{0, 1} {
		if got, want := d.Color("foreground", v), th.Color("foreground", v); got != want {
			t.Errorf("foreground in variant %d: %v, the app's is %v", v, got, want)
		}
		if got := d.Color("inputBackground", v); got != color.Transparent {
			t.Errorf("input background in variant %d: %v, want exactly color.Transparent (Fyne skips only that)", v, got)
		}
	}
	if got, want := d.Size("text"), th.Size("text"); got != want {
		t.Errorf("text size %v, the app's is %v", got, want)
	}
	if got := d.Size("inputBorder"); got != 0 {
		t.Errorf("input border %v, want 0", got)
	}
}
