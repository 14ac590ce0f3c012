package audio

import (
	"bytes"
	"math"
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
		data := wavBytes(tc.rate, tc.channels, samples)
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
	data := wavBytes(16000, 1, samples)
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
		data := wavBytes(16000, 1, samples)
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
