package transcribe_test

import (
	"runtime"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/voicenotes/voicenotes/transcribe"
)

// niceStream records the nice value of the thread each Write runs on;
// the first Write waits for the gate (a decoder behind when Stop comes).
type niceStream struct {
	gate    chan struct{}
	entered chan struct{}
	mu      sync.Mutex
	nices   []int
	total   int
}

func (s *niceStream) Write(c []int16) error {
	if s.total == 0 {
		close(s.entered)
		<-s.gate
	}
	nice, _ := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
	s.mu.Lock()
	s.nices = append(s.nices, 20-nice) // the raw value is 20 - nice
	s.total += len(c)
	s.mu.Unlock()
	return nil
}

func (s *niceStream) Text() string { return "" }
func (s *niceStream) Finish() (*transcribe.Result, error) {
	return &transcribe.Result{Text: "done"}, nil
}
func (s *niceStream) Close() error { return nil }

// TestLiveFinishesAtTheCallersPriority: the live decoder runs at nice 10
// while the recording runs, but what it has not heard when Finish is
// called (the person pressed Stop and waits) is decoded at the priority
// of Finish's caller: on a busy machine a nice 10 thread gets a tenth of
// a core's share, and a 10 s dictation took 20 to 55 s to stop.
func TestLiveFinishesAtTheCallersPriority(t *testing.T) {
	st := &niceStream{gate: make(chan struct{}), entered: make(chan struct{})}
	l := transcribe.NewLive(st, nil)
	chunk := make([]int16, 320)
	for range 50 { // a second of audio the decoder is behind by
		l.Feed(chunk)
	}
	<-st.entered // the decoder is in its first write, and stays there
	go func() {
		<-transcribe.FinishCalled(l)
		close(st.gate) // Stop was pressed: the decoder gets the CPU back
	}()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ours, _ := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
	res, err := l.Finish()
	if err != nil || res.Text != "done" {
		t.Fatalf("Finish: %+v, %v", res, err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.total != 50*320 {
		t.Fatalf("the decoder heard %d samples of %d", st.total, 50*320)
	}
	if st.nices[0] != 10 {
		t.Errorf("the live decoder ran at nice %d, want 10", st.nices[0])
	}
	for i, n := range st.nices[1:] {
		if n != 20-ours {
			t.Fatalf("write %d after Finish was called ran at nice %d; the caller's is %d", i+1, n, 20-ours)
		}
	}
}

// TestLiveCatchesUpAtNormalPriority: a live decoder at nice 10 that falls
// more than 4 s behind the speaker (a busy machine gives a nice 10
// thread a tenth of a core's share) decodes the rest of the recording at
// normal priority, with nothing lost or repeated; one that keeps up stays
// at nice 10.
func TestLiveCatchesUpAtNormalPriority(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ours, _ := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
	chunk := make([]int16, 1600) // 100 ms
	// Keeping up: every chunk decoded before the next is fed.
	st := &niceStream{gate: make(chan struct{}), entered: make(chan struct{})}
	close(st.gate)
	l := transcribe.NewLive(st, nil)
	for i := range 60 {
		l.Feed(chunk)
		for {
			st.mu.Lock()
			n := st.total
			st.mu.Unlock()
			if n == (i+1)*1600 {
				break
			}
			runtime.Gosched()
		}
	}
	if _, err := l.Finish(); err != nil {
		t.Fatal(err)
	}
	for i, n := range st.nices {
		if n != 10 {
			t.Fatalf("write %d of a decoder that keeps up ran at nice %d, want 10", i, n)
		}
	}
	// Falling behind: the first write stalls while 5 s more are fed.
	st = &niceStream{gate: make(chan struct{}), entered: make(chan struct{})}
	l = transcribe.NewLive(st, nil)
	l.Feed(chunk)
	<-st.entered
	for range 50 {
		l.Feed(chunk)
	}
	close(st.gate)
	for {
		st.mu.Lock()
		n := st.total
		st.mu.Unlock()
		if n == 51*1600 {
			break
		}
		runtime.Gosched()
	}
	if _, err := l.Finish(); err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.total != 51*1600 {
		t.Fatalf("decoded %d samples of %d", st.total, 51*1600)
	}
	if st.nices[0] != 10 {
		t.Errorf("the first write ran at nice %d, want 10", st.nices[0])
	}
	for i, n := range st.nices[1:] {
		if n != 20-ours {
			t.Fatalf("write %d, 5 s behind the speaker, ran at nice %d; want %d, the program's", i+1, n, 20-ours)
		}
	}
}
