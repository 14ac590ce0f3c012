package audio

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"time"

	"github.com/mewkiz/flac"
	"github.com/voicenotes/voicenotes/internal/regular"
)

// Reader is decoded audio with random access, as the player, the
// waveform and the engines read it: a WAV read directly (WAVReader), a
// FLAC decoded in Go (FLACReader), or what ffmpeg decoded of anything else.
type Reader interface {
	Format() Format
	// Frames is the length in frames (a sample for every channel).
	Frames() int64
	Duration() time.Duration
	// Position is the next frame Read returns.
	Position() int64
	// SeekFrame moves to a frame, clamped to the audio.
	SeekFrame(frame int64)
	// Read decodes up to maxFrames frames as interleaved float32 samples
	// in [-1, 1], appended to out; at the end, io.EOF with no samples.
	Read(out []float32, maxFrames int) ([]float32, error)
}

// FLACReader decodes a FLAC file in Go (github.com/mewkiz/flac), frame by
// frame as it is read: no ffmpeg, no temporary file, and never the whole
// file in memory. Each frame's CRC is checked as it is decoded; read from
// start to end, the samples' MD5 is checked against the file's own.
type FLACReader struct {
	s      *flac.Stream
	format Format
	frames int64
	pos    int64
	buf    []float32 // decoded frames from bufAt on, interleaved
	bufAt  int64
	next   int64 // the frame the stream decodes next
	scale  float32
	md5    hash.Hash // nil once the reading is not in order from the start
	want   [16]byte
	raw    []byte
}

// errNoLength marks a FLAC without its length (written to a pipe), which
// is left to ffmpeg.
var errNoLength = errors.New("the FLAC file does not say how long it is")

// OpenFLAC opens a FLAC file; close the returned file when done.
func OpenFLAC(path string) (*FLACReader, *os.File, error) {
	f, err := regular.Open(path)
	if err != nil {
		return nil, nil, err
	}
	s, err := flac.NewSeek(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s is not a FLAC file it can read: %w", path, err)
	}
	info := s.Info
	if info.NSamples == 0 {
		f.Close()
		return nil, nil, errNoLength
	}
	if info.NChannels == 0 || info.SampleRate == 0 || info.BitsPerSample < 4 || info.BitsPerSample > 32 {
		f.Close()
		return nil, nil, fmt.Errorf("%s: a FLAC header of %d channels at %d Hz, %d bits is not audio", path, info.NChannels, info.SampleRate, info.BitsPerSample)
	}
	r := &FLACReader{s: s, frames: int64(info.NSamples), want: info.MD5sum,
		format: Format{SampleRate: int(info.SampleRate), Channels: int(info.NChannels), Bits: int(info.BitsPerSample)},
		scale:  1 / float32(int64(1)<<(info.BitsPerSample-1))}
	if info.MD5sum != [16]byte{} {
		r.md5 = md5.New()
	}
	return r, f, nil
}

func (r *FLACReader) Format() Format    { return r.format }
func (r *FLACReader) Frames() int64     { return r.frames }
func (r *FLACReader) Position() int64   { return r.pos }
func (r *FLACReader) SeekFrame(f int64) { r.pos = max(0, min(f, r.frames)) }
func (r *FLACReader) Duration() time.Duration {
	return time.Duration(r.frames) * time.Second / time.Duration(r.format.SampleRate)
}

func (r *FLACReader) Read(out []float32, maxFrames int) ([]float32, error) {
	ch := int64(r.format.Channels)
	if r.pos >= r.frames {
		return out, io.EOF
	}
	for maxFrames > 0 && r.pos < r.frames {
		end := r.bufAt + int64(len(r.buf))/ch
		if r.pos < r.bufAt || r.pos >= end {
			if err := r.fill(); err != nil {
				return out, err
			}
			continue
		}
		n := min(int64(maxFrames), end-r.pos, r.frames-r.pos)
		from := (r.pos - r.bufAt) * ch
		out = append(out, r.buf[from:from+n*ch]...)
		r.pos += n
		maxFrames -= int(n)
	}
	return out, nil
}

// fill decodes the frame holding r.pos into r.buf, seeking when r.pos is
// not where the stream is.
func (r *FLACReader) fill() error {
	if r.pos != r.next {
		at, err := r.s.Seek(uint64(r.pos))
		if err != nil {
			return fmt.Errorf("seeking in the FLAC file: %w", err)
		}
		r.next, r.md5 = int64(at), nil // not read in order: no MD5 to check
	}
	fr, err := r.s.ParseNext()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("the FLAC file ends at %s of the %s it says it holds: %w", Seconds(time.Duration(r.next)*time.Second/time.Duration(r.format.SampleRate)), Seconds(r.Duration()), io.ErrUnexpectedEOF)
	}
	if err != nil {
		return fmt.Errorf("decoding the FLAC file: %w", err)
	}
	if len(fr.Subframes) != r.format.Channels {
		return fmt.Errorf("decoding the FLAC file: a frame of %d channels in a stream of %d", len(fr.Subframes), r.format.Channels)
	}
	n := int(fr.BlockSize)
	r.buf = r.buf[:0]
	bytesPer := (r.format.Bits + 7) / 8
	r.raw = r.raw[:0]
	for i := range n {
		for _, sf := range fr.Subframes {
			v := sf.Samples[i]
			r.buf = append(r.buf, float32(v)*r.scale)
			if r.md5 != nil {
				for b := range bytesPer {
					r.raw = append(r.raw, byte(v>>(8*b)))
				}
			}
		}
	}
	r.bufAt = r.next
	r.next += int64(n)
	if r.md5 != nil {
		r.md5.Write(r.raw)
		if r.next >= r.frames && !bytes.Equal(r.md5.Sum(nil), r.want[:]) {
			return errors.New("decoding the FLAC file: its samples do not match the MD5 sum in its header (the file is damaged)")
		}
	}
	return nil
}
