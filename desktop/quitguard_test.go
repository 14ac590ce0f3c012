package desktop

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// Fyne's test driver runs what it is handed on the caller's goroutine, as
// the real driver does once its loop is gone: the state the guard is for.
func TestQuitGuardSavesWhenRunNeverReturns(t *testing.T) {
	test.NewTempApp(t)
	if !loopGone(time.Second) {
		t.Fatal("loopGone: a driver that runs functions on the caller's goroutine was not seen as a loop that is gone")
	}
	g := &quitGuard{returned: make(chan struct{}), every: 10 * time.Millisecond, grace: 50 * time.Millisecond}
	called := make(chan struct{})
	go g.watch(func() { close(called) })
	select {
	case <-called:
	case <-time.After(10 * time.Second):
		t.Fatal("the guard did not act on a loop gone while Run had not returned")
	}
}

func TestQuitGuardLeavesAReturnedRunAlone(t *testing.T) {
	test.NewTempApp(t)
	g := &quitGuard{returned: make(chan struct{}), every: 10 * time.Millisecond, grace: 50 * time.Millisecond}
	g.ran()
	done := make(chan struct{})
	go func() {
		g.watch(func() { t.Error("the guard acted although Run had returned") })
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not return after Run returned")
	}
}

func TestGoroutineIDTellsGoroutinesApart(t *testing.T) {
	me := goroutineID()
	other := make(chan uint64)
	go func() { other <- goroutineID() }()
	if o := <-other; me == 0 || o == 0 || o == me {
		t.Fatalf("goroutine ids %d and %d: want two different non-zero ids", me, o)
	}
}
