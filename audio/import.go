package audio

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// Import copies a WAV file of any rate, channel count and sample format
// into the vault as a new note, converted to 16 kHz mono PCM16. It streams
// through the same crash-recoverable file a recording uses, so a huge
// import never fills memory and a crash mid-way is recovered like a
// recording. The note is UNPROCESSED, ready for the transcription queue.
func Import(v *persistence.Vault, path, title string) (*persistence.Note, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	r, err := NewWAVReader(f, st.Size())
	if errors.Is(err, ErrNotWAV) {
		return nil, fmt.Errorf("%s: %w; import takes WAV files (PCM 8, 16, 24 or 32-bit, or 32/64-bit float, any rate and channels); convert others first, for example: ffmpeg -i %q out.wav", path, err, filepath.Base(path))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	n := v.NewNote()
	w, err := CreatePartialWAV(v.FS(), filepath.Join(v.RecordingsPath(), n.ID+PartialExt), StoreRate, StoreChannels)
	if err != nil {
		return nil, err
	}
	format := r.Format()
	rs := NewResampler(format.SampleRate, StoreRate)
	var in, mono, out []float32
	pcm := make([]int16, 0, StoreRate)
	write := func(samples []float32) error {
		pcm = pcm[:0]
		for _, s := range samples {
			pcm = append(pcm, Clip(s))
		}
		return w.Write(pcm)
	}
	for {
		in, err = r.Read(in[:0], format.SampleRate/4)
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			mono = Downmix(in, format.Channels, mono[:0])
			err = write(rs.Process(mono, out[:0]))
		}
		if err != nil {
			w.Discard()
			return nil, fmt.Errorf("importing %s: %w", path, err)
		}
	}
	if err := write(rs.Flush(out[:0])); err != nil {
		w.Discard()
		return nil, fmt.Errorf("importing %s: %w", path, err)
	}
	target := filepath.Join(v.RecordingsPath(), n.ID+".wav")
	if err := w.Finalize(target); err != nil {
		return nil, err
	}
	n.Title = title
	if n.Title == "" {
		n.Title = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	n.Audio = filepath.Base(target)
	n.Duration = time.Duration(w.Frames()) * time.Second / StoreRate
	if err := v.Save(n); err != nil {
		return nil, err
	}
	return n, nil
}
