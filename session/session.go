// Package session is one recording, from the press of Record to a saved
// and transcribed note: it opens the microphone and starts capturing before
// anything else, prepares the live decoder meanwhile (and feeds it what was
// captured while it loaded, so no live text is lost either), and on Stop
// saves the note and commits the live transcript or queues a transcription.
// The window and `voicenotes record` are views of its events; neither
// repeats any of this.
package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
	"github.com/voicenotes/voicenotes/transcribe"
)

// Config is what a recording needs.
type Config struct {
	Vault *persistence.Vault
	// Open opens the input device. It is the only thing Start waits for.
	Open  func() (audio.Source, error)
	Title string   // default: "Recording <date time>"
	Tags  []string // the note's tags
	Rate  int      // stored sample rate; default audio.StoreRate (live text needs it)
	// Engine is the transcription engine to use; nil, or an error from it,
	// means the note is left UNPROCESSED.
	Engine func() (transcribe.Engine, transcribe.Options, error)
	// Stream starts the live transcription (nil: the engine's own Stream;
	// the window passes a transcribe.Standby's Take, which hands over a
	// decoder loaded before Record was pressed).
	Stream func(transcribe.Streamer, transcribe.Options) (transcribe.Stream, error)
	// Store is how the recording is kept once made: "wav" or "" as
	// recorded, "flac" or "opus" converted at stop (recording.Compact).
	Store string
	// Enqueue transcribes a saved note later, when there is no live text
	// (nil: the note stays UNPROCESSED for whoever runs a queue).
	Enqueue func(id string)
	// OnEvent hears what happens, from any goroutine; events of one kind
	// come in order (levels from the writer, text from the decoder).
	OnEvent func(Event)
	Logf    func(format string, args ...any)
	// Buffer and LevelEvery are passed to the recorder (tests).
	Buffer     time.Duration
	LevelEvery time.Duration
}

// Kind is what an Event reports.
type Kind int

const (
	// Listening: the microphone delivers audio; the recording has begun.
	Listening Kind = iota
	// Level: the input level and the length stored so far (Level).
	Level
	// Text: the live transcript so far (Text).
	Text
	// Warning: something the person may want to know now (Warning); it
	// does not stop the recording. An empty Warning clears the last one.
	Warning
	// Saved: the recording ended and its note is saved (Note); Err says
	// what went wrong on the way, if anything (the device failed, audio
	// was lost, the transcript could not be written), and Warning what
	// did not happen as chosen (it is kept as a WAV).
	Saved
	// Failed: the recording ended without a note (Err says why and where
	// the audio is kept).
	Failed
	// Marked: a marker was dropped and kept (Marker).
	Marked
)

// Event is one thing a session reports.
type Event struct {
	Kind    Kind
	Level   audio.Level
	Text    string
	Warning string
	Note    *persistence.Note
	Err     error
	Marker  persistence.Marker
}

// LateStart is how late after Record the microphone's first sound may
// be before the person is told: what was said before it is not recorded.
const LateStart = 500 * time.Millisecond

// WarnLateStart says the microphone started late (the seconds it took).
const WarnLateStart = "The microphone took %.1f s to start: anything said before that is not in the recording"

// maxBacklog bounds the audio kept for a live decoder still loading: past
// it the live transcript is given up and the note is transcribed after.
const maxBacklog = 10 * 60 * audio.StoreRate

// Session is a recording in progress. Its methods are safe to call from
// any goroutine; Stop and Cancel may be called more than once (the second
// call waits for the first and returns its result).
type Session struct {
	cfg     Config
	rec     *recording.Recorder
	pressed time.Time // when Start was called: the person's Record

	mu       sync.Mutex
	live     *transcribe.Live
	backlog  [][]int16 // captured while the decoder loads
	buffered int
	noLive   bool // the decoder failed, was not wanted, or the backlog overflowed
	engine   transcribe.Engine
	opts     transcribe.Options
	prepared chan struct{} // closed once the decoder is ready or given up

	finish   sync.Once // Stop or Cancel
	saveOnce sync.Once
	ended    chan struct{} // closed once the note is saved (or could not be)
	// stopReason is why the watchdog stopped the recording, if it did.
	stopReason error
	levels     levelWatch
	note       *persistence.Note
	err        error
	cancel     bool
}

// Start opens the input and starts capturing, and returns as soon as the
// device is open: the live decoder is prepared in the background. Call it
// off the UI thread.
func Start(cfg Config) (*Session, error) {
	if cfg.Vault == nil || cfg.Open == nil {
		return nil, errors.New("session.Start needs a vault and a way to open the input")
	}
	if cfg.Rate == 0 {
		cfg.Rate = audio.StoreRate
	}
	if cfg.OnEvent == nil {
		cfg.OnEvent = func(Event) {}
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	pressed := time.Now()
	src, err := cfg.Open()
	if err != nil {
		return nil, err
	}
	s := &Session{cfg: cfg, pressed: pressed, prepared: make(chan struct{}), ended: make(chan struct{})}
	s.rec, err = recording.Start(recording.Options{
		Vault: cfg.Vault, Source: src, Title: cfg.Title, Tags: cfg.Tags, Rate: cfg.Rate,
		OnLevel:    s.level,
		OnSamples:  s.samples,
		Logf:       cfg.Logf,
		Buffer:     cfg.Buffer,
		LevelEvery: cfg.LevelEvery,
	})
	if err != nil {
		src.Close()
		return nil, err
	}
	go s.prepare()
	go s.watch()
	go s.watchdog()
	return s, nil
}

// level passes a level on and watches it for silence and clipping (the
// recorder's writer goroutine; levels come in order).
func (s *Session) level(l audio.Level) {
	s.cfg.OnEvent(Event{Kind: Level, Level: l})
	if warn, changed := s.levels.level(l); changed {
		s.cfg.OnEvent(Event{Kind: Warning, Warning: warn})
	}
}

// prepare loads the engine and, when it can stream at this rate, the live
// decoder, while capture already runs; then hands it what was captured.
func (s *Session) prepare() {
	defer close(s.prepared)
	var live *transcribe.Live
	if s.cfg.Engine != nil {
		engine, opts, err := s.cfg.Engine()
		if err != nil {
			s.cfg.OnEvent(Event{Kind: Warning, Warning: fmt.Sprintf("Not transcribing: %v", err)})
		} else {
			s.mu.Lock()
			s.engine, s.opts = engine, opts
			s.mu.Unlock()
			if st, ok := engine.(transcribe.Streamer); ok && s.cfg.Rate == audio.StoreRate {
				open := s.cfg.Stream
				if open == nil {
					open = func(st transcribe.Streamer, o transcribe.Options) (transcribe.Stream, error) { return st.Stream(o) }
				}
				stream, err := open(st, opts)
				if err != nil {
					s.cfg.OnEvent(Event{Kind: Warning, Warning: fmt.Sprintf("No live transcript (%v); the recording is transcribed when it stops", err)})
				} else {
					live = transcribe.NewLive(stream, func(text string) { s.cfg.OnEvent(Event{Kind: Text, Text: text}) })
					live.OnBehind = func() {
						s.cfg.OnEvent(Event{Kind: Warning, Warning: "The live transcript stopped: this computer could not keep up with it. The recording goes on, and is transcribed when it stops"})
					}
				}
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if live == nil || s.noLive {
		s.noLive = true
		s.backlog = nil
		if live != nil {
			live.Finish()
		}
		return
	}
	live.Backlog = s.buffered
	for _, b := range s.backlog {
		live.Feed(b)
	}
	s.backlog, s.live = nil, live
}

// samples is the recorder's OnSamples (its writer goroutine): to the
// decoder when it is ready, else kept for it.
func (s *Session) samples(b []int16) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.live != nil:
		s.live.Feed(b)
	case s.noLive:
	case s.buffered+len(b) > maxBacklog:
		s.noLive, s.backlog = true, nil
	default:
		s.backlog = append(s.backlog, append([]int16(nil), b...))
		s.buffered += len(b)
	}
}

// watch reports the start, and ends the session when the recording ends
// by itself (the device failed).
func (s *Session) watch() {
	select {
	case <-s.rec.Started():
		s.cfg.OnEvent(Event{Kind: Listening})
		if first, ok := s.rec.FirstCaptured(); ok && first.Sub(s.pressed) >= LateStart {
			s.cfg.OnEvent(Event{Kind: Warning, Warning: fmt.Sprintf(WarnLateStart, first.Sub(s.pressed).Seconds())})
		}
	case <-s.rec.Done():
	}
	<-s.rec.Done()
	s.end()
}

// ID is the note's id.
func (s *Session) ID() string { return s.rec.ID() }

// Mark drops a marker at this moment of the recording, with an optional
// label, and keeps it durably before returning (a crash keeps it: the
// recovered note has it).
func (s *Session) Mark(label string) (persistence.Marker, error) {
	select {
	case <-s.rec.Done():
		return persistence.Marker{}, errors.New("the recording has ended")
	default:
	}
	// The marker goes where the sound of this moment is in the audio,
	// not after what has reached the disk so far (which lags by what
	// the device still holds).
	m := persistence.Marker{At: s.rec.At(time.Now()).Round(time.Millisecond), Label: label}
	if err := persistence.AppendMarker(s.cfg.Vault.FS(), s.cfg.Vault.MarkersPath(s.rec.ID()), m); err != nil {
		return m, err
	}
	s.cfg.OnEvent(Event{Kind: Marked, Marker: m})
	return m, nil
}

// Elapsed is the length of the recording at this moment, by the capture
// clock (what is stored and what is on its way from the device).
func (s *Session) Elapsed() time.Duration { return s.rec.Elapsed() }

// Recorded is the length stored so far.
func (s *Session) Recorded() time.Duration { return s.rec.Recorded() }

// Pause, Resume and Paused pause the recording.
func (s *Session) Pause()       { s.rec.Pause() }
func (s *Session) Resume()      { s.rec.Resume() }
func (s *Session) Paused() bool { return s.rec.Paused() }

// Ended is closed once the recording is over and its note saved (or not):
// after Stop, Cancel, or the device failing.
func (s *Session) Ended() <-chan struct{} { return s.ended }

// Result is the saved note and what went wrong, once Ended is closed.
func (s *Session) Result() (*persistence.Note, error) {
	<-s.ended
	return s.note, s.err
}

// Stop ends the recording, saves the note, and commits the live transcript
// (or queues a transcription). A second Stop waits for the first.
func (s *Session) Stop() (*persistence.Note, error) {
	s.finish.Do(func() {
		s.rec.Stop()
		s.end()
	})
	return s.Result()
}

// Cancel ends the recording and deletes it (the caller asked the person).
func (s *Session) Cancel() error {
	s.finish.Do(func() {
		s.mu.Lock()
		s.cancel = true
		s.mu.Unlock()
		s.rec.Cancel()
		s.end()
	})
	_, err := s.Result()
	return err
}

// end saves what the recorder left, once, whoever gets here first (Stop,
// Cancel, or watch when the device failed).
func (s *Session) end() { s.saveOnce.Do(s.save) }

func (s *Session) save() {
	<-s.rec.Done()
	n, err := s.rec.Result()
	<-s.prepared
	s.mu.Lock()
	live, engine, opts, cancelled := s.live, s.engine, s.opts, s.cancel
	s.mu.Unlock()
	markers := s.cfg.Vault.MarkersPath(s.rec.ID())
	if cancelled || n == nil {
		if live != nil {
			live.Finish()
		}
		if cancelled {
			s.cfg.Vault.FS().Remove(markers)
		}
	} else {
		marked, merr := s.cfg.Vault.TakeMarkers(n.ID)
		var bad *persistence.MarkerLinesError
		switch {
		case errors.As(merr, &bad):
			err = errors.Join(err, merr) // the good ones are in the note
		case merr != nil:
			err = errors.Join(err, fmt.Errorf("the markers are kept in %s but not yet in the note: %w", markers, merr))
		}
		if marked != nil {
			n = marked
		}
	}
	queue := false
	switch {
	case cancelled || n == nil:
	case live != nil:
		if lerr := live.Commit(s.cfg.Vault, n, engine.Name(), opts); lerr != nil {
			s.cfg.Logf("session: live transcription of %s failed: %v", n.ID, lerr)
			queue = true
		}
	case engine != nil:
		queue = true
	}
	// Kept as the person chose (FLAC, Opus) before anyone reads the audio
	// again; a conversion that fails keeps the WAV and says why.
	warning := ""
	if !cancelled && n != nil && s.cfg.Store != "" && s.cfg.Store != "wav" {
		if kept, cerr := recording.Compact(context.Background(), s.cfg.Vault, n, s.cfg.Store); cerr != nil {
			s.cfg.Logf("session: %v", cerr)
			warning = cerr.Error()
			s.cfg.OnEvent(Event{Kind: Warning, Warning: warning})
		} else {
			n = kept
		}
	}
	if queue {
		s.enqueue(n.ID)
	}
	s.mu.Lock()
	if s.stopReason != nil {
		err = errors.Join(s.stopReason, err)
	}
	s.mu.Unlock()
	s.note, s.err = n, err
	close(s.ended)
	switch {
	case cancelled:
	case n != nil:
		s.cfg.OnEvent(Event{Kind: Saved, Note: n, Err: err, Warning: warning})
	default:
		s.cfg.OnEvent(Event{Kind: Failed, Err: err})
	}
}

func (s *Session) enqueue(id string) {
	if s.cfg.Enqueue != nil {
		s.cfg.Enqueue(id)
	}
}
