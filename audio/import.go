package audio

import (
	"context"
	"errors"
	"fmt"
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
	r, f, err := OpenWAV(path)
	if errors.Is(err, ErrNotWAV) {
		return nil, fmt.Errorf("%w; import takes WAV files (PCM 8, 16, 24 or 32-bit, or 32/64-bit float, any rate and channels); convert others first, for example: ffmpeg -i %q out.wav", err, filepath.Base(path))
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if r.Frames() == 0 {
		return nil, fmt.Errorf("%s: %w: it has a WAV header and not one sample after it; nothing was imported", path, ErrNoAudio)
	}
	n := v.NewNote()
	w, err := CreatePartialWAV(v.FS(), filepath.Join(v.RecordingsPath(), n.ID+persistence.PartialExt), StoreRate, StoreChannels)
	if err != nil {
		return nil, err
	}
	if err := ReadMono(context.Background(), r, StoreRate, StoreRate/4, w.Write, nil); err != nil {
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
