package audio

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"math"
	"slices"
	"sync"
	"testing"
	"time"
)

// memSink is an output device that keeps what it is given, in real time
// scaled down by speed.
type memSink struct {
	rate, channels int
	mu             sync.Mutex
	got            []float32
	closed         bool
}

func (s *memSink) Format() (int, int) { return s.rate, s.channels }
func (s *memSink) Write(b []float32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, b...)
	return nil
}
func (s *memSink) Close() error { s.mu.Lock(); s.closed = true; s.mu.Unlock(); return nil }

func (s *memSink) samples() []float32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]float32(nil), s.got...)
}

// endings wraps an update callback (nil for none) so that each time
// playback reaches the end, the returned channel gets a value: the player
// reports the end as an update at its full length.
func endings(also func(pos, length time.Duration)) (func(pos, length time.Duration), chan struct{}) {
	ended := make(chan struct{}, 4)
	return func(pos, length time.Duration) {
		if also != nil {
			also(pos, length)
		}
		if pos == length {
			ended <- struct{}{}
		}
	}, ended
}

func waitEnd(t *testing.T, ended chan struct{}) {
	t.Helper()
	select {
	case <-ended:
	case <-time.After(time.Minute):
		t.Fatal("playback did not reach the end")
	}
}

// TestPlayerConvertsAnyWAV plays files of other rates and channel counts
// into a 48 kHz stereo device: the length and pitch must come out right.
func TestPlayerConvertsAnyWAV(t *testing.T) {
	for _, tc := range []struct{ rate, channels int }{{16000, 1}, {44100, 1}, {22050, 2}, {48000, 2}, {8000, 1}} {
		n := tc.rate // 1 s
		samples := make([]int16, 0, n*tc.channels)
		for i := range n {
			v := Clip(float32(0.5 * math.Sin(2*math.Pi*1000*float64(i)/float64(tc.rate))))
			for range tc.channels {
				samples = append(samples, v)
			}
		}
		data := EncodePCM16(tc.rate, tc.channels, samples)
		r, err := NewWAVReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		sink := &memSink{rate: 48000, channels: 2}
		var last time.Duration
		var mu sync.Mutex
		update, ended := endings(func(pos, _ time.Duration) { mu.Lock(); last = pos; mu.Unlock() })
		p := NewPlayer(r, sink, update)
		p.Play()
		waitEnd(t, ended)
		p.Close()
		got := sink.samples()
		frames := len(got) / 2
		// The resampler's delay line may leave a few frames of the last
		// block: within 2 ms of the exact length.
		if frames < 47900 || frames > 48100 {
			t.Errorf("%d Hz %dch: played %d frames at 48 kHz, want 48000", tc.rate, tc.channels, frames)
		}
		left := make([]float32, frames)
		for i := range left {
			left[i] = got[2*i]
			if got[2*i] != got[2*i+1] {
				t.Fatalf("%d Hz %dch: channels differ at frame %d", tc.rate, tc.channels, i)
			}
		}
		if lvl := toneLevel(left[4800:43200], 1000, 48000); math.Abs(lvl-0.5) > 0.01 {
			t.Errorf("%d Hz %dch: 1 kHz tone played at %.3f, want 0.5", tc.rate, tc.channels, lvl)
		}
		mu.Lock()
		if last != time.Second {
			t.Errorf("final position %v, want 1s", last)
		}
		mu.Unlock()
		if !sink.closed {
			t.Error("the device was not closed")
		}
	}
}

func TestPlayerSeekAndPause(t *testing.T) {
	samples := make([]int16, 16000*2) // 2 s: first second 1000, second second -1000
	for i := range samples {
		samples[i] = 1000
		if i >= 16000 {
			samples[i] = -1000
		}
	}
	data := EncodePCM16(16000, 1, samples)
	r, _ := NewWAVReader(bytes.NewReader(data), int64(len(data)))
	sink := &memSink{rate: 16000, channels: 1}
	update, ended := endings(nil)
	p := NewPlayer(r, sink, update)
	p.Seek(1500 * time.Millisecond)
	p.Play()
	waitEnd(t, ended)
	got := sink.samples()
	if len(got) < 7900 || len(got) > 8100 {
		t.Fatalf("played %d samples after seeking to 1.5 s of 2 s", len(got))
	}
	for _, v := range got[200 : len(got)-200] {
		if Clip(v) != -1000 {
			t.Fatalf("after the seek played %v, want the second half", Clip(v))
		}
	}
	// Play again from the end starts at the top.
	p.Play()
	waitEnd(t, ended)
	if again := sink.samples()[len(got):]; len(again) < 31900 || Clip(again[100]) != 1000 {
		t.Errorf("replay after the end played %d samples starting %v", len(again), Clip(again[100]))
	}
	p.Pause()
	if p.Playing() {
		t.Error("still playing after Pause")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestPlayerSpeed: at 2x a second of a 440 Hz tone plays in half a second
// at 440 Hz; at 0.5x in two; the position still counts the recording's
// time (the whole second at the end).
func TestPlayerSpeed(t *testing.T) {
	for _, speed := range []float64{2, 0.5} {
		samples := make([]int16, 16000)
		for i := range samples {
			samples[i] = Clip(float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/16000)))
		}
		data := EncodePCM16(16000, 1, samples)
		r, err := NewWAVReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		sink := &memSink{rate: 16000, channels: 1}
		var last time.Duration
		var mu sync.Mutex
		update, ended := endings(func(pos, _ time.Duration) { mu.Lock(); last = pos; mu.Unlock() })
		p := NewPlayer(r, sink, update)
		p.SetSpeed(speed)
		p.Play()
		waitEnd(t, ended)
		p.Close()
		got := sink.samples()
		want := 16000 / speed
		if d := math.Abs(float64(len(got))-want) / want; d > 0.05 {
			t.Errorf("%.1fx: played %d frames, want about %.0f", speed, len(got), want)
		}
		if f := dominant(got[len(got)/4:3*len(got)/4], 16000); math.Abs(f-440) > 10 {
			t.Errorf("%.1fx: played at %.0f Hz, want 440", speed, f)
		}
		mu.Lock()
		if last != time.Second {
			t.Errorf("%.1fx: the position ended at %v, want the recording's 1s", speed, last)
		}
		mu.Unlock()
	}
}

// TestPlayerAtOneAndAHalf: ten seconds of real speech (two LibriVox clips
// end to end) played at 1.5x last 6.67 s ± 2% at the device, and the
// voice's pitch, found by autocorrelation, is the same within 3%.
func TestPlayerAtOneAndAHalf(t *testing.T) {
	const dir = "/usr/share/pocketsphinx/test/data/librivox/"
	var speech []int16
	for _, c := range []string{"sense_and_sensibility_01_austen_64kb-0870.wav", "sense_and_sensibility_01_austen_64kb-0880.wav"} {
		err := ReadMonoFile(context.Background(), dir+c, 16000, 16000, func(b []int16) error { speech = append(speech, b...); return nil }, nil)
		if errors.Is(err, fs.ErrNotExist) {
			t.Skipf("the LibriVox clips are missing (%v); make setup installs pocketsphinx-testdata", err)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	speech = speech[:10*16000]
	data := EncodePCM16(16000, 1, speech)
	r, err := NewWAVReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{rate: 16000, channels: 1}
	update, ended := endings(nil)
	p := NewPlayer(r, sink, update)
	p.SetSpeed(1.5)
	p.Play()
	waitEnd(t, ended)
	p.Close()
	out := sink.samples()
	played := time.Duration(len(out)) * time.Second / 16000
	if want := 10 * time.Second * 2 / 3; math.Abs(float64(played-want))/float64(want) > 0.02 {
		t.Errorf("10 s at 1.5x played for %v, want %v ± 2%%", played, want)
	}
	in := make([]float32, len(speech))
	for i, v := range speech {
		in[i] = float32(v) / 32768
	}
	f0in, f0out := voicePitch(in, 16000), voicePitch(out, 16000)
	t.Logf("played %v; pitch %.1f Hz, at 1.5x %.1f Hz", played, f0in, f0out)
	if f0in < 60 || f0in > 300 {
		t.Fatalf("the speech's pitch came out at %.1f Hz: the measure is broken", f0in)
	}
	if d := math.Abs(f0out-f0in) / f0in; d > 0.03 {
		t.Errorf("the pitch moved from %.1f Hz to %.1f Hz at 1.5x (%.1f%%)", f0in, f0out, 100*d)
	}
}

// voicePitch is the median fundamental of the voiced 40 ms frames of s:
// for each, the lag between 2.5 and 16 ms (400 to 62 Hz) where the
// normalised autocorrelation peaks, kept when that peak is strong.
func voicePitch(s []float32, rate int) float64 {
	frame := rate * 40 / 1000
	lo, hi := rate/400, rate*16/1000
	var f0s []float64
	for start := 0; start+frame+hi <= len(s); start += frame / 2 {
		x := s[start : start+frame+hi]
		var energy float64
		for _, v := range x[:frame] {
			energy += float64(v) * float64(v)
		}
		if energy/float64(frame) < 1e-4 { // silence
			continue
		}
		best, bestR := 0, 0.0
		for lag := lo; lag <= hi; lag++ {
			var xy, xx, yy float64
			for i := range frame {
				a, b := float64(x[i]), float64(x[i+lag])
				xy, xx, yy = xy+a*b, xx+a*a, yy+b*b
			}
			if r := xy / math.Sqrt(xx*yy+1e-12); r > bestR {
				best, bestR = lag, r
			}
		}
		if bestR > 0.8 {
			f0s = append(f0s, float64(rate)/float64(best))
		}
	}
	if len(f0s) == 0 {
		return 0
	}
	slices.Sort(f0s)
	return f0s[len(f0s)/2]
}
