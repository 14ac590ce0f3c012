//go:build linux && cgo

package device

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/voicenotes/voicenotes/internal/pulsetest"
)

// TestCStderrGoesToLog: what C code prints with fprintf(stderr, ...)
// reaches Logf a line at a time, and nothing of it reaches file descriptor 2.
func TestCStderrGoesToLog(t *testing.T) {
	var mu sync.Mutex
	var logged []string
	saved := Logf
	Logf = func(format string, args ...any) {
		mu.Lock()
		logged = append(logged, strings.TrimSpace(fmt.Sprintf(format, args...)))
		mu.Unlock()
	}
	defer func() { Logf = saved }()

	fd2 := pulsetest.CaptureStderr(t)
	cStderrPrint("Expression 'err' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 3641\n")
	cStderrPrint("a line in ")
	cStderrPrint("two writes\n\n")
	if out := fd2(); out != "" {
		t.Errorf("file descriptor 2 received %q; C's stderr should go to the log", out)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"audio library: Expression 'err' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 3641",
		"audio library: a line in two writes",
	}
	if strings.Join(logged, "\n") != strings.Join(want, "\n") {
		t.Errorf("logged %q, want %q", logged, want)
	}
}
