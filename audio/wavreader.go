package audio

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/voicenotes/voicenotes/internal/regular"
)

// WAVReader decodes a WAV file's frames on demand, for playback and
// transcription of recordings of any length without holding them in memory.
type WAVReader struct {
	info   *WAVInfo
	r      io.ReaderAt
	frames int64
	pos    int64
	raw    []byte
}

// NewWAVReader reads the header of a WAV of size bytes. The length is the
// smaller of what the header claims and what the file holds.
func NewWAVReader(r io.ReaderAt, size int64) (*WAVReader, error) {
	info, err := ParseWAVHeader(r)
	if err != nil {
		return nil, err
	}
	data := min(info.DataBytes, size-info.DataOffset)
	if info.DataBytes == 0xFFFFFFFF || info.DataBytes == 0 { // streamed WAVs leave it unset
		data = size - info.DataOffset
	}
	return &WAVReader{info: info, r: r, frames: max(0, data) / int64(info.FrameSize())}, nil
}

// Format is the file's sample format.
func (w *WAVReader) Format() Format { return w.info.Format }

// Frames is the number of frames.
func (w *WAVReader) Frames() int64 { return w.frames }

// Promised is the length the header gives (0 when a streamed WAV left it
// unset); a file cut short holds less than it promises.
func (w *WAVReader) Promised() time.Duration {
	b := w.info.DataBytes
	if b == 0xFFFFFFFF || b == 0 {
		return 0
	}
	return time.Duration(b/int64(w.info.FrameSize())) * time.Second / time.Duration(w.info.SampleRate)
}

// Duration is the audio's length.
func (w *WAVReader) Duration() time.Duration {
	return time.Duration(w.frames) * time.Second / time.Duration(w.info.SampleRate)
}

// Position is the next frame Read returns.
func (w *WAVReader) Position() int64 { return w.pos }

// SeekFrame moves to a frame, clamped to the file.
func (w *WAVReader) SeekFrame(frame int64) { w.pos = max(0, min(frame, w.frames)) }

// Read decodes up to maxFrames frames as interleaved float32 samples in
// [-1, 1], appended to out. At the end it returns io.EOF with no samples.
func (w *WAVReader) Read(out []float32, maxFrames int) ([]float32, error) {
	n := min(int64(maxFrames), w.frames-w.pos)
	if n <= 0 {
		return out, io.EOF
	}
	fs := int64(w.info.FrameSize())
	if need := int(n * fs); cap(w.raw) < need {
		w.raw = make([]byte, need)
	}
	raw := w.raw[:n*fs]
	got, err := w.r.ReadAt(raw, w.info.DataOffset+w.pos*fs)
	if got < len(raw) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		// Never decode what was not read: a file cut short while it is
		// read (another program truncating it) is an error, not silence.
		return out, fmt.Errorf("reading audio at frame %d of %d: %w", w.pos, w.frames, err)
	}
	w.pos += n
	return decodeFrames(w.info.Format, raw, out), nil
}

// OpenWAV opens a WAV file for reading. Close the returned file when done.
func OpenWAV(path string) (*WAVReader, *os.File, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, nil, fmt.Errorf("%s is a folder, not an audio file; name the files in it (for example %s)", path, filepath.Join(path, "*.wav"))
	}
	f, err := regular.Open(path) // never a pipe: it would block
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil {
		var r *WAVReader
		if r, err = NewWAVReader(f, st.Size()); err == nil {
			return r, f, nil
		}
	}
	f.Close()
	return nil, nil, fmt.Errorf("%s: %w", path, err)
}

// FormatDuration renders a length as m:ss or h:mm:ss, as the window and
// the command line show it.
func FormatDuration(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
