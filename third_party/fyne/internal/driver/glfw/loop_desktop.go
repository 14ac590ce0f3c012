//go:build !wasm && !test_web_driver

package glfw

import (
	"fyne.io/fyne/v2"

	"github.com/go-gl/glfw/v3.3/glfw"
)

func (d *gLDriver) initGLFW() {
	err := glfw.Init()
	if err != nil {
		fyne.LogError("failed to initialise GLFW", err)
		return
	}

	initCursors()
}

func (d *gLDriver) pollEvents() {
	glfw.PollEvents() // This call blocks while window is being resized, which prevents freeDirtyTextures from being called
}

func (d *gLDriver) Terminate() {
	glfw.Terminate()
}

// waitEvents waits until an event arrives, postEmptyEvent is called or
// timeout (seconds) passes, and handles the events as pollEvents does
// (Voice Notes patch).
func (d *gLDriver) waitEvents(timeout float64) {
	glfw.WaitEventsTimeout(timeout)
}

// postEmptyEvent ends a waitEvents; it is safe from any goroutine (Voice
// Notes patch). The binding panics on any GLFW error it then finds,
// which may be another thread's: a wake that fails leaves the loop to its
// own timeout rather than ending the program.
func postEmptyEvent() {
	defer func() { _ = recover() }()
	glfw.PostEmptyEvent()
}
