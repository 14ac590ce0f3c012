package transcribe

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// lowPriority makes the calling goroutine's thread yield to the rest of
// the app (nice 10) for the rest of the goroutine: the thread is locked to
// it and so is discarded, not reused, when the goroutine ends. Loading a
// decoder ahead of time is work nobody is waiting for; the window's
// thread and the audio must not wait for it on a machine with few cores.
func lowPriority() {
	runtime.LockOSThread()
	unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 10)
}
