package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// asDocument shows a text field as a page of the window rather than as a
// box: no input background and no border. The transcript fills most of
// the window, and Fyne paints every object whole on each frame; its
// rounded box and border were two window-sized passes of a per-pixel
// shader, the largest part of a frame with software rendering (a frame
// of a window-sized multi-line entry: 25-31 ms under Xvfb here, 7-8 ms
// without them). The tabs above frame it instead.
func asDocument(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewThemeOverride(o, documentTheme{})
}

// documentTheme is the app's theme, whichever it is now, with text fields
// drawn without box or border.
type documentTheme struct{}

func (documentTheme) current() fyne.Theme {
	if a := fyne.CurrentApp(); a != nil && a.Settings().Theme() != nil {
		return a.Settings().Theme()
	}
	return theme.DefaultTheme()
}

func (d documentTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameInputBackground {
		return color.Transparent // exactly: Fyne skips painting it
	}
	return d.current().Color(n, v)
}

func (d documentTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameInputBorder {
		return 0 // no stroke: Fyne skips painting the border
	}
	return d.current().Size(n)
}

func (d documentTheme) Font(s fyne.TextStyle) fyne.Resource { return d.current().Font(s) }

func (d documentTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return d.current().Icon(n) }
