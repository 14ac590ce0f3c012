package audio

import "math"

// Stretcher changes the speed of audio without changing its pitch, by
// WSOLA (waveform-similarity overlap-add): it cuts the input into
// overlapping windows taken every speed×hop frames, moves each a little
// (at most tolerance) to where it best continues the last one, and adds
// them up every hop frames under a Hann window. It works on interleaved
// frames of any channel count, in a stream.
type Stretcher struct {
	ch     int
	speed  float64
	win    int // window, frames
	hop    int // synthesis hop: win/2
	tol    int // how far a window may move to fit, frames
	window []float32

	in    []float32 // buffered input, interleaved; frame 0 is in[0]
	pos   float64   // where the next window is due, in frames of in
	prev  int       // where the last window was taken; -1 before the first
	tail  []float32 // the last window's second half, windowed, to add to the next
	ended bool
	end   float64 // after Flush: where the real input ends, in frames of in
}

// NewStretcher makes a stretcher for audio of rate and channels. Speed
// 1 passes audio through untouched.
func NewStretcher(rate, channels int, speed float64) *Stretcher {
	win := rate * 40 / 1000 // 40 ms: a few periods of any voice
	win -= win % 2
	s := &Stretcher{ch: channels, speed: speed, win: win, hop: win / 2, tol: rate * 8 / 1000, prev: -1}
	s.window = make([]float32, win)
	for i := range s.window { // periodic Hann: halves overlapped sum to 1
		s.window[i] = float32(0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(win)))
	}
	return s
}

// Speed is the stretcher's speed.
func (s *Stretcher) Speed() float64 { return s.speed }

// Process takes interleaved frames and appends to out what can be made
// of them so far.
func (s *Stretcher) Process(in, out []float32) []float32 {
	if s.speed == 1 {
		return append(out, in...)
	}
	s.in = append(s.in, in...)
	return s.run(out)
}

// Flush appends what is left (the last window's tail).
func (s *Stretcher) Flush(out []float32) []float32 {
	if s.speed == 1 || s.ended {
		return out
	}
	s.ended = true
	// Pad so the windows up to the real end can be taken, then give back
	// the last one's tail; nothing is made of the padding alone.
	s.end = float64(s.frames())
	s.in = append(s.in, make([]float32, (s.win+s.tol)*s.ch)...)
	out = s.run(out)
	return append(out, s.tail...)
}

func (s *Stretcher) frames() int { return len(s.in) / s.ch }

func (s *Stretcher) run(out []float32) []float32 {
	for {
		nominal := int(math.Round(s.pos))
		if nominal+s.tol+s.win > s.frames() || s.ended && s.pos+float64(s.hop)*s.speed > s.end {
			break
		}
		start := nominal
		if s.prev >= 0 {
			start = s.bestFit(nominal)
		}
		if s.tail == nil {
			s.tail = make([]float32, s.hop*s.ch)
		}
		for j := 0; j < s.hop; j++ {
			for c := 0; c < s.ch; c++ {
				out = append(out, s.tail[j*s.ch+c]+s.window[j]*s.in[(start+j)*s.ch+c])
			}
		}
		for j := 0; j < s.hop; j++ {
			for c := 0; c < s.ch; c++ {
				s.tail[j*s.ch+c] = s.window[s.hop+j] * s.in[(start+s.hop+j)*s.ch+c]
			}
		}
		s.prev = start
		s.pos += float64(s.hop) * s.speed
		s.drop()
	}
	return out
}

// bestFit is where near nominal a window best continues the last one: the
// offset whose first half correlates most with what followed the last
// window's first half in the input. A coarse search (every 4th offset,
// every 4th frame) finds the place, a fine one around it the frame.
func (s *Stretcher) bestFit(nominal int) int {
	lo := max(0, nominal-s.tol)
	hi := min(nominal+s.tol, s.frames()-s.win)
	best := s.search(lo, hi, 4, 4, nominal)
	return s.search(max(lo, best-3), min(hi, best+3), 1, 2, best)
}

// search tries offsets lo..hi every step, comparing every stride frames.
func (s *Stretcher) search(lo, hi, step, stride, fallback int) int {
	natural := s.prev + s.hop
	best, bestScore := fallback, math.Inf(-1)
	for cand := lo; cand <= hi; cand += step {
		var dot, e float64
		for j := 0; j < s.hop; j += stride {
			a := s.mono(natural + j)
			b := s.mono(cand + j)
			dot += float64(a * b)
			e += float64(b * b)
		}
		if e > 0 {
			dot /= math.Sqrt(e)
		}
		if dot > bestScore {
			best, bestScore = cand, dot
		}
	}
	return best
}

func (s *Stretcher) mono(frame int) float32 {
	if frame*s.ch >= len(s.in) {
		return 0
	}
	var v float32
	for c := 0; c < s.ch; c++ {
		v += s.in[frame*s.ch+c]
	}
	return v
}

// drop forgets input no later window can reach.
func (s *Stretcher) drop() {
	keep := min(s.prev, int(s.pos)-s.tol)
	if keep <= 0 {
		return
	}
	s.in = append(s.in[:0], s.in[keep*s.ch:]...)
	s.prev -= keep
	s.pos -= float64(keep)
	s.end -= float64(keep)
}
