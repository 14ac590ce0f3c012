//go:build unix

package device

import (
	"bufio"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

var quietMu sync.Mutex

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
