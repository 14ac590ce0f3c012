//go:build linux && cgo

package keyboard

/*
#cgo pkg-config: x11 xtst
#include <stdlib.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/XKBlib.h>
#include <X11/keysym.h>
#include <X11/extensions/XTest.h>

static int vn_errors;
static int vn_on_error(Display *d, XErrorEvent *e) { vn_errors++; return 0; }
static void vn_catch(void) { vn_errors = 0; XSetErrorHandler(vn_on_error); }
static int vn_caught(void) { return vn_errors; }

// The window with the keyboard, as a person sees it: the top-level
// window holding the focus.
static Window vn_focus(Display *d) {
	Window w; int revert;
	XGetInputFocus(d, &w, &revert);
	return w;
}

// The window's name, or its top-level parent's (the focus may be on a
// child window); the caller frees it.
static char *vn_name(Display *d, Window w) {
	for (int depth = 0; w && depth < 8; depth++) {
		char *name = NULL;
		if (XFetchName(d, w, &name) && name) return name;
		Window root, parent, *kids = NULL; unsigned int n;
		if (!XQueryTree(d, w, &root, &parent, &kids, &n)) return NULL;
		if (kids) XFree(kids);
		if (parent == root) return NULL;
		w = parent;
	}
	return NULL;
}

// A keycode no key uses, to map a character the keyboard lacks.
static int vn_spare(Display *d) {
	int min, max, per;
	XDisplayKeycodes(d, &min, &max);
	KeySym *map = XGetKeyboardMapping(d, min, max - min + 1, &per);
	int spare = 0;
	for (int k = max; k >= min && !spare; k--) {
		int empty = 1;
		for (int i = 0; i < per; i++) if (map[(k - min) * per + i] != NoSymbol) empty = 0;
		if (empty) spare = k;
	}
	XFree(map);
	return spare;
}

static void vn_map(Display *d, int code, KeySym sym) {
	KeySym syms[2] = {sym, sym};
	XChangeKeyboardMapping(d, code, 2, syms, 1);
	XSync(d, False);
}

static void vn_tap(Display *d, int code, int shift) {
	int sc = XKeysymToKeycode(d, XK_Shift_L);
	if (shift) XTestFakeKeyEvent(d, sc, True, CurrentTime);
	XTestFakeKeyEvent(d, code, True, CurrentTime);
	XTestFakeKeyEvent(d, code, False, CurrentTime);
	if (shift) XTestFakeKeyEvent(d, sc, False, CurrentTime);
	XSync(d, False);
}

// Presses a key with modifiers held (ControlMask, Mod1Mask, ShiftMask,
// Mod4Mask), and lets all go.
static void vn_press(Display *d, int code, unsigned int mods) {
	KeySym syms[4] = {XK_Control_L, XK_Alt_L, XK_Shift_L, XK_Super_L};
	unsigned int masks[4] = {ControlMask, Mod1Mask, ShiftMask, Mod4Mask};
	for (int i = 0; i < 4; i++) if (mods & masks[i]) XTestFakeKeyEvent(d, XKeysymToKeycode(d, syms[i]), True, CurrentTime);
	XTestFakeKeyEvent(d, code, True, CurrentTime);
	XTestFakeKeyEvent(d, code, False, CurrentTime);
	for (int i = 3; i >= 0; i--) if (mods & masks[i]) XTestFakeKeyEvent(d, XKeysymToKeycode(d, syms[i]), False, CurrentTime);
	XSync(d, False);
}

// Which of a keycode's first two levels holds sym: 0 plain, 1 with Shift,
// -1 neither.
static int vn_level(Display *d, int code, KeySym sym) {
	if (XkbKeycodeToKeysym(d, code, 0, 0) == sym) return 0;
	if (XkbKeycodeToKeysym(d, code, 0, 1) == sym) return 1;
	return -1;
}
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"
)

// open connects to the X server of $DISPLAY; the caller closes it.
var initThreads sync.Once

// InitThreads makes Xlib safe for the several threads of this process
// that use it (the window's, the shortcut's listener, grabs, typing). It
// must come before any X connection of the process, GLFW's included, and
// not at the same time as another thread's Xlib call: call it first
// thing, on the main thread. Later calls do nothing.
func InitThreads() { initThreads.Do(func() { C.XInitThreads() }) }

func open() (*C.Display, error) {
	if os.Getenv("DISPLAY") == "" {
		if os.Getenv("WAYLAND_DISPLAY") != "" {
			return nil, fmt.Errorf("%w (Wayland lets no app type into another)", ErrUnsupported)
		}
		return nil, ErrUnsupported
	}
	InitThreads() // the desktop calls it first; the command line may not
	d := C.XOpenDisplay(nil)
	if d == nil {
		return nil, fmt.Errorf("cannot reach the X server at %s", os.Getenv("DISPLAY"))
	}
	return d, nil
}

// openXTest connects to the X server (the caller closes it), which must
// have the XTEST extension for what (typing, pasting) to work.
func openXTest(what string) (*C.Display, error) {
	d, err := open()
	if err != nil {
		return nil, err
	}
	var ev, errb, major, minor C.int
	if C.XTestQueryExtension(d, &ev, &errb, &major, &minor) == 0 {
		C.XCloseDisplay(d)
		return nil, fmt.Errorf("the X server has no XTEST extension, which %s needs", what)
	}
	return d, nil
}

// Focused is the window that has the keyboard now.
func Focused() (Window, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d, err := open()
	if err != nil {
		return 0, err
	}
	defer C.XCloseDisplay(d)
	return Window(C.vn_focus(d)), nil
}

// Title is a window's title ("" when it has none).
func Title(w Window) string {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d, err := open()
	if err != nil || w == 0 {
		if d != nil {
			C.XCloseDisplay(d)
		}
		return ""
	}
	defer C.XCloseDisplay(d)
	C.vn_catch()
	defer C.XSetErrorHandler(nil)
	name := C.vn_name(d, C.Window(w))
	if name == nil {
		return ""
	}
	defer C.XFree(unsafe.Pointer(name))
	return C.GoString(name)
}

// Type types text into the window that has the keyboard, character by
// character: a line end is Return, a tab is Tab; a character no key
// gives is typed through a spare key mapped to it for that moment.
func Type(text string) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d, err := openXTest("typing into other apps")
	if err != nil {
		return err
	}
	defer C.XCloseDisplay(d)
	C.vn_catch()
	defer C.XSetErrorHandler(nil)
	spare := C.vn_spare(d)
	mapped := false
	defer func() {
		if mapped {
			// The app reads its keys after they are sent: the spare key
			// keeps its last character until it has.
			time.Sleep(50 * time.Millisecond)
			C.vn_map(d, spare, 0) // the spare key back to nothing
		}
	}()
	for _, r := range text {
		if r == utf8.RuneError {
			continue
		}
		var sym C.KeySym
		switch {
		case r == '\n':
			sym = C.XK_Return
		case r == '\t':
			sym = C.XK_Tab
		case r < 0x20 || r == 0x7f:
			continue // no control characters into another app
		case r < 0x100:
			sym = C.KeySym(r) // Latin-1 keysyms are the code points
		default:
			sym = C.KeySym(0x01000000 | r) // Unicode keysyms
		}
		code := C.XKeysymToKeycode(d, sym)
		level := C.int(-1)
		if code != 0 {
			level = C.vn_level(d, C.int(code), sym)
		}
		if code == 0 || level < 0 {
			if spare == 0 {
				return fmt.Errorf("no key types %q and none is free to map it to", r)
			}
			if mapped {
				// The last character typed through the spare key must be
				// read before the key means another.
				time.Sleep(20 * time.Millisecond)
			}
			C.vn_map(d, spare, sym)
			mapped = true
			// Let the focused app see the new mapping before the key.
			time.Sleep(5 * time.Millisecond)
			C.vn_tap(d, spare, 0)
			continue
		}
		C.vn_tap(d, C.int(code), level)
	}
	if C.vn_caught() > 0 {
		return fmt.Errorf("the X server refused %d of the typed keys", int(C.vn_caught()))
	}
	return nil
}

// Press presses a key combination ("Ctrl+V") in the window that has the
// keyboard, as if on the keyboard: a dictation pastes with it.
func Press(combo string) error {
	mods, sym, err := parseCombo(combo)
	if err != nil {
		return err
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d, err := openXTest("pasting into other apps")
	if err != nil {
		return err
	}
	defer C.XCloseDisplay(d)
	code := C.XKeysymToKeycode(d, C.KeySym(sym))
	if code == 0 {
		return fmt.Errorf("the keyboard has no key for %q", combo)
	}
	C.vn_catch()
	defer C.XSetErrorHandler(nil)
	C.vn_press(d, C.int(code), C.uint(mods))
	if C.vn_caught() > 0 {
		return fmt.Errorf("the X server refused the keys %s", combo)
	}
	return nil
}
