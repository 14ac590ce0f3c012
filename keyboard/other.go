//go:build !(linux && cgo)

package keyboard

// Focused is the window that has the keyboard now.
func Focused() (Window, error) { return 0, ErrUnsupported }

// Type types text into the window that has the keyboard.
func Type(string) error { return ErrUnsupported }

// Title is a window's title.
func Title(Window) string { return "" }
