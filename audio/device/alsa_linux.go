//go:build linux && cgo

package device

/*
#cgo pkg-config: alsa
#include <alsa/asoundlib.h>
#include <stdarg.h>
#include <stdio.h>

extern void goALSALog(char *msg);

static void alsaHandler(const char *file, int line, const char *function, int err, const char *fmt, ...) {
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	goALSALog(buf);
}

static void installALSAHandler(void) {
	snd_lib_error_set_handler((snd_lib_error_handler_t)alsaHandler);
}
*/
import "C"

//export goALSALog
func goALSALog(msg *C.char) {
	Logf("audio library: ALSA: %s", C.GoString(msg))
}

// ALSA prints its errors (such as buffer underruns during playback) to
// standard error from inside stream calls; send them to the log instead.
func init() { C.installALSAHandler() }
