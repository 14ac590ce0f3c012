package transcribe

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingEngine is a streaming engine that counts the streams it makes
// and which of them were closed; language "bad" fails.
type countingEngine struct {
	name   string
	made   atomic.Int32
	mu     sync.Mutex
	closed map[*countedStream]bool
}

type countedStream struct {
	e    *countingEngine
	lang string
}

func (e *countingEngine) Name() string { return e.name }
func (e *countingEngine) Transcribe(context.Context, string, Options, func(float64)) (*Result, error) {
	return nil, errors.New("not used")
}
func (e *countingEngine) Stream(o Options) (Stream, error) {
	if o.Language == "bad" {
		return nil, errors.New("no model for that language")
	}
	e.made.Add(1)
	return &countedStream{e: e, lang: o.Language}, nil
}
func (s *countedStream) Write([]int16) error      { return nil }
func (s *countedStream) Text() string             { return "" }
func (s *countedStream) Finish() (*Result, error) { return &Result{}, nil }
func (s *countedStream) Close() error {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	if s.e.closed == nil {
		s.e.closed = map[*countedStream]bool{}
	}
	s.e.closed[s] = true
	return nil
}
func (e *countingEngine) wasClosed(s Stream) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed[s.(*countedStream)]
}

// wait waits for the load under way, as Take does.
func (s *Standby) wait() {
	s.mu.Lock()
	l := s.loading
	s.mu.Unlock()
	if l != nil {
		<-l
	}
}

func TestStandbyHandsOverWhatItLoaded(t *testing.T) {
	e := &countingEngine{name: "counting"}
	lang := "en"
	var mu sync.Mutex
	sb := NewStandby(func() (Engine, Options, error) {
		mu.Lock()
		defer mu.Unlock()
		return e, Options{Language: lang}, nil
	})
	// Nothing is loaded before the first recording, settings changes
	// included: an app waiting in the tray holds no decoder.
	sb.Refresh()
	sb.wait()
	if e.made.Load() != 0 {
		t.Fatalf("%d streams made before any recording, want 0", e.made.Load())
	}
	first, err := sb.Take(e, Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	sb.wait()
	if e.made.Load() != 1 {
		t.Fatalf("the first Take made %d streams, want 1 (its own)", e.made.Load())
	}
	// The next is loaded only once the taken one is freed (two decoders
	// would double the memory a recording takes).
	first.Close()
	sb.wait()
	if e.made.Load() != 2 {
		t.Fatalf("after the taken stream was closed %d streams were made, want 2 (the next one loaded)", e.made.Load())
	}
	second, _ := sb.Take(e, Options{Language: "en"})
	sb.wait()
	if e.made.Load() != 2 {
		t.Fatalf("the second Take made a stream (%d made, want 2): it should hand over the loaded one", e.made.Load())
	}
	if second.(*takenStream).Stream == first.(*takenStream).Stream {
		t.Fatal("Take handed the same stream out twice")
	}
	second.Close()
	second.Close() // a second Close loads nothing more
	sb.wait()
	if e.made.Load() != 3 {
		t.Fatalf("%d streams made after two Take-Close rounds, want 3", e.made.Load())
	}

	// A settings change: the loaded stream is for the old language; it is
	// closed, and one for the new language is loaded.
	mu.Lock()
	lang = "de"
	mu.Unlock()
	sb.mu.Lock()
	stale := sb.ready
	sb.mu.Unlock()
	sb.Refresh()
	sb.wait()
	if !e.wasClosed(stale) {
		t.Error("the stream loaded for the old settings was not closed")
	}
	made := e.made.Load()
	sb.mu.Lock()
	fresh, freshKey := sb.ready, sb.key
	sb.mu.Unlock()
	if made != 4 || fresh == nil || fresh.(*countedStream).lang != "de" || freshKey != standbyKey(e, Options{Language: "de"}) {
		t.Fatalf("after a settings change with one kept: %d made, ready %v; want 4 and a de stream", made, fresh)
	}
	// A Take for other options than loaded makes its own.
	other, err := sb.Take(e, Options{Language: "fr"})
	if err != nil || other.(*takenStream).Stream.(*countedStream).lang != "fr" {
		t.Fatalf("Take for fr gave %v, %v", other, err)
	}
	other.Close()
	sb.wait()
	if e.made.Load() != made+1 {
		t.Errorf("Take for other options: %d made, want %d (its own; the loaded de stream kept)", e.made.Load(), made+1)
	}
	// An engine error reaches Take's caller.
	if _, err := sb.Take(e, Options{Language: "bad"}); err == nil {
		t.Error("Take hid the engine's error")
	}
	sb.wait()
	sb.mu.Lock()
	kept := sb.ready
	sb.mu.Unlock()
	sb.Close()
	if kept == nil || !e.wasClosed(kept) {
		t.Error("Close did not free the loaded stream")
	}
	sb.Refresh() // after Close: nothing
	sb.wait()
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.ready != nil {
		t.Error("a closed Standby loaded a stream")
	}
}

// TestStandbyKeepsNothingWithoutAStreamingEngine: a recording made just
// before transcription was turned off leaves nothing loaded behind it.
func TestStandbyKeepsNothingWithoutAStreamingEngine(t *testing.T) {
	e := &countingEngine{name: "counting"}
	var mu sync.Mutex
	on := true
	sb := NewStandby(func() (Engine, Options, error) {
		mu.Lock()
		defer mu.Unlock()
		if !on {
			return nil, Options{}, errors.New("transcription is off")
		}
		return e, Options{}, nil
	})
	defer sb.Close()
	s, err := sb.Take(e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	on = false
	mu.Unlock()
	sb.Refresh()
	s.Close()
	sb.wait()
	if e.made.Load() != 1 || !sb.holdsNothing() {
		t.Fatalf("with transcription off: %d streams made (want 1, the recording's), one kept: %v", e.made.Load(), !sb.holdsNothing())
	}
}

// recyclingStream is a stream whose model can serve the next recording.
type recyclingStream struct {
	*countedStream
	recycled *atomic.Int32
}

func (s *recyclingStream) Recycle() (Stream, bool) {
	s.recycled.Add(1)
	return &recyclingStream{countedStream: &countedStream{e: s.e, lang: s.lang}, recycled: s.recycled}, true
}

type recyclingEngine struct {
	countingEngine
	recycled atomic.Int32
}

func (e *recyclingEngine) Stream(o Options) (Stream, error) {
	s, err := e.countingEngine.Stream(o)
	if err != nil {
		return nil, err
	}
	return &recyclingStream{countedStream: s.(*countedStream), recycled: &e.recycled}, nil
}

// TestStandbyKeepsARecycledStream: a closed stream that can be reused is
// the next one ready, without a load; one taken before a settings change
// is dropped for the stream loaded for the new settings.
func TestStandbyKeepsARecycledStream(t *testing.T) {
	e := &recyclingEngine{countingEngine: countingEngine{name: "recycling"}}
	sb := NewStandby(func() (Engine, Options, error) { return e, Options{}, nil })
	defer sb.Close()
	s, err := sb.Take(e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	sb.wait()
	sb.mu.Lock()
	ready := sb.ready
	sb.mu.Unlock()
	if e.made.Load() != 1 || e.recycled.Load() != 1 || ready == nil {
		t.Fatalf("after one recording: %d streams made, %d recycled, ready %v; want 1, 1 and the recycled one", e.made.Load(), e.recycled.Load(), ready)
	}
	if next, _ := sb.Take(e, Options{}); next.(*takenStream).Stream != ready {
		t.Fatal("Take did not hand over the recycled stream")
	} else {
		sb.Refresh() // the settings changed during this recording
		sb.wait()
		next.Close()
		sb.wait()
	}
	sb.mu.Lock()
	ready = sb.ready
	sb.mu.Unlock()
	if e.made.Load() != 2 || ready == nil || e.recycled.Load() != 2 {
		t.Fatalf("after a settings change: %d streams made (want 2), %d recycled", e.made.Load(), e.recycled.Load())
	}
	e.mu.Lock()
	closed := 0
	for range e.closed {
		closed++
	}
	e.mu.Unlock()
	// Closed: the first stream's shell, the second's shell, and the stream
	// recycled after the settings changed; the one ready stays open.
	if closed != 3 || e.wasClosed(ready.(*recyclingStream).countedStream) {
		t.Errorf("%d streams closed, want 3, and the ready one open", closed)
	}
}

// TestStandbyLetsAnIdleStreamGo: a stream kept unused for IdleAfter is
// closed (an app left in the tray holds no decoder); the next recording
// still gets a live transcription, loaded when it asks, and a recycled
// stream starts its own idle time.
func TestStandbyLetsAnIdleStreamGo(t *testing.T) {
	e := &recyclingEngine{countingEngine: countingEngine{name: "recycling"}}
	sb := NewStandby(func() (Engine, Options, error) { return e, Options{}, nil })
	sb.IdleAfter = 50 * time.Millisecond
	defer sb.Close()
	rec, err := sb.Take(e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec.Close() // recycled: kept for the next recording
	sb.mu.Lock()
	first := sb.ready
	sb.mu.Unlock()
	if first == nil {
		t.Fatal("nothing loaded")
	}
	for deadline := time.Now().Add(10 * time.Second); !e.wasClosed(first.(*recyclingStream).countedStream); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the idle stream was kept past IdleAfter")
		}
	}
	if !sb.holdsNothing() {
		t.Error("the Standby does not say it holds nothing")
	}
	s, err := sb.Take(e, Options{})
	if err != nil || s == nil {
		t.Fatalf("Take after the idle stream went: %v", err)
	}
	if e.made.Load() != 2 {
		t.Errorf("%d streams made, want 2 (the first, let go, and one for the recording)", e.made.Load())
	}
	s.Close() // recycled: ready again, and idle again after IdleAfter
	sb.mu.Lock()
	again := sb.ready
	sb.mu.Unlock()
	if again == nil {
		t.Fatal("the recording's stream was not kept for the next")
	}
	for deadline := time.Now().Add(10 * time.Second); !sb.holdsNothing(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the recycled stream was kept past IdleAfter")
		}
	}
}

// holdsNothing reports whether nothing is loaded nor loading (the stream was let
// go after IdleAfter, or none could be loaded).
func (s *Standby) holdsNothing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loading != nil {
		select {
		case <-s.loading:
		default:
			return false
		}
	}
	return s.ready == nil
}
