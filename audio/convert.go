package audio

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Converter turns interleaved float frames of any rate and channel count
// into mono PCM16 at one rate: downmix, resample, clip. It is the one path
// by which audio enters a note (recording, import) or an engine, so they
// all hear the same thing. A Converter keeps the resampler's state between
// calls; it is not safe for concurrent use.
type Converter struct {
	channels   int
	rs         *Resampler
	mono, flts []float32
}

// NewConverter converts frames of rate Hz with channels channels to mono
// at outRate Hz.
func NewConverter(rate, channels, outRate int) *Converter {
	return &Converter{channels: max(1, channels), rs: NewResampler(rate, outRate)}
}

// Convert appends to dst the samples that frames (interleaved) yield so
// far; the resampler holds back the last few until more come or Flush.
func (c *Converter) Convert(dst []int16, frames []float32) []int16 {
	c.mono = Downmix(frames, c.channels, c.mono[:0])
	c.flts = c.rs.Process(c.mono, c.flts[:0])
	return appendClipped(dst, c.flts)
}

// Flush appends the samples held back, at the end of the audio.
func (c *Converter) Flush(dst []int16) []int16 {
	c.flts = c.rs.Flush(c.flts[:0])
	return appendClipped(dst, c.flts)
}

func appendClipped(dst []int16, s []float32) []int16 {
	for _, v := range s {
		dst = append(dst, Clip(v))
	}
	return dst
}

// ErrNoAudio reports a file that holds no audio at all (a header only).
var ErrNoAudio = errors.New("no audio in the file")

// ReadMono decodes a whole WAV as mono PCM16 at rate Hz, streaming: feed
// gets chunk samples at a time (the last call fewer) and progress, when not
// nil, the fraction read. It stops at the first error from feed or ctx, and
// a read that fails or finds the file shorter than its length is an error,
// never an early end.
func ReadMono(ctx context.Context, r Reader, rate, chunk int, feed func([]int16) error, progress func(float64)) error {
	format := r.Format()
	c := NewConverter(format.SampleRate, format.Channels, rate)
	var frames []float32
	pending := make([]int16, 0, 2*chunk)
	emit := func(all bool) error {
		for len(pending) >= chunk || (all && len(pending) > 0) {
			n := min(chunk, len(pending))
			if err := feed(pending[:n]); err != nil {
				return err
			}
			pending = append(pending[:0], pending[n:]...)
		}
		return nil
	}
	in := max(1, chunk*format.SampleRate/rate)
	total := r.Frames()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		frames, err = r.Read(frames[:0], in)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		pending = c.Convert(pending, frames)
		if err := emit(false); err != nil {
			return err
		}
		if progress != nil && total > 0 {
			progress(float64(r.Position()) / float64(total))
		}
	}
	pending = c.Flush(pending)
	if err := emit(true); err != nil {
		return err
	}
	if progress != nil {
		progress(1)
	}
	return nil
}

// ReadMonoFile is ReadMono on the audio file at path (any format
// OpenAudio reads).
func ReadMonoFile(ctx context.Context, path string, rate, chunk int, feed func([]int16) error, progress func(float64)) error {
	r, done, err := OpenAudio(ctx, path)
	if err != nil {
		return err
	}
	defer done()
	if err := ReadMono(ctx, r, rate, chunk, feed, progress); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
