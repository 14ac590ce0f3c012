package audio

import (
	"errors"
	"math"
	"time"
)

// Source is a capture device: it delivers interleaved PCM16 frames in
// real time.
type Source interface {
	// Format is the sample rate and channel count Read delivers.
	Format() (rate, channels int)
	// Read fills buf with interleaved samples, blocking until it is full. An
	// error wrapping ErrOverflow means the device lost samples before this
	// buffer, which still holds good audio; any other error ends the
	// recording.
	Read(buf []int16) error
	// Close stops the device.
	Close() error
}

// Latencier is a Source that knows how long after its capture a frame is
// read (PortAudio's input latency); the recorder places the person's
// actions in the audio with it.
type Latencier interface {
	Latency() time.Duration
}

// ErrNoDevice means there is no usable microphone or speaker.
var ErrNoDevice = errors.New("no audio device")

// ErrOverflow reports that the device dropped input before Read was called.
var ErrOverflow = errors.New("input overflowed: the device dropped audio")

// Level is the loudness of the latest stretch of audio, for a meter.
type Level struct {
	Peak    float32       // highest absolute sample, 0 to 1
	RMS     float32       // root mean square, 0 to 1
	Elapsed time.Duration // audio recorded so far
}

// DB converts a 0..1 amplitude to decibels full scale (-inf for 0).
func DB(v float32) float64 { return 20 * math.Log10(float64(v)) }
