//go:build linux && cgo

package keyboard

/*
#cgo pkg-config: x11
#include <stdlib.h>
#include <poll.h>
#include <X11/Xlib.h>
#include <X11/XKBlib.h>
#include <X11/keysym.h>

static int vn_grab_errors;
static int vn_grab_on_error(Display *d, XErrorEvent *e) { vn_grab_errors++; return 0; }

// Grabs keycode with mods on the root window, with every combination of
// Caps Lock and Num Lock too (they would otherwise make the shortcut
// miss); returns how many grabs the server refused (taken by another
// program).
static int vn_grab(Display *d, int code, unsigned int mods) {
	Window root = DefaultRootWindow(d);
	unsigned int extra[4] = {0, LockMask, Mod2Mask, LockMask | Mod2Mask};
	XErrorHandler old = XSetErrorHandler(vn_grab_on_error);
	vn_grab_errors = 0;
	for (int i = 0; i < 4; i++) XGrabKey(d, code, mods | extra[i], root, True, GrabModeAsync, GrabModeAsync);
	XSync(d, False);
	XSetErrorHandler(old);
	Bool supported;
	XkbSetDetectableAutoRepeat(d, True, &supported); // a held key: one press, one release
	XSelectInput(d, root, KeyPressMask | KeyReleaseMask);
	XSync(d, False);
	return vn_grab_errors;
}

static void vn_ungrab(Display *d, int code, unsigned int mods) {
	Window root = DefaultRootWindow(d);
	unsigned int extra[4] = {0, LockMask, Mod2Mask, LockMask | Mod2Mask};
	for (int i = 0; i < 4; i++) XUngrabKey(d, code, mods | extra[i], root);
	XSync(d, False);
}

// Waits for an event of the key, or for wake to be readable; returns 1
// press, 2 release (with the server's time of it in *at), 0 woken or
// nothing of the key.
static int vn_next(Display *d, int code, int wake, unsigned long *at) {
	if (!XPending(d)) {
		struct pollfd p[2] = {{ConnectionNumber(d), POLLIN, 0}, {wake, POLLIN, 0}};
		if (poll(p, 2, -1) <= 0 || (p[1].revents & POLLIN)) return 0;
	}
	while (XPending(d)) {
		XEvent e;
		XNextEvent(d, &e);
		if ((e.type == KeyPress || e.type == KeyRelease) && e.xkey.keycode == (unsigned)code) {
			*at = e.xkey.time;
			return e.type == KeyPress ? 1 : 2;
		}
	}
	return 0;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// Hotkey is a key combination grabbed for the whole desktop.
type Hotkey struct {
	stop chan struct{}
	wake *os.File // written by Close: the listener blocks on X until then
	done sync.WaitGroup
}

// Grab takes combo (such as "Ctrl+Alt+Space") for the whole desktop:
// pressed in any app, down runs, and up when it is let go (once each,
// however long it is held). It fails, saying so, when another program
// holds the combination. Close gives it back.
func Grab(combo string, down, up func()) (*Hotkey, error) {
	mods, sym, err := parseCombo(combo)
	if err != nil {
		return nil, err
	}
	r, wake, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	h := &Hotkey{stop: make(chan struct{}), wake: wake}
	ready := make(chan error, 1)
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		defer r.Close()
		runtime.LockOSThread() // one X connection, one thread
		defer runtime.UnlockOSThread()
		d, err := open()
		if err != nil {
			if errors.Is(err, ErrUnsupported) {
				err = ErrNoGrab
			}
			ready <- err
			return
		}
		defer C.XCloseDisplay(d)
		code := C.int(C.XKeysymToKeycode(d, C.KeySym(sym)))
		if code == 0 {
			ready <- fmt.Errorf("the keyboard has no key for %q", combo)
			return
		}
		if C.vn_grab(d, code, C.uint(mods)) > 0 {
			C.vn_ungrab(d, code, C.uint(mods))
			ready <- fmt.Errorf("%s is taken by another program: choose another shortcut in Settings, or free it there", combo)
			return
		}
		defer C.vn_ungrab(d, code, C.uint(mods))
		ready <- nil
		var k keyState
		for {
			select {
			case <-h.stop:
				return
			default:
			}
			var at C.ulong
			ev := C.vn_next(d, code, C.int(r.Fd()), &at)
			if ev == 0 {
				continue
			}
			lost, pressed, released := k.event(ev == 1, uint64(at))
			if lost && up != nil {
				up() // its release was never heard: it was let go
			}
			if pressed {
				down()
			}
			if released && up != nil {
				up()
			}
		}
	}()
	if err := <-ready; err != nil {
		h.done.Wait()
		wake.Close()
		return nil, err
	}
	return h, nil
}

// Close gives the combination back.
func (h *Hotkey) Close() error {
	close(h.stop)
	h.wake.Write([]byte{0})
	h.done.Wait()
	return h.wake.Close()
}

// parseCombo reads "Ctrl+Alt+Space", "Super+D", "Shift+F9"…
func parseCombo(combo string) (mods uint, sym uint64, err error) {
	parts := strings.Split(combo, "+")
	key := strings.TrimSpace(parts[len(parts)-1])
	for _, m := range parts[:len(parts)-1] {
		switch strings.ToLower(strings.TrimSpace(m)) {
		case "ctrl", "control":
			mods |= C.ControlMask
		case "alt":
			mods |= C.Mod1Mask
		case "shift":
			mods |= C.ShiftMask
		case "super", "win", "meta":
			mods |= C.Mod4Mask
		default:
			return 0, 0, fmt.Errorf("%q in the shortcut %q is not Ctrl, Alt, Shift or Super", m, combo)
		}
	}
	if key == "" {
		return 0, 0, fmt.Errorf("the shortcut %q names no key", combo)
	}
	name := map[string]string{"space": "space", "enter": "Return", "return": "Return", "tab": "Tab", "esc": "Escape", "escape": "Escape"}[strings.ToLower(key)]
	if name == "" {
		name = key
		if len(key) == 1 {
			name = strings.ToLower(key)
		}
	}
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	s := C.XStringToKeysym(cs)
	if s == C.NoSymbol {
		return 0, 0, fmt.Errorf("%q in the shortcut %q is not a key", key, combo)
	}
	return mods, uint64(s), nil
}
