package desktop

import (
	"bytes"
	"runtime"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
)

// Fyne 2.7.1 can hang on its way out. When its event loop ends (SIGTERM,
// the tray's Quit, the last window closed) it queues its own stop hook,
// which the lifecycle goroutine hands to the loop's function queue; the
// loop drains that queue by its length, so a hook still in transit is
// lost, and Run waits for it for ever; what Window.Shutdown saves after
// the loop (a recording in progress, unsaved edits) would never be saved.
//
// quitGuard watches for that state: the loop gone (a function handed to
// fyne.DoAndWait runs at once on the caller's goroutine, which Fyne does
// only once its queue is drained and closed) while Run has not returned.
// Then nothing will touch a widget again, so what Run's return would have
// done is done here, and the process exits.
type quitGuard struct {
	returned chan struct{} // closed when Run returned
	every    time.Duration // how often to look
	grace    time.Duration // how long Run may take once the loop is gone
}

func newQuitGuard() *quitGuard {
	return &quitGuard{returned: make(chan struct{}), every: time.Second, grace: 3 * time.Second}
}

// ran says Run returned.
func (g *quitGuard) ran() { close(g.returned) }

// watch calls stuck when the loop has been gone for the grace period and
// Run has still not returned. It returns when Run returns. A loop once
// gone never comes back, so one sighting starts the grace period.
func (g *quitGuard) watch(stuck func()) {
	tick := time.NewTicker(g.every)
	defer tick.Stop()
	for {
		select {
		case <-g.returned:
			return
		case <-tick.C:
		}
		if !loopGone(g.every) {
			continue
		}
		select {
		case <-g.returned:
		case <-time.After(g.grace):
			stuck()
		}
		return
	}
}

// loopGone says Fyne's event loop has ended: a function handed to it runs
// on the calling goroutine. A loop that does not answer within wait (busy,
// or at the lost moment this guard is for) is not called gone.
func loopGone(wait time.Duration) bool {
	answer := make(chan bool, 1)
	go func() {
		me := goroutineID()
		fyne.DoAndWait(func() { answer <- goroutineID() == me })
	}()
	select {
	case here := <-answer:
		return here
	case <-time.After(wait):
		return false
	}
}

// goroutineID is the running goroutine's number, from its stack header
// ("goroutine 12 [running]:").
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}
