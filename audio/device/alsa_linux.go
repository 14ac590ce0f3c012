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

static void releaseALSAConfig(void) {
	snd_config_update_free_global();
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

// releaseProbed unloads what PortAudio's probe of the devices loaded and
// no stream uses. To learn what each ALSA device can do, Pa_Initialize
// opens every one the configuration defines, and with it each plugin's
// library and the libraries those need (the AC3 encoder's libavcodec and
// its codecs, JACK, Speex, libsamplerate: 74 libraries, 10 MiB resident
// on Debian 12). ALSA keeps them loaded with its global configuration
// until that is freed, which otherwise happens only at Pa_Terminate.
// Freeing it now unloads them; the next stream reads the configuration
// again (about a millisecond) and loads only the plugin it goes through.
// Call with no stream open (Init does, before its first user).
func releaseProbed() { C.releaseALSAConfig() }
