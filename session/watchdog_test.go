package session_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tmpfs"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/session"
)

// scriptSource plays a script of (sample value, frames) as fast as it is
// read, then the last value for ever; hold, while set, blocks its reads
// (a device that stopped delivering).
type scriptSource struct {
	script    []step
	pos       int
	mu        sync.Mutex
	hold      chan struct{}
	delivered int
}

type step struct {
	value  int16
	frames int
}

func (s *scriptSource) Format() (int, int) { return 16000, 1 }
func (s *scriptSource) Close() error       { return nil }
func (s *scriptSource) Read(buf []int16) error {
	s.mu.Lock()
	hold := s.hold
	s.mu.Unlock()
	if hold != nil {
		<-hold
	}
	for i := range buf {
		at, v := s.pos, s.script[len(s.script)-1].value
		for _, st := range s.script {
			if at < st.frames {
				v = st.value
				break
			}
			at -= st.frames
		}
		// A square wave of amplitude v: its peak is |v|.
		if (s.pos/8)%2 == 1 {
			v = -v
		}
		buf[i] = v
		s.pos++
	}
	time.Sleep(time.Millisecond) // a little slower than free-running
	s.mu.Lock()
	s.delivered += len(buf)
	s.mu.Unlock()
	return nil
}

// warnings runs a session on src and returns the warnings it raised,
// in order, once until says so.
func warnings(t *testing.T, src audio.Source, until func([]string) bool) []string {
	t.Helper()
	v, err := persistence.Open(t.TempDir(), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var mu sync.Mutex
	var got []string
	changed := make(chan struct{}, 1)
	s, err := session.Start(session.Config{Vault: v, Open: func() (audio.Source, error) { return src, nil },
		OnEvent: func(e session.Event) {
			// The watchdog's warnings; a device held before its first
			// frame is also said to have started late, which is not
			// what these tests are about.
			if e.Kind == session.Warning && !strings.Contains(e.Warning, "to start") {
				mu.Lock()
				got = append(got, e.Warning)
				mu.Unlock()
				select {
				case changed <- struct{}{}:
				default:
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	deadline := time.After(time.Minute)
	for {
		mu.Lock()
		done := until(got)
		snapshot := append([]string(nil), got...)
		mu.Unlock()
		if done {
			return snapshot
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("warnings so far: %q", snapshot)
		}
	}
}

// TestSilenceWarning: five seconds of digital silence raise the warning;
// a voice clears it.
func TestSilenceWarning(t *testing.T) {
	src := &scriptSource{script: []step{{2000, 16000}, {0, 6 * 16000}, {2000, 16000}}}
	got := warnings(t, src, func(w []string) bool { return len(w) >= 2 })
	if got[0] != session.WarnSilence || got[1] != "" {
		t.Errorf("warnings %q; want the silence warning, then cleared", got)
	}
}

// TestClippingWarning: input at full scale raises the warning; it clears
// after two seconds of normal input.
func TestClippingWarning(t *testing.T) {
	src := &scriptSource{script: []step{{2000, 16000}, {32767, 8000}, {2000, 16000 * 4}}}
	got := warnings(t, src, func(w []string) bool { return len(w) >= 2 })
	if got[0] != session.WarnClipping || got[1] != "" {
		t.Errorf("warnings %q; want the clipping warning, then cleared", got)
	}
}

// TestStallWarning: a device that stops delivering raises the warning
// after two seconds; frames coming again clear it.
func TestStallWarning(t *testing.T) {
	src := &scriptSource{script: []step{{2000, 16000}}}
	hold := make(chan struct{})
	src.mu.Lock()
	src.hold = hold
	src.mu.Unlock()
	// Deliver a little, then hold.
	go func() { close(hold) }()
	var once sync.Once
	got := warnings(t, src, func(w []string) bool {
		if len(w) == 0 {
			once.Do(func() {
				src.mu.Lock()
				src.hold = make(chan struct{}) // the device goes quiet
				src.mu.Unlock()
			})
		}
		if len(w) == 1 && w[0] == session.WarnStalled {
			src.mu.Lock()
			h := src.hold
			src.hold = nil
			src.mu.Unlock()
			close(h) // and comes back
		}
		return len(w) >= 2
	})
	if got[0] != session.WarnStalled || got[1] != "" {
		t.Errorf("warnings %q; want the stall warning, then cleared", got)
	}
}

// TestNearlyFullDiskStopsAndSaves: when the vault's disk (a real tmpfs)
// fills up mid-recording, the recording stops cleanly with everything
// captured saved in its note, and the error names the disk.
func TestNearlyFullDiskStopsAndSaves(t *testing.T) {
	mnt := tmpfs.Mount(t, "size=16m", "a disk that fills up")
	v, err := persistence.Open(filepath.Join(mnt, "vault"), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := &scriptSource{script: []step{{2000, 16000}}}
	s, err := session.Start(session.Config{Vault: v, Open: func() (audio.Source, error) { return src, nil }})
	if err != nil {
		t.Fatal(err)
	}
	// Another program fills the disk until 2 MB are left.
	filler := filepath.Join(mnt, "filler")
	if err := os.WriteFile(filler, make([]byte, 13<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Ended():
	case <-time.After(time.Minute):
		t.Fatal("the recording went on with the disk nearly full")
	}
	n, err := s.Result()
	if !errors.Is(err, session.ErrDiskFull) || n == nil {
		t.Fatalf("Result = %v, %v; want the note saved and ErrDiskFull", n, err)
	}
	v.Close()
	path, _ := v.AudioPath(n)
	r, f, err := audio.OpenWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src.mu.Lock()
	delivered := src.delivered
	src.mu.Unlock()
	if r.Frames() != int64(delivered) {
		t.Errorf("the audio holds %d frames of the %d captured", r.Frames(), delivered)
	}
}
