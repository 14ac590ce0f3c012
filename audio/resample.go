package audio

import "math"

// Resampler converts a mono stream between sample rates with a windowed-sinc
// low-pass filter (Kaiser window), so content above the new Nyquist
// frequency is removed rather than folded back as aliasing. It is
// polyphase: one filter per output phase of the rational ratio, computed
// once. Process appends to out and keeps the tail it still needs.
type Resampler struct {
	up, down int         // out/in = up/down, reduced
	phases   [][]float32 // phases[p] is the filter for phase p/up
	half     int         // taps on each side of the centre
	hist     []float32   // input not yet consumed, with the left context
	pos      int         // index in hist of the next output's centre sample
	phase    int         // numerator of the fractional position, in units of 1/up
}

const (
	zeroCrossings = 24  // filter half-width in zero crossings of the sinc
	kaiserBeta    = 9.0 // about 90 dB of stop-band attenuation
	passband      = 0.9 // cutoff as a fraction of the lower Nyquist frequency
)

// NewResampler converts from rate in to rate out (both in Hz).
func NewResampler(in, out int) *Resampler {
	g := gcd(in, out)
	r := &Resampler{up: out / g, down: in / g}
	cutoff := passband * math.Min(1, float64(out)/float64(in)) // in cycles per input sample ×2
	r.half = int(math.Ceil(zeroCrossings / cutoff))
	r.phases = make([][]float32, r.up)
	for p := range r.phases {
		frac := float64(p) / float64(r.up)
		taps := make([]float32, 2*r.half)
		sum := 0.0
		for k := range taps {
			x := float64(k-r.half+1) - frac // distance of input sample from the output instant
			w := kaiser(x/float64(r.half), kaiserBeta)
			v := cutoff * sinc(cutoff*x) * w
			taps[k] = float32(v)
			sum += v
		}
		for k := range taps { // unity gain at DC for every phase
			taps[k] = float32(float64(taps[k]) / sum)
		}
		r.phases[p] = taps
	}
	r.hist = make([]float32, r.half-1, 4096) // silence before the first sample
	r.pos = r.half - 1
	return r
}

// Process appends the output for in to out. Outputs need half samples of
// look-ahead, so they lag the input by that many samples until Flush.
func (r *Resampler) Process(in []float32, out []float32) []float32 {
	if r.up == r.down {
		return append(out, in...)
	}
	r.hist = append(r.hist, in...)
	for r.pos+r.half < len(r.hist) {
		taps := r.phases[r.phase]
		window := r.hist[r.pos-r.half+1 : r.pos+r.half+1]
		var acc float32
		for k, t := range taps {
			acc += t * window[k]
		}
		out = append(out, acc)
		r.phase += r.down
		r.pos += r.phase / r.up
		r.phase %= r.up
	}
	// Drop what no later output needs, keeping the buffer's storage.
	if drop := r.pos - r.half + 1; drop > 0 && drop > len(r.hist)/2 {
		n := copy(r.hist, r.hist[drop:])
		r.hist = r.hist[:n]
		r.pos -= drop
	}
	return out
}

// Flush appends the outputs still held back for look-ahead, as if the input
// were followed by silence.
func (r *Resampler) Flush(out []float32) []float32 {
	if r.up == r.down {
		return out
	}
	return r.Process(make([]float32, r.half), out)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// kaiser is the Kaiser window at x in [-1, 1].
func kaiser(x, beta float64) float64 {
	if x < -1 || x > 1 {
		return 0
	}
	return bessel0(beta*math.Sqrt(1-x*x)) / bessel0(beta)
}

// bessel0 is the modified Bessel function of the first kind, order 0.
func bessel0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < 1e-12*sum {
			break
		}
	}
	return sum
}

// Downmix averages interleaved channels into mono, appending to out.
func Downmix(in []float32, channels int, out []float32) []float32 {
	if channels == 1 {
		return append(out, in...)
	}
	scale := 1 / float32(channels)
	for i := 0; i+channels <= len(in); i += channels {
		var s float32
		for c := range channels {
			s += in[i+c]
		}
		out = append(out, s*scale)
	}
	return out
}
