//go:build unix

package device

import (
	"fmt"
	"log"
	"os"
	"runtime"
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

// TestDescriptor2OutlivesTheGC: replacing os.Stderr with a copy must not
// let the File that was os.Stderr be finalized, which closes descriptor
// 2; the next file opened would become the process's standard error (a
// note being saved would take C libraries' chatter and a panic's trace).
func TestDescriptor2OutlivesTheGC(t *testing.T) {
	// The standard logger held the File that was os.Stderr, as it does in
	// any program that has not set its output; the app's sets it (to
	// internal/earlylog at start-up, then to the log file), which leaves
	// the File to the collector.
	log.SetOutput(os.Stderr)
	var before unix.Stat_t
	if err := unix.Fstat(int(os.Stderr.Fd()), &before); err != nil {
		t.Fatalf("the copy of standard error: %v", err)
	}
	// Two rounds of collection, each awaited by a finalizer of its own:
	// the finalizer goroutine runs a round's queue before the next round's,
	// so when the second sentinel has run, whatever the first collection
	// found unreachable has been finalized too.
	for range 2 {
		done := make(chan struct{})
		sentinel := new([16]byte)
		runtime.SetFinalizer(sentinel, func(*[16]byte) { close(done) })
		sentinel = nil
		runtime.GC()
		<-done
	}
	var after unix.Stat_t
	if err := unix.Fstat(2, &after); err != nil {
		t.Fatalf("descriptor 2 after garbage collection: %v (the old os.Stderr was finalized)", err)
	}
	if after.Dev != before.Dev || after.Ino != before.Ino {
		t.Fatalf("descriptor 2 is no longer standard error after garbage collection (dev %d ino %d, was %d %d)", after.Dev, after.Ino, before.Dev, before.Ino)
	}
}
