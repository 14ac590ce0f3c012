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

// What a keycode gives now: 0 when nothing, its keysym when that is the
// only one it gives (as vn_map leaves it; the server's XKB may repeat it
// in other groups), -1 otherwise (a key in use).
static long vn_gives(Display *d, int code) {
	int min, max, per;
	XDisplayKeycodes(d, &min, &max);
	if (code < min || code > max) return -1;
	KeySym *map = XGetKeyboardMapping(d, code, 1, &per);
	if (!map) return -1;
	long gives = 0;
	for (int i = 0; i < per; i++) {
		KeySym s = map[i];
		if (s == NoSymbol) continue;
		if (gives != 0 && gives != (long)s) { gives = -1; break; }
		gives = (long)s;
	}
	XFree(map);
	return gives;
}

// Up to n keycodes no key uses (from the top), into codes; how many.
static int vn_spares(Display *d, int *codes, int n) {
	int min, max, per, found = 0;
	XDisplayKeycodes(d, &min, &max);
	KeySym *map = XGetKeyboardMapping(d, min, max - min + 1, &per);
	if (!map) return 0;
	for (int k = max; k >= min && found < n; k--) {
		int empty = 1;
		for (int i = 0; i < per; i++) if (map[(k - min) * per + i] != NoSymbol) empty = 0;
		if (empty) codes[found++] = k;
	}
	XFree(map);
	return found;
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
	"slices"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"
)

var initThreads sync.Once

// InitThreads makes Xlib safe for the several threads of this process
// that use it (the window's, the shortcut's listener, grabs, typing). It
// must come before any X connection of the process, GLFW's included, and
// not at the same time as another thread's Xlib call: call it first
// thing, on the main thread. Later calls do nothing.
func InitThreads() { initThreads.Do(func() { C.XInitThreads() }) }

// open connects to the X server of $DISPLAY; the caller closes it.
func open() (*C.Display, error) {
	if os.Getenv("DISPLAY") == "" {
		if os.Getenv("WAYLAND_DISPLAY") != "" {
			return nil, fmt.Errorf("%w (Wayland lets no app type into another)", ErrUnsupported)
		}
		return nil, ErrUnsupported
	}
	return openOn(os.Getenv("DISPLAY"))
}

// openOn connects to the X server named display; the caller closes it.
func openOn(display string) (*C.Display, error) {
	InitThreads() // the desktop calls it first; the command line may not
	name := C.CString(display)
	defer C.free(unsafe.Pointer(name))
	d := C.XOpenDisplay(name)
	if d == nil {
		return nil, fmt.Errorf("cannot reach the X server at %s", display)
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

// onDisplay runs f with a connection to $DISPLAY's server, on one thread.
func onDisplay(f func(d *C.Display)) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d, err := open()
	if err != nil {
		return err
	}
	defer C.XCloseDisplay(d)
	f(d)
	return nil
}

// Focused is the window that has the keyboard now.
func Focused() (w Window, err error) {
	err = onDisplay(func(d *C.Display) { w = Window(C.vn_focus(d)) })
	return w, err
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
// gives is typed through a spare key mapped to it (see spares).
func Type(text string) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d, err := openXTest("typing into other apps")
	if err != nil {
		return err
	}
	defer C.XCloseDisplay(d)
	spares.Lock()
	defer spares.Unlock()
	spares.take(d)
	defer spares.releaseLater()
	C.vn_catch()
	defer C.XSetErrorHandler(nil)
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
		if code, ok := spares.keyFor(sym); ok {
			C.vn_tap(d, code, 0)
			continue
		}
		code := C.XKeysymToKeycode(d, sym)
		level := C.int(-1)
		if code != 0 {
			level = C.vn_level(d, C.int(code), sym)
		}
		if code == 0 || level < 0 {
			spare, err := spares.mapKey(d, sym, r)
			if err != nil {
				return err
			}
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

// spares are the keycodes no key uses, which Type maps the characters no
// key gives to. The keyboard mapping is the X server's, and an app
// translates a key press by the mapping it knows when it reads the press,
// which on a busy machine can be long after it was sent: a key given
// another character before the app has read its earlier presses types
// the new character there (a loaded run's xterm got "cafß" for "café"
// when one spare key was remapped 20 ms after each press). Nothing in X
// says when another app has read its keys, so a character keeps its key:
// each gets a spare key of its own, kept for later text; only when every
// spare is taken does the least recently typed one get another
// character, and not within reuseAfter of its last press; and the keys go
// back to nothing restoreAfter after the last typing, when any app has
// long read them.
var spares spareKeys

var (
	maxSpares    = 32
	reuseAfter   = time.Second
	restoreAfter = 30 * time.Second
)

type spareKey struct {
	code C.int
	sym  C.KeySym // 0: mapped to nothing
	used time.Time
}

type spareKeys struct {
	sync.Mutex
	display string // the X server the keys are on
	keys    []spareKey
	restore *time.Timer
}

// take readies the keys for typing on d (s held): keys another program
// has mapped since are given up, and free ones found up to maxSpares.
func (s *spareKeys) take(d *C.Display) {
	if s.restore != nil {
		s.restore.Stop()
		s.restore = nil
	}
	if display := os.Getenv("DISPLAY"); display != s.display {
		s.display, s.keys = display, nil
	}
	kept := s.keys[:0]
	for _, k := range s.keys {
		if C.vn_gives(d, k.code) == C.long(k.sym) {
			kept = append(kept, k)
		}
	}
	s.keys = kept
	if len(s.keys) > maxSpares {
		// Fewer are allowed than are held (a test lowered it, on a new
		// server that took the display name of the last): unmapped keys
		// are given up first, so none is left holding a character.
		var mapped, free []spareKey
		for _, k := range s.keys {
			if k.sym != 0 {
				mapped = append(mapped, k)
			} else {
				free = append(free, k)
			}
		}
		s.keys = append(mapped, free[:max(0, min(len(free), maxSpares-len(mapped)))]...)
	}
	if len(s.keys) >= maxSpares {
		return
	}
	codes := make([]C.int, maxSpares+len(s.keys))
	n := int(C.vn_spares(d, &codes[0], C.int(len(codes))))
	for _, code := range codes[:n] {
		if len(s.keys) == maxSpares {
			break
		}
		if !slices.ContainsFunc(s.keys, func(k spareKey) bool { return k.code == code }) {
			s.keys = append(s.keys, spareKey{code: code})
		}
	}
}

// keyFor is the spare key that types sym now, if one does.
func (s *spareKeys) keyFor(sym C.KeySym) (C.int, bool) {
	for i := range s.keys {
		if s.keys[i].sym == sym {
			s.keys[i].used = time.Now()
			return s.keys[i].code, true
		}
	}
	return 0, false
}

// mapKey maps a spare key to sym (r, for the error) and returns it: a
// free one, else the least recently typed, once reuseAfter has passed
// since its last press.
func (s *spareKeys) mapKey(d *C.Display, sym C.KeySym, r rune) (C.int, error) {
	if len(s.keys) == 0 {
		return 0, fmt.Errorf("no key types %q and none is free to map it to", r)
	}
	pick := 0
	for i, k := range s.keys {
		if k.sym == 0 {
			pick = i
			break
		}
		if k.used.Before(s.keys[pick].used) {
			pick = i
		}
	}
	k := &s.keys[pick]
	if k.sym != 0 {
		time.Sleep(time.Until(k.used.Add(reuseAfter)))
	}
	// The server sends the change to every app before the press that
	// follows, so the app reads the key as sym.
	C.vn_map(d, k.code, sym)
	k.sym, k.used = sym, time.Now()
	return k.code, nil
}

// Finish gives the spare keys back before the process ends, once the app
// typed into has had reuseAfter since the last press to read them (a
// command that types and exits calls it; later, the keys would stay
// mapped until the X server ends).
func Finish() {
	spares.Lock()
	last := time.Time{}
	for _, k := range spares.keys {
		if k.sym != 0 && k.used.After(last) {
			last = k.used
		}
	}
	spares.Unlock()
	if last.IsZero() {
		return
	}
	time.Sleep(time.Until(last.Add(reuseAfter)))
	spares.release()
}

// keyGives is what keycode code gives now on $DISPLAY's server, as
// vn_gives says (for the tests).
func keyGives(code int) (gives int64, err error) {
	err = onDisplay(func(d *C.Display) { gives = int64(C.vn_gives(d, C.int(code))) })
	return gives, err
}

// releaseLater maps the keys back to nothing restoreAfter from now (s
// held), unless typing starts again first.
func (s *spareKeys) releaseLater() {
	s.restore = time.AfterFunc(restoreAfter, s.release)
}

// release maps the spare keys back to nothing, those that are still as
// Type left them.
func (s *spareKeys) release() {
	s.Lock()
	defer s.Unlock()
	if !slices.ContainsFunc(s.keys, func(k spareKey) bool { return k.sym != 0 }) {
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d, err := openOn(s.display)
	if err != nil {
		s.keys = nil // that server is gone, and its mapping with it
		return
	}
	defer C.XCloseDisplay(d)
	C.vn_catch()
	defer C.XSetErrorHandler(nil)
	for i := range s.keys {
		k := &s.keys[i]
		if k.sym != 0 && C.vn_gives(d, k.code) == C.long(k.sym) {
			C.vn_map(d, k.code, 0)
		}
		k.sym = 0
	}
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
