package ui

import (
	"sync"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/settings"
)

// cueSink keeps what is played through it.
type cueSink struct {
	rate, channels int
	mu             sync.Mutex
	played         []float32
	closed         bool
}

func (s *cueSink) Format() (int, int) { return s.rate, s.channels }
func (s *cueSink) Write(b []float32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.played = append(s.played, b...)
	return nil
}
func (s *cueSink) Close() error { s.mu.Lock(); s.closed = true; s.mu.Unlock(); return nil }

// crossings counts a mono signal's zero crossings: twice its frequency
// times its length.
func crossings(s []float32) int {
	n := 0
	for i := 1; i < len(s); i++ {
		if (s[i-1] < 0) != (s[i] < 0) {
			n++
		}
	}
	return n
}

// TestDictationSounds: with the sounds on in Settings, a dictation starts
// with a short rising sound and stops with a falling one, through the
// output, without a click (it starts and ends at silence) and no louder
// than a fifth of full scale; with them off nothing is played.
func TestDictationSounds(t *testing.T) {
	t.Setenv("DISPLAY", "")
	w, _ := newTestWindow(t, nil)
	var mu sync.Mutex
	var sinks []*cueSink
	w.svc.OpenOutput = func(rate, channels int) (audio.Sink, error) {
		s := &cueSink{rate: 44100, channels: 2} // the device's own format
		mu.Lock()
		sinks = append(sinks, s)
		mu.Unlock()
		return s, nil
	}
	played := func(n int) []*cueSink {
		eventually(t, "the sounds played", func() bool {
			mu.Lock()
			defer mu.Unlock()
			if len(sinks) < n {
				return false
			}
			for _, s := range sinks {
				s.mu.Lock()
				done := s.closed
				s.mu.Unlock()
				if !done {
					return false
				}
			}
			return true
		})
		mu.Lock()
		defer mu.Unlock()
		return append([]*cueSink(nil), sinks...)
	}
	dictation := func() {
		before := len(w.notes)
		if got := w.Dictate(0, ""); got != "dictating" {
			t.Fatalf("dictate: %q", got)
		}
		eventually(t, "the dictation recording", func() bool { return w.rec != nil && w.rec.s != nil })
		if got := w.Dictate(0, ""); got != "stopped" {
			t.Fatalf("dictate again: %q", got)
		}
		// Its note in the list: the session has saved it. (The window
		// forgets the recording at the stop, before the save: a test
		// that ended then had the save write into the vault as the test
		// removed it, on a loaded machine.)
		eventually(t, "the dictation saved", func() bool { return len(w.notes) == before+1 })
	}
	dictation()
	pump()
	mu.Lock()
	if len(sinks) != 0 {
		t.Fatalf("%d sounds played with the sounds off", len(sinks))
	}
	mu.Unlock()
	s := w.settings()
	s.DictationSounds = true
	if err := settings.Save(w.app.Preferences(), s, nil); err != nil {
		t.Fatal(err)
	}
	dictation()
	got := played(2)
	if len(got) != 2 {
		t.Fatalf("%d sounds, want a start and a stop", len(got))
	}
	for i, s := range got {
		mono := make([]float32, 0, len(s.played)/2)
		for j := 0; j+1 < len(s.played); j += 2 {
			if s.played[j] != s.played[j+1] {
				t.Fatalf("sound %d: the channels differ", i)
			}
			mono = append(mono, s.played[j])
		}
		length := time.Duration(len(mono)) * time.Second / 44100
		if length < 50*time.Millisecond || length > 150*time.Millisecond {
			t.Errorf("sound %d lasts %v; a cue is short", i, length)
		}
		var peak float32
		for _, v := range mono {
			peak = max(peak, v, -v)
		}
		if peak > 0.21 || peak < 0.1 {
			t.Errorf("sound %d peaks at %.2f of full scale", i, peak)
		}
		if a, b := mono[0], mono[len(mono)-1]; a*a > 1e-6 || b*b > 1e-6 {
			t.Errorf("sound %d starts at %v and ends at %v: it would click", i, a, b)
		}
		first, second := crossings(mono[:len(mono)/2]), crossings(mono[len(mono)/2:])
		rising := second > first
		if rising != (i == 0) {
			t.Errorf("sound %d: %d then %d zero crossings; the start sound rises, the stop sound falls", i, first, second)
		}
	}
}
