package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// The stored format: 16 kHz mono PCM16.
const (
	StoreRate     = 16000
	StoreChannels = 1
	WAVHeaderSize = 44
)

// ErrNotWAV is wrapped by every error about a file that is not a WAV this
// package can read.
var ErrNotWAV = errors.New("not a supported WAV file")

// Format describes PCM audio in a WAV file.
type Format struct {
	SampleRate int
	Channels   int
	Bits       int  // bits per sample
	Float      bool // IEEE float samples
}

// FrameSize is the bytes one frame (a sample for every channel) takes.
func (f Format) FrameSize() int { return f.Channels * f.Bits / 8 }

// PCM16Header is the 44-byte header of a PCM16 WAV holding dataBytes of
// samples, for writers that stream the samples after it.
func PCM16Header(rate, channels int, dataBytes int64) []byte {
	h := make([]byte, WAVHeaderSize)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(min(36+dataBytes, math.MaxUint32)))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1) // PCM
	binary.LittleEndian.PutUint16(h[22:], uint16(channels))
	binary.LittleEndian.PutUint32(h[24:], uint32(rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(rate*channels*2))
	binary.LittleEndian.PutUint16(h[32:], uint16(channels*2))
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(min(dataBytes, math.MaxUint32)))
	return h
}

// WAVInfo is what ParseWAVHeader found: the format, where the samples start
// and how many bytes of them the header claims.
type WAVInfo struct {
	Format
	DataOffset int64
	DataBytes  int64 // as the header says; may disagree with the file's length
}

// ParseWAVHeader reads the RIFF chunks up to the start of the data chunk.
func ParseWAVHeader(r io.ReaderAt) (*WAVInfo, error) {
	var riff [12]byte
	if _, err := r.ReadAt(riff[:], 0); err != nil {
		return nil, fmt.Errorf("%w: too short for a RIFF header", ErrNotWAV)
	}
	if string(riff[0:4]) != "RIFF" || string(riff[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: no RIFF/WAVE signature", ErrNotWAV)
	}
	info := &WAVInfo{}
	haveFmt := false
	for off := int64(12); ; {
		var ch [8]byte
		if _, err := r.ReadAt(ch[:], off); err != nil {
			return nil, fmt.Errorf("%w: no data chunk", ErrNotWAV)
		}
		size := int64(binary.LittleEndian.Uint32(ch[4:]))
		body := off + 8
		switch string(ch[0:4]) {
		case "fmt ":
			if size < 16 || size > 1024 {
				return nil, fmt.Errorf("%w: fmt chunk of %d bytes", ErrNotWAV, size)
			}
			b := make([]byte, size)
			if _, err := r.ReadAt(b, body); err != nil {
				return nil, fmt.Errorf("%w: truncated fmt chunk", ErrNotWAV)
			}
			tag := binary.LittleEndian.Uint16(b[0:])
			info.Channels = int(binary.LittleEndian.Uint16(b[2:]))
			info.SampleRate = int(binary.LittleEndian.Uint32(b[4:]))
			info.Bits = int(binary.LittleEndian.Uint16(b[14:]))
			if tag == 0xFFFE && size >= 40 { // WAVE_FORMAT_EXTENSIBLE: the subformat's first two bytes
				tag = binary.LittleEndian.Uint16(b[24:])
			}
			switch {
			case tag == 1 && (info.Bits == 8 || info.Bits == 16 || info.Bits == 24 || info.Bits == 32):
			case tag == 3 && (info.Bits == 32 || info.Bits == 64):
				info.Float = true
			default:
				return nil, fmt.Errorf("%w: encoding %d with %d-bit samples (supported: PCM 8/16/24/32-bit, float 32/64-bit)", ErrNotWAV, tag, info.Bits)
			}
			if info.Channels < 1 || info.Channels > 32 || info.SampleRate < 1000 || info.SampleRate > 768000 {
				return nil, fmt.Errorf("%w: %d channels at %d Hz", ErrNotWAV, info.Channels, info.SampleRate)
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, fmt.Errorf("%w: data before the fmt chunk", ErrNotWAV)
			}
			info.DataOffset, info.DataBytes = body, size
			return info, nil
		}
		off = body + size + size%2 // chunks are padded to even sizes
	}
}

// decodeFrames converts raw little-endian samples to float32 in [-1, 1].
func decodeFrames(f Format, raw []byte, out []float32) []float32 {
	bps := f.Bits / 8
	for i := 0; i+bps <= len(raw); i += bps {
		var v float32
		b := raw[i:]
		switch {
		case f.Float && bps == 4:
			v = math.Float32frombits(binary.LittleEndian.Uint32(b))
		case f.Float:
			v = float32(math.Float64frombits(binary.LittleEndian.Uint64(b)))
		case bps == 1:
			v = (float32(b[0]) - 128) / 128
		case bps == 2:
			v = float32(int16(binary.LittleEndian.Uint16(b))) / 32768
		case bps == 3:
			v = float32(int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24)) / 2147483648
		default:
			v = float32(int32(binary.LittleEndian.Uint32(b))) / 2147483648
		}
		out = append(out, v)
	}
	return out
}

// Clip converts a float sample to PCM16 with saturation.
func Clip(v float32) int16 {
	s := math.Round(float64(v) * 32768)
	return int16(max(-32768, min(32767, s)))
}

// WritePCM16 writes a whole PCM16 WAV file, private to the user, for
// test fixtures and tools. A note's audio is written by package recording,
// durably.
func WritePCM16(path string, rate, channels int, samples []int16) error {
	return os.WriteFile(path, EncodePCM16(rate, channels, samples), 0o600)
}

// EncodePCM16 is a whole PCM16 WAV file's bytes.
func EncodePCM16(rate, channels int, samples []int16) []byte {
	b := make([]byte, 0, WAVHeaderSize+2*len(samples))
	b = append(b, PCM16Header(rate, channels, int64(2*len(samples)))...)
	return AppendPCM16(b, samples)
}

// AppendPCM16 appends samples to dst as little-endian PCM16, as WAV
// stores them.
func AppendPCM16(dst []byte, samples []int16) []byte {
	for _, s := range samples {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(s))
	}
	return dst
}
