package transcribe

import (
	"sync"
	"time"

	"github.com/voicenotes/voicenotes/internal/trim"
)

// Standby keeps a live transcription loaded for the engine the settings
// choose between recordings, so that the next recording's live transcript
// starts with its first words instead of after the model loads
// (PocketSphinx's takes a fifth of a second from a warm disk, seconds from
// a cold one). Nothing is loaded until the first recording asks (Take):
// a PocketSphinx decoder holds about 95 MB, more than the rest of an idle
// window, and an app that waits in the tray all day should cost what it
// shows. That recording captures at once and its stream loads meanwhile
// (the session feeds it what was said meanwhile), so only its live
// words start a moment later. Once the stream is closed it is kept for the
// next recording when its engine can reuse it (PocketSphinx's decoder),
// else the next one is loaded in the background (not before: two decoders
// at once would double what a recording costs). Engines that do not
// stream (a remote API) keep nothing.
//
// A stream kept unused for IdleAfter is let go, and the next recording
// loads its own again.
type Standby struct {
	engine func() (Engine, Options, error)
	// IdleAfter is how long a loaded stream is kept unused (0: always).
	// Set it before Refresh.
	IdleAfter time.Duration

	mu      sync.Mutex
	gen     int           // bumped by Refresh: older loads are stale
	ready   Stream        // loaded and unused, or nil
	key     string        // what ready was loaded for
	readyN  int           // counts the streams made ready, for the idle timer
	idle    *time.Timer   // lets ready go after IdleAfter
	loading chan struct{} // closed when the current load ends; nil if none
	closed  bool
}

// DefaultIdleAfter is how long the app keeps a live decoder loaded and
// unused: PocketSphinx's holds about 95 MB.
const DefaultIdleAfter = 5 * time.Minute

// setReady makes stream the ready one and starts its idle timer (s.mu
// held).
func (s *Standby) setReady(stream Stream, key string) {
	s.ready, s.key = stream, key
	s.readyN++
	if s.IdleAfter <= 0 {
		return
	}
	n := s.readyN
	if s.idle != nil {
		s.idle.Stop()
	}
	s.idle = time.AfterFunc(s.IdleAfter, func() {
		s.mu.Lock()
		if s.readyN != n || s.ready == nil {
			s.mu.Unlock()
			return // taken, replaced or let go since
		}
		old := s.ready
		s.ready, s.key = nil, ""
		s.mu.Unlock()
		old.Close()
		trim.Release()
	})
}

// NewStandby keeps streams for what engine returns (an error: nothing to
// keep, for example transcription is off).
func NewStandby(engine func() (Engine, Options, error)) *Standby {
	return &Standby{engine: engine}
}

func standbyKey(e Engine, o Options) string { return e.Name() + "\x00" + o.Language }

// Refresh follows a settings change: what is loaded (for the old
// settings) is dropped, and a stream for the new ones is loaded in the
// background if one was held or loading, that is if a recording was made
// within IdleAfter; else the next recording loads its own.
func (s *Standby) Refresh() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.gen++
	old := s.ready
	s.ready, s.key = nil, ""
	loading := false
	if s.loading != nil {
		select {
		case <-s.loading:
		default:
			loading = true
		}
	}
	if old != nil || loading {
		s.startLoad()
	}
	s.mu.Unlock()
	if old != nil {
		old.Close()
	}
}

// startLoad starts loading for the current generation (s.mu held).
func (s *Standby) startLoad() {
	done := make(chan struct{})
	s.loading = done
	go s.load(s.gen, done)
}

func (s *Standby) load(gen int, done chan struct{}) {
	defer close(done)
	lowPriority()
	e, o, err := s.engine()
	if err != nil {
		return
	}
	st, ok := e.(Streamer)
	if !ok {
		return
	}
	stream, err := st.Stream(o)
	if err != nil {
		return // Take tries again and reports it
	}
	s.mu.Lock()
	if s.closed || gen != s.gen || s.ready != nil {
		s.mu.Unlock()
		stream.Close()
		return
	}
	s.setReady(stream, standbyKey(e, o))
	s.mu.Unlock()
}

// Take returns a fresh live transcription for e and o: the loaded one
// when it was loaded for them (waiting for a load under way), else a new
// one. When it is closed, the next one is loaded.
func (s *Standby) Take(e Streamer, o Options) (Stream, error) {
	s.mu.Lock()
	loading := s.loading
	s.mu.Unlock()
	if loading != nil {
		<-loading
	}
	s.mu.Lock()
	var stream Stream
	if s.ready != nil && s.key == standbyKey(e, o) {
		stream, s.ready, s.key = s.ready, nil, ""
	}
	s.mu.Unlock()
	if stream == nil {
		var err error
		if stream, err = e.Stream(o); err != nil {
			s.reload()
			return nil, err
		}
	}
	s.mu.Lock()
	gen := s.gen
	s.mu.Unlock()
	return &takenStream{Stream: stream, s: s, gen: gen, key: standbyKey(e, o)}, nil
}

// recycler is a stream whose loaded model can serve the next recording
// (PocketSphinx's decoder): Recycle returns it as a fresh stream.
type recycler interface {
	Recycle() (Stream, bool)
}

// takenStream is kept for the next recording once closed, when it can
// be and the settings have not changed; else the next one is loaded.
type takenStream struct {
	Stream
	s    *Standby
	gen  int    // the settings' generation it was taken in
	key  string // what it transcribes for
	once sync.Once
}

func (t *takenStream) Close() error {
	if r, ok := t.Stream.(recycler); ok {
		if next, ok := r.Recycle(); ok {
			t.once.Do(func() { t.s.keep(next, t.gen, t.key) })
			return t.Stream.Close()
		}
	}
	err := t.Stream.Close()
	t.once.Do(t.s.reload)
	return err
}

// keep makes a recycled stream the ready one, unless the settings changed
// since it was taken (a load for them is under way or done) or the
// Standby is closed.
func (s *Standby) keep(next Stream, gen int, key string) {
	s.mu.Lock()
	if s.closed || gen != s.gen || s.ready != nil {
		s.mu.Unlock()
		next.Close()
		s.reload()
		return
	}
	s.setReady(next, key)
	s.mu.Unlock()
}

// reload loads a stream for the current settings unless one is kept or
// loading.
func (s *Standby) reload() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.ready != nil {
		return
	}
	if s.loading != nil {
		select {
		case <-s.loading:
		default:
			return
		}
	}
	s.startLoad()
}

// Close frees what is loaded; later calls do nothing.
func (s *Standby) Close() {
	s.mu.Lock()
	s.closed = true
	s.gen++
	old := s.ready
	s.ready = nil
	s.mu.Unlock()
	if old != nil {
		old.Close()
	}
}
