// Package keyboard puts dictated text where the person's cursor is: it
// tells which window has the keyboard, and types text into it as if on
// the keyboard. On X11 it asks the server (XGetInputFocus) and types with
// the XTEST extension, mapping a spare key for a character the keyboard
// has no key for, as xdotool does. Elsewhere it says it cannot yet (the
// text stays on the clipboard).
package keyboard

import "errors"

// ErrUnsupported is a desktop this package cannot type into yet.
var ErrUnsupported = errors.New("typing into other apps is not supported on this desktop yet; the text is on the clipboard")

// Window is a window of the desktop, as its window system names it (0:
// none).
type Window uint64

// ErrNoGrab is a desktop where an app cannot take a shortcut for the
// whole desktop (Wayland gives no app that power).
var ErrNoGrab = errors.New("this desktop lets no app take a shortcut for the whole desktop: bind voicenotes dictate in the desktop's own keyboard shortcut settings instead")
