//go:build !(linux && cgo) && !windows

package keyboard

import "time"

// Focused is the window that has the keyboard now.
func Focused() (Window, error) { return 0, ErrUnsupported }

// Type types text into the window that has the keyboard.
func Type(string) error { return ErrUnsupported }

// ClipboardText is the text on the clipboard: here the window's own
// clipboard is read instead.
func ClipboardText(time.Duration) (string, error) { return "", ErrUnsupported }

// Press presses a key combination in the window that has the keyboard.
func Press(string) error { return ErrUnsupported }

// Title is a window's title.
func Title(Window) string { return "" }

// Hotkey is a key combination grabbed for the whole desktop.
type Hotkey struct{}

// Grab takes combo for the whole desktop.
func Grab(combo string, down, up func()) (*Hotkey, error) {
	return nil, ErrNoGrab
}

// Close gives the combination back.
func (*Hotkey) Close() error { return nil }

// InitThreads does nothing where there is no X11.
func InitThreads() {}

// Finish does nothing here: Type changes no mapping.
func Finish() {}
