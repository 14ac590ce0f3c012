package desktop

import "github.com/go-gl/glfw/v3.3/glfw"

// screenSize is the primary screen's size in pixels (0, 0 when it cannot
// be known). It asks GLFW, which Fyne's driver started: call it on the
// driver's thread (fyne.Do) once the app has started.
func screenSize() (width, height int) {
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return 0, 0
	}
	vm := m.GetVideoMode()
	if vm == nil {
		return 0, 0
	}
	return vm.Width, vm.Height
}
