//go:build unix

package device

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// TestQuietKeepsOurOwnStderr: while quiet has file descriptor 2 pointed
// at the audio library's pipe (a device opening), what another goroutine
// of the program prints on os.Stderr is not taken for the library's
// chatter: it stays on the program's standard error. (A trace written
// while a dictation's microphone opened was lost this way, and the e2e
// test waiting for it hung.)
func TestQuietKeepsOurOwnStderr(t *testing.T) {
	if os.Getenv("VOICENOTES_AUDIO_STDERR") != "" {
		t.Skip("VOICENOTES_AUDIO_STDERR is set: quiet leaves standard error alone")
	}
	var mu sync.Mutex
	var logged []string
	saved := Logf
	Logf = func(format string, args ...any) {
		mu.Lock()
		logged = append(logged, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	defer func() { Logf = saved }()
	if os.Stderr.Fd() == 2 {
		t.Fatal("os.Stderr is file descriptor 2 itself, which quiet points elsewhere")
	}
	quiet(func() {
		done := make(chan struct{})
		go func() {
			defer close(done)
			fmt.Fprintln(os.Stderr, "voicenotes: a line of the program's own, printed while a device opens")
		}()
		<-done
		unix.Write(2, []byte("what a library writes to descriptor 2\n"))
	})
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(logged, "\n")
	if strings.Contains(all, "program's own") {
		t.Errorf("the program's own line went to the audio library's log: %q", logged)
	}
	if !strings.Contains(all, "audio library: what a library writes to descriptor 2") {
		t.Errorf("what a library wrote to descriptor 2 was not taken to the log: %q", logged)
	}
}
