package audio_test

import (
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
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
	r, err := audio.Start(audio.Options{Vault: v, Source: src})
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
