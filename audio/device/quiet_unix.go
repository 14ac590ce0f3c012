//go:build unix

package device

import (
	"bufio"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

var quietMu sync.Mutex

// The program's own writes to standard error (its log, errors, the
// traces make e2e reads) go through os.Stderr, which is made here a copy
// of file descriptor 2 taken before any quiet: quiet points descriptor 2
// elsewhere for the whole process while a device opens, and without the
// copy what any other goroutine printed meanwhile went into the audio
// library's pipe (a trace line written while a dictation's microphone
// opened was lost, and the e2e test waiting for it hung). Only what C
// code writes to descriptor 2 itself is taken.
//
// The *os.File that was os.Stderr is kept in fd2: its finalizer closes
// descriptor 2, and once it was unreachable the first garbage collection
// did (seen under strace in the window, a second after launch). The next
// file the process opened then became descriptor 2 (there, an inotify
// watch): a note being saved in its place would take C libraries' chatter
// and a panic's trace, and quiet's Dup2 would swap it for the pipe.
//
//lint:ignore U1000 held, never read: being reachable is its use
var fd2 *os.File

func init() {
	fd, err := unix.FcntlInt(2, unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return // no standard error at all: nothing to keep apart
	}
	fd2 = os.Stderr
	os.Stderr = os.NewFile(uintptr(fd), "/dev/stderr")
}

// quiet runs f with the process's standard error (file descriptor 2)
// pointed at a pipe whose lines go to Logf: ALSA, JACK and PortAudio print
// there directly from C while devices are probed and opened.
// Setting VOICENOTES_AUDIO_STDERR=1 leaves standard error alone, for
// debugging the audio libraries.
func quiet(f func()) {
	if os.Getenv("VOICENOTES_AUDIO_STDERR") != "" {
		f()
		return
	}
	quietMu.Lock()
	defer quietMu.Unlock()
	saved, err := unix.Dup(2)
	if err != nil {
		f()
		return
	}
	r, w, err := os.Pipe()
	if err != nil {
		unix.Close(saved)
		f()
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			Logf("audio library: %s", sc.Text())
		}
		r.Close()
	})
	unix.Dup2(int(w.Fd()), 2)
	defer func() {
		unix.Dup2(saved, 2)
		unix.Close(saved)
		w.Close()
		wg.Wait()
	}()
	f()
}
