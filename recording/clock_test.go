package recording_test

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
)

// laggySource is a microphone behind a slow link: frame i reaches the
// microphone at start + i/rate, but frames are handed over in blocks of
// block frames, each latency after its last frame was captured (a
// Bluetooth headset, a sound server that delivers in blocks). It says
// what PortAudio would: its latency, not the blocks.
type laggySource struct {
	rate    int
	block   int64
	latency time.Duration
	start   time.Time // when frame 0 was captured
	pos     int64
	avail   int64 // frames handed over so far
	mu      sync.Mutex
	closed  bool
	marks
}

func (l *laggySource) Format() (int, int)     { return l.rate, 1 }
func (l *laggySource) Latency() time.Duration { return l.latency }
func (l *laggySource) Close() error           { l.mu.Lock(); l.closed = true; l.mu.Unlock(); return nil }

// captured is when frame i reached the microphone.
func (l *laggySource) captured(i int64) time.Time {
	return l.start.Add(time.Duration(float64(i) * float64(time.Second) / float64(l.rate)))
}

func (l *laggySource) Read(buf []int16) error {
	need := l.pos + int64(len(buf))
	for l.avail < need {
		// The next block is handed over latency after its last frame.
		next := (l.avail/l.block + 1) * l.block
		time.Sleep(time.Until(l.captured(next).Add(l.latency))) // the device's own pace
		l.avail = next
	}
	for i := range buf {
		buf[i] = genSample(l.pos + int64(i))
	}
	l.pos = need
	l.deliver(int64(len(buf)))
	return nil
}

// at is the frame index, at 16 kHz, of moment t in the source's capture.
func (l *laggySource) at(t time.Time) int64 {
	return int64(math.Round(t.Sub(l.start).Seconds() * float64(l.rate)))
}

// TestActionsLandWhereTheyWereSaid: on an input that hands audio over in
// half-second blocks 100 ms late (up to 0.6 s of speech on its way at any
// moment), a moment asked for during the recording (a marker) is placed
// at the sound captured then, Pause and Resume leave out exactly what was
// captured between them, and Stop keeps everything captured up to the
// moment it was called and nothing after; the samples kept are the
// source's own, in order. Counting what had reached the disk would put
// each action up to 0.6 s early and lose the end.
func TestActionsLandWhereTheyWereSaid(t *testing.T) {
	v := openVault(t, persistence.Options{})
	src := &laggySource{rate: 16000, block: 8000, latency: 100 * time.Millisecond, start: time.Now()}
	r, err := recording.Start(recording.Options{Vault: v, Source: src})
	if err != nil {
		t.Fatal(err)
	}
	const tol = 20 * time.Millisecond // two 10 ms reads
	near := func(what string, got, want time.Duration) {
		t.Helper()
		if d := got - want; d > tol || d < -tol {
			t.Errorf("%s at %v in the recording, want %v (±%v)", what, got, want, tol)
		}
	}
	await(t, src.reached(12000), "0.75 s delivered")
	markAt := time.Now()
	near("a marker", r.At(markAt), markAt.Sub(src.start))
	await(t, src.after(4000), "a quarter second more")
	pauseAt := time.Now()
	r.Pause()
	await(t, src.after(16000), "a second while paused")
	resumeAt := time.Now()
	r.Resume()
	near("a moment after Resume", r.At(time.Now()), time.Since(src.start)-resumeAt.Sub(pauseAt))
	await(t, src.after(4000), "a quarter second more")
	stopAt := time.Now()
	n, err := r.Stop()
	if err != nil {
		t.Fatal(err)
	}
	want := pauseAt.Sub(src.start) + stopAt.Sub(resumeAt)
	near("the end", n.Duration, want)
	got := readSamples(t, filepath.Join(v.RecordingsPath(), n.Audio))
	// The samples: the source's from the start to the pause, then from
	// the resume to the stop, each edge within the tolerance.
	edge := int64(tol.Seconds() * 16000)
	p, q := src.at(pauseAt), src.at(resumeAt)
	kept := int64(len(got))
	if kept < p+edge {
		t.Fatalf("only %d samples kept, the pause was at %d", kept, p)
	}
	checkPrefix(t, got[:p-edge])
	// Where the part after the pause begins in the source: the sample
	// that follows the pause's edge, found near the resume.
	at := p + edge
	shift := int64(-1)
	for d := -2 * edge; d <= 2*edge; d++ {
		if got[at] == genSample(q+edge+d) && got[at+1] == genSample(q+edge+d+1) {
			shift = q + d - p
			break
		}
	}
	if shift < 0 {
		t.Fatalf("the audio after the pause does not begin within %v of the resume", 2*tol)
	}
	for i := at; i < kept; i++ {
		if got[i] != genSample(i+shift) {
			t.Fatalf("sample %d is %d, want the source's sample %d: the recording is not what was captured, in order", i, got[i], i+shift)
		}
	}
}

// suspendSource is a microphone in real time that stops for a while (the
// machine suspended, the process stopped): the sound of that time is
// never delivered; afterwards frames are captured in real time again.
type suspendSource struct {
	rate   int
	at     int64         // frame after which it stops
	pause  time.Duration // how long
	start  time.Time
	pos    int64 // frames delivered
	lost   int64 // frames never delivered
	paused bool
	marks
}

func (s *suspendSource) Format() (int, int) { return s.rate, 1 }
func (s *suspendSource) Close() error       { return nil }
func (s *suspendSource) Read(buf []int16) error {
	if s.start.IsZero() {
		s.start = time.Now()
	}
	if !s.paused && s.pos >= s.at {
		s.paused = true
		time.Sleep(s.pause) // this wait is the scenario: the machine asleep
		s.lost = int64(s.pause.Seconds() * float64(s.rate))
	}
	time.Sleep(time.Until(s.start.Add(time.Duration(s.pos+s.lost+int64(len(buf))) * time.Second / time.Duration(s.rate))))
	for i := range buf {
		buf[i] = genSample(s.pos + s.lost + int64(i))
	}
	s.pos += int64(len(buf))
	s.deliver(int64(len(buf)))
	return nil
}

// TestSuspendLeavesAMarkedGap: a recording whose microphone delivered
// nothing for three seconds (a suspended laptop: the sound of that time
// is gone) says so: a marker where the recording jumps, naming how long
// was lost, an error saying the rest is saved, and moments after the gap
// still placed on their own sound (the clock takes the gap out of its
// count rather than placing them three seconds late).
func TestSuspendLeavesAMarkedGap(t *testing.T) {
	v := openVault(t, persistence.Options{})
	src := &suspendSource{rate: 16000, at: 16000, pause: 3 * time.Second}
	r, err := recording.Start(recording.Options{Vault: v, Source: src})
	if err != nil {
		t.Fatal(err)
	}
	await(t, src.reached(16000+6*16000), "six seconds after the gap")
	at := r.At(time.Now())
	delivered := time.Duration(src.delivered.Load()) * time.Second / 16000
	if d := at - delivered; d > 100*time.Millisecond || d < -100*time.Millisecond {
		t.Errorf("a moment after the gap is placed at %v; the audio delivered is %v long", at, delivered)
	}
	n, err := r.Stop()
	if !errors.Is(err, recording.ErrGap) || !strings.Contains(err.Error(), "not recorded") {
		t.Errorf("the recording's error: %v; want the gap said", err)
	}
	ms, err := persistence.ReadMarkers(v.FS(), v.MarkersPath(n.ID))
	if err != nil || len(ms) != 1 {
		t.Fatalf("markers %v, %v; want one at the gap", ms, err)
	}
	m := ms[0]
	if m.At < 900*time.Millisecond || m.At > 1100*time.Millisecond || !strings.Contains(m.Label, "gap: 3.0 s not recorded") {
		t.Errorf("the gap's marker: %+v; want at 1 s, saying 3.0 s", m)
	}
}
