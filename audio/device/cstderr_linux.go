//go:build linux && cgo

package device

/*
#cgo CFLAGS: -D_GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

extern void goCStderr(char *buf, int n);

static ssize_t cstderrWrite(void *cookie, const char *buf, size_t n) {
	goCStderr((char *)buf, (int)n);
	return (ssize_t)n;
}

// redirectCStderr points the C library's stderr stream at Go. glibc
// documents stdin, stdout and stderr as ordinary variables a program may
// set; every shared library that prints with fprintf(stderr, ...) reads
// that one variable. The process's file descriptor 2 is left alone.
static int redirectCStderr(void) {
	cookie_io_functions_t io = { .write = cstderrWrite };
	FILE *f = fopencookie(NULL, "w", io);
	if (f == NULL) {
		return -1;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	fflush(stderr);
	stderr = f;
	return 0;
}

static void printToCStderr(const char *s) {
	fputs(s, stderr);
}
*/
import "C"

import (
	"strings"
	"sync"
	"unsafe"
)

var (
	cstderrMu   sync.Mutex
	cstderrLine strings.Builder // a line not yet ended
)

//export goCStderr
func goCStderr(buf *C.char, n C.int) {
	s := C.GoStringN(buf, n)
	cstderrMu.Lock()
	var lines []string
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			cstderrLine.WriteString(s)
			break
		}
		cstderrLine.WriteString(s[:i])
		lines = append(lines, cstderrLine.String())
		cstderrLine.Reset()
		s = s[i+1:]
	}
	cstderrMu.Unlock()
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			Logf("audio library: %s", l)
		}
	}
}

// PortAudio reports failed steps inside a stream call ("Expression
// 'alsa_snd_pcm_..." failed in ..."), for example when the microphone goes
// away mid-recording, by printing to the C library's stderr from whatever
// thread made the call; its hook for that (PaUtil_SetDebugPrintFunction) is
// not exported by the shared library. Those lines would land in the middle
// of the CLI's status line and the terminal the window was started from,
// so all C code's stderr goes to the log instead. Go's own output (a
// panic's trace included) writes file descriptor 2 directly and is not
// affected.
func init() { C.redirectCStderr() }

// cStderrPrint writes s through the C library's stderr, as the audio
// libraries do; for tests.
func cStderrPrint(s string) {
	cs := C.CString(s)
	defer C.free(unsafe.Pointer(cs))
	C.printToCStderr(cs)
}
