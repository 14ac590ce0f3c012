// Command barefyne is a bare Fyne window (a label, the size of Voice
// Notes' window): the peer make bench measures Voice Notes' idle cost
// against, in the same run. What a window that does nothing costs in Fyne
// (its GL context and fonts stay resident; its event loop, patched in
// third_party/fyne, waits for events when idle) no app built on it can go
// below. With BAREFYNE_TRACE set it says "voicenotes: first frame" on
// stderr as Voice Notes does (desktop.go), for make bench's launch figure.
package main

import (
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("io.github.voicenotes.barefyne")
	w := a.NewWindow("bare Fyne")
	w.SetContent(widget.NewLabel("A Fyne window doing nothing"))
	w.Resize(fyne.NewSize(1100, 700))
	if os.Getenv("BAREFYNE_TRACE") != "" {
		a.Lifecycle().SetOnStarted(func() {
			fyne.Do(func() { fmt.Fprintln(os.Stderr, "voicenotes: first frame") })
		})
	}
	w.ShowAndRun()
}
