package transcribe_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/transcribe"
)

// stalledStream is a decoder that stops keeping up: each Write waits
// until the gate opens (a machine too loaded for the decoder).
type stalledStream struct {
	gate   chan struct{}
	writes atomic.Int64
	wrote  chan struct{} // told of each write, when set
}

func (s *stalledStream) Write([]int16) error {
	<-s.gate
	s.writes.Add(1)
	if s.wrote != nil {
		s.wrote <- struct{}{}
	}
	return nil
}

func (s *stalledStream) Text() string                        { return "" }
func (s *stalledStream) Finish() (*transcribe.Result, error) { return &transcribe.Result{}, nil }
func (s *stalledStream) Close() error                        { return nil }

// TestLiveGivesUpWhenFarBehind: a decoder that falls more than 30 s of
// audio behind the recording is given up: Feed never blocks and stops
// keeping what the decoder will not hear (memory stays bounded however
// long the recording runs), the person is told once, and Finish returns
// at once with ErrLiveBehind (the session then transcribes the file), not
// after the decoder heard the minutes it was behind.
func TestLiveGivesUpWhenFarBehind(t *testing.T) {
	st := &stalledStream{gate: make(chan struct{})}
	l := transcribe.NewLive(st, nil)
	var told atomic.Int32
	l.OnBehind = func() { told.Add(1) }
	chunk := make([]int16, 1600) // 100 ms
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		for range 10 * 60 * 5 { // five minutes of recording
			l.Feed(chunk)
		}
	}()
	select {
	case <-fed:
	case <-time.After(30 * time.Second):
		t.Fatal("Feed blocked on a stalled decoder")
	}
	if told.Load() != 1 {
		t.Errorf("the person was told %d times", told.Load())
	}
	close(st.gate) // the decoder gets the CPU back
	done := make(chan error, 1)
	go func() { _, err := l.Finish(); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, transcribe.ErrLiveBehind) {
			t.Errorf("Finish: %v, want ErrLiveBehind", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Finish waited for the decoder to hear everything")
	}
	if w := st.writes.Load(); w > 2 {
		t.Errorf("the given-up decoder was still fed %d chunks", w)
	}
}

// TestLiveKeepsUpWithinTheBound: a decoder that keeps up hears every
// sample, and Finish gives its transcript.
func TestLiveKeepsUpWithinTheBound(t *testing.T) {
	st := &stalledStream{gate: make(chan struct{}), wrote: make(chan struct{}, 100)}
	close(st.gate)
	l := transcribe.NewLive(st, nil)
	l.OnBehind = func() { t.Error("given up while keeping up") }
	for range 6 { // a minute, ten seconds at a time, each heard before the next
		for range 100 {
			l.Feed(make([]int16, 1600))
		}
		for range 100 {
			<-st.wrote
		}
	}
	if _, err := l.Finish(); err != nil {
		t.Fatal(err)
	}
	if w := st.writes.Load(); w != 600 {
		t.Errorf("the decoder heard %d of 600 chunks", w)
	}
}

// TestLiveTakesTheBacklogOfALateDecoder: a decoder that was still loading
// when the recording began is handed what was recorded meanwhile (here a
// minute) at once; that is not falling behind, and it is not given up.
func TestLiveTakesTheBacklogOfALateDecoder(t *testing.T) {
	st := &stalledStream{gate: make(chan struct{})}
	l := transcribe.NewLive(st, nil)
	l.OnBehind = func() { t.Error("a late decoder's backlog was taken for falling behind") }
	l.Backlog = 60 * 16000
	for range 600 {
		l.Feed(make([]int16, 1600))
	}
	close(st.gate)
	if _, err := l.Finish(); err != nil {
		t.Fatal(err)
	}
	if w := st.writes.Load(); w != 600 {
		t.Errorf("the decoder heard %d of 600 chunks", w)
	}
}
