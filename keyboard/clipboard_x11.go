//go:build linux && cgo

package keyboard

/*
#cgo pkg-config: x11
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include <X11/Xlib.h>
#include <X11/Xatom.h>

static long vn_ms_since(struct timespec *t0) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

// Asks the CLIPBOARD's owner for its text as UTF-8 and waits at most ms
// for the answer. 1: *out holds *n bytes (the caller frees it); 0: no
// owner (nothing copied); -1: no answer in time; -2: the owner has no
// text; -3: the text comes in pieces (INCR, a very large clipboard).
static int vn_clipboard(Display *d, int ms, char **out, unsigned long *n) {
	*out = NULL;
	*n = 0;
	Atom clip = XInternAtom(d, "CLIPBOARD", False);
	Atom utf8 = XInternAtom(d, "UTF8_STRING", False);
	Atom incr = XInternAtom(d, "INCR", False);
	Atom prop = XInternAtom(d, "VOICENOTES_CLIPBOARD", False);
	if (XGetSelectionOwner(d, clip) == None) return 0;
	Window w = XCreateSimpleWindow(d, DefaultRootWindow(d), 0, 0, 1, 1, 0, 0, 0);
	XConvertSelection(d, clip, utf8, prop, w, CurrentTime);
	XFlush(d);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int result = -1;
	for (;;) {
		XEvent ev;
		int got = 0;
		while (XPending(d)) {
			XNextEvent(d, &ev);
			if (ev.type == SelectionNotify && ev.xselection.requestor == w) {
				got = 1;
				break;
			}
		}
		if (got) {
			if (ev.xselection.property == None) {
				result = -2;
				break;
			}
			Atom type;
			int format;
			unsigned long items, after;
			unsigned char *data = NULL;
			if (XGetWindowProperty(d, w, prop, 0, 1L << 22, True, AnyPropertyType, &type, &format, &items, &after, &data) != Success) {
				result = -2;
				break;
			}
			if (type == incr) {
				result = -3;
			} else if (format == 8 && data != NULL) {
				*out = malloc(items + 1);
				memcpy(*out, data, items);
				(*out)[items] = 0;
				*n = items;
				result = 1;
			} else {
				result = -2;
			}
			if (data) XFree(data);
			break;
		}
		long left = ms - vn_ms_since(&t0);
		if (left <= 0) break;
		struct pollfd p = {ConnectionNumber(d), POLLIN, 0};
		poll(&p, 1, (int)left);
	}
	XDestroyWindow(d, w);
	XFlush(d);
	return result;
}
*/
import "C"

import (
	"errors"
	"runtime"
	"time"
	"unsafe"
)

// ErrClipboardSlow means the clipboard's owner did not answer in time.
var ErrClipboardSlow = errors.New("the program holding the clipboard did not answer")

// ClipboardText is the text on the clipboard now ("" when nothing was
// copied), asked of its owner on a connection of its own and waited for
// at most timeout: a hung owner never holds up the caller (Fyne's own
// reading waits for it without end, on the window's thread).
func ClipboardText(timeout time.Duration) (string, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d, err := open()
	if err != nil {
		return "", err
	}
	defer C.XCloseDisplay(d)
	var out *C.char
	var n C.ulong
	switch C.vn_clipboard(d, C.int(timeout.Milliseconds()), &out, &n) {
	case 1:
		defer C.free(unsafe.Pointer(out))
		return C.GoStringN(out, C.int(n)), nil
	case 0:
		return "", nil
	case -1:
		return "", ErrClipboardSlow
	case -3:
		return "", errors.New("the clipboard holds more than can be kept to give back")
	default:
		return "", errors.New("the clipboard holds no text")
	}
}
