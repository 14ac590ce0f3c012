package ui

import (
	"log"
	"math"
)

// The sounds a dictation starts and stops with (Settings): 90 ms, two
// tones a fifth apart, rising to start and falling to stop, each faded in
// and out so that nothing clicks, at a fifth of full scale. Short and
// soft, because a microphone beside the speaker records the start sound
// at the head of the dictation.
const (
	cueLength = 0.09 // seconds
	cueLow    = 660.0
	cueHigh   = 990.0
	cueLevel  = 0.2
	cueFade   = 0.005 // seconds at each end of each tone
)

// cueSamples is the sound, interleaved for channels at rate.
func cueSamples(rate, channels int, rising bool) []float32 {
	n := int(cueLength * float64(rate))
	half := n / 2
	fade := max(1, int(cueFade*float64(rate)))
	out := make([]float32, 0, n*channels)
	for i := range n {
		f, j, length := cueLow, i, half
		if i >= half {
			f, j, length = cueHigh, i-half, n-half
		}
		if !rising {
			if f == cueLow {
				f = cueHigh
			} else {
				f = cueLow
			}
		}
		env := 1.0
		if j < fade {
			env = 0.5 - 0.5*math.Cos(math.Pi*float64(j)/float64(fade))
		} else if k := length - 1 - j; k < fade {
			env = 0.5 - 0.5*math.Cos(math.Pi*float64(k)/float64(fade))
		}
		v := float32(cueLevel * env * math.Sin(2*math.Pi*f*float64(j)/float64(rate)))
		for range channels {
			out = append(out, v)
		}
	}
	return out
}

// playCue plays the start (or stop) sound when Settings ask for it, off
// the UI thread, through the default output. UI thread.
func (w *Window) playCue(start bool) {
	if w.svc.OpenOutput == nil || !w.settings().DictationSounds {
		return
	}
	open := w.svc.OpenOutput
	go func() {
		sink, err := open(48000, 1)
		if err != nil {
			log.Printf("dictation: the sound could not be played: %v", err)
			return
		}
		defer sink.Close() // waits for what was written to be played
		rate, channels := sink.Format()
		if err := sink.Write(cueSamples(rate, channels, start)); err != nil {
			log.Printf("dictation: the sound could not be played: %v", err)
		}
	}()
}
