package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// newWarmShadow is an invisible gradient the window draws from its first
// frame, the size of the shadow a scrolled list draws at its edge (a
// vertical gradient 8 units high, so a texture 1 by 8 pixels).
//
// On a machine without a GPU, Mesa's llvmpipe compiles a new shader
// variant the first time it samples a texture of a new kind; the list's
// shadow is the window's first such texture, and it first appears when
// the list first overflows, usually as a recording is saved. Measured
// under Xvfb: that one frame took 51 ms to paint instead of 10, 35 ms of
// it the shadow (make bench, BenchmarkRecordStart). Drawn at launch, the
// cost is paid before anyone presses anything. Fully transparent, it
// shows nothing, and the frame pays a 1-by-8 quad for it.
func newWarmShadow() *canvas.LinearGradient {
	g := canvas.NewVerticalGradient(color.Transparent, color.Transparent)
	g.Resize(fyne.NewSize(1, 8))
	return g
}
