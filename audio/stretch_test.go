package audio

import (
	"math"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/cputime"
)

// dominant is the strongest frequency in s (Goertzel over 50..2000 Hz,
// 5 Hz steps).
func dominant(s []float32, rate int) float64 {
	best, bestP := 0.0, -1.0
	for f := 50.0; f <= 2000; f += 5 {
		w := 2 * math.Cos(2*math.Pi*f/float64(rate))
		var s1, s2 float64
		for _, v := range s {
			s0 := float64(v) + w*s1 - s2
			s2, s1 = s1, s0
		}
		if p := s1*s1 + s2*s2 - w*s1*s2; p > bestP {
			best, bestP = f, p
		}
	}
	return best
}

func rms(s []float32) float64 {
	var e float64
	for _, v := range s {
		e += float64(v) * float64(v)
	}
	return math.Sqrt(e / float64(len(s)))
}

// TestStretchKeepsPitch: at 0.5x to 2x a 440 Hz tone (a voice's range)
// lasts 1/speed as long, stays at 440 Hz, keeps its loudness, and has no
// clicks where windows meet; stereo channels stay apart; 1x is untouched.
func TestStretchKeepsPitch(t *testing.T) {
	const rate = 16000
	in := make([]float32, 3*rate)
	for i := range in {
		in[i] = 0.5 * float32(math.Sin(2*math.Pi*440*float64(i)/rate))
	}
	maxStep := 0.5 * 2 * math.Pi * 440 / rate // the tone's steepest sample-to-sample change
	for _, speed := range []float64{0.5, 0.75, 1.25, 1.5, 2} {
		st := NewStretcher(rate, 1, speed)
		var out []float32
		for i := 0; i < len(in); i += 320 { // 20 ms blocks, as the player reads
			out = st.Process(in[i:min(i+320, len(in))], out)
		}
		out = st.Flush(out)
		want := float64(len(in)) / speed
		if d := math.Abs(float64(len(out))-want) / want; d > 0.03 {
			t.Errorf("%.2fx: %d frames out of %d, want about %.0f", speed, len(out), len(in), want)
		}
		mid := out[len(out)/4 : 3*len(out)/4]
		if f := dominant(mid, rate); math.Abs(f-440) > 10 {
			t.Errorf("%.2fx: the tone is at %.0f Hz, want 440", speed, f)
		}
		if r := rms(mid) / rms(in); r < 0.85 || r > 1.15 {
			t.Errorf("%.2fx: loudness changed by a factor %.2f", speed, r)
		}
		// A steady tone stays steady: windows that did not line up would
		// cancel each other in places (a warble).
		lo, hi := math.Inf(1), 0.0
		for i := 0; i+160 <= len(mid); i += 160 {
			r := rms(mid[i : i+160])
			lo, hi = min(lo, r), max(hi, r)
		}
		if lo/hi < 0.8 {
			t.Errorf("%.2fx: the loudness wavers between %.3f and %.3f over 10 ms blocks", speed, lo, hi)
		}
		for i := 1; i < len(mid); i++ {
			if d := math.Abs(float64(mid[i] - mid[i-1])); d > 1.5*maxStep {
				t.Errorf("%.2fx: a click at %d (a step of %.3f; the tone's steepest is %.3f)", speed, i, d, maxStep)
				break
			}
		}
	}
	// Stereo: left a tone, right silence; they stay so.
	st := NewStretcher(rate, 2, 1.5)
	stereo := make([]float32, 2*rate*2)
	for i := 0; i < len(stereo)/2; i++ {
		stereo[2*i] = in[i]
	}
	out := st.Flush(st.Process(stereo, nil))
	var right float64
	for i := 1; i < len(out); i += 2 {
		right = max(right, math.Abs(float64(out[i])))
	}
	if right != 0 || len(out)%2 != 0 {
		t.Errorf("stereo: the silent channel got %.3f, or frames were split (%d samples)", right, len(out))
	}
	if got := NewStretcher(rate, 1, 1).Process(in[:100], nil); len(got) != 100 || got[50] != in[50] {
		t.Error("1x changed the audio")
	}
}

// BenchmarkStretch plays a minute of 48 kHz stereo at 1.5x through the
// stretcher, in 20 ms blocks as the player does, and reports the share of
// a core it takes while playing (CPU time over the time it plays for).
func BenchmarkStretch(b *testing.B) {
	const rate = 48000
	in := make([]float32, 2*rate*60)
	for i := 0; i < len(in); i += 2 {
		v := 0.3 * float32(math.Sin(2*math.Pi*220*float64(i/2)/rate)*math.Sin(2*math.Pi*3*float64(i/2)/rate))
		in[i], in[i+1] = v, v
	}
	var used time.Duration
	for b.Loop() {
		t0 := cputime.Bench(b)
		st := NewStretcher(rate, 2, 1.5)
		var out []float32
		for i := 0; i < len(in); i += 2 * rate / 50 {
			out = st.Process(in[i:min(i+2*rate/50, len(in))], out[:0])
		}
		st.Flush(out[:0])
		used += cputime.Bench(b) - t0
	}
	played := time.Duration(float64(time.Minute) / 1.5)
	b.ReportMetric(100*float64(used)/float64(b.N)/float64(played), "cpu-%core")
}
