package recording

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
)

// Import copies an audio file (any WAV; with ffmpeg, Opus, Ogg, MP3,
// M4A, FLAC, WebM) of any rate and channel count
// into the vault as a new note, converted to 16 kHz mono PCM16. The audio
// streams into a temp file beside its final name (so a huge import never
// fills memory) and is renamed into place once whole and durable; then the
// note is written. A crash before the rename leaves only a temp file,
// which cleanup removes; a crash after it leaves audio without a note,
// which the next open adopts. Never a note with part of the audio. The
// note is UNPROCESSED, ready for the transcription queue.
func Import(v *persistence.Vault, path, title string) (*persistence.Note, error) {
	r, done, err := audio.OpenIntactAudio(context.Background(), path)
	if errors.Is(err, audio.ErrDamaged) {
		return nil, fmt.Errorf("%w; nothing was imported", err)
	}
	if errors.Is(err, audio.ErrNotWAV) {
		return nil, fmt.Errorf("%w; import takes audio files: WAV of any kind, and with ffmpeg installed Opus, Ogg, MP3, M4A/AAC, FLAC and WebM", err)
	}
	if err != nil {
		return nil, err
	}
	defer done()
	if r.Frames() == 0 {
		return nil, fmt.Errorf("%s: %w: it has a WAV header and not one sample after it; nothing was imported", path, audio.ErrNoAudio)
	}
	n := v.NewNote()
	target := filepath.Join(v.RecordingsPath(), n.ID+".wav")
	out, err := persistence.CreatePending(v.FS(), target, persistence.FilePerm)
	if err != nil {
		return nil, err
	}
	defer out.Cleanup()
	var samples int64
	buf := make([]byte, audio.WAVHeaderSize)
	if _, err := out.Write(buf); err != nil { // the header, rewritten at the end
		return nil, fmt.Errorf("importing %s: %w", path, err)
	}
	err = audio.ReadMono(context.Background(), r, audio.StoreRate, audio.StoreRate/4, func(s []int16) error {
		buf = audio.AppendPCM16(buf[:0], s)
		samples += int64(len(s))
		_, err := out.Write(buf)
		return err
	}, nil)
	if err == nil {
		_, err = out.WriteAt(audio.PCM16Header(audio.StoreRate, audio.StoreChannels, 2*samples), 0)
	}
	if err == nil {
		err = out.CloseAtomicallyReplace()
	}
	if err != nil {
		return nil, fmt.Errorf("importing %s: %w", path, err)
	}
	n.Title = title
	if n.Title == "" {
		n.Title = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		n.AutoTitle = true // the file's name, until the transcript names it
	}
	n.Audio = filepath.Base(target)
	n.Duration = time.Duration(samples) * time.Second / audio.StoreRate
	if err := v.Save(n); err != nil {
		return nil, fmt.Errorf("importing %s: the audio is in %s but its note could not be written (%w); the next start gives it one", path, target, err)
	}
	return n, nil
}

// VideoExts are the video files import takes the sound of (the first
// audio track, decoded by ffmpeg) when it looks through a folder.
var VideoExts = []string{".mp4", ".m4v", ".mkv", ".mov", ".webm", ".avi"}

// ImportableFiles expands folders to the audio and video files under them
// (by extension; what is in them is checked on import), not in hidden
// folders and not through links. Files named outright are kept whatever
// their name when anyNamed (a command line: their content says what they
// are), else by extension too (a drop). The rest are returned apart, to
// be counted.
func ImportableFiles(paths []string, anyNamed bool) (files, skipped []string) {
	importable := func(p string) bool {
		ext := strings.ToLower(filepath.Ext(p))
		return slices.Contains(persistence.AudioExts, ext) || slices.Contains(VideoExts, ext)
	}
	for _, p := range paths {
		filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			switch {
			case err != nil:
				skipped = append(skipped, path)
				return nil
			case path == p && !e.IsDir() && anyNamed:
				files = append(files, path)
			case e.IsDir() && path != p && strings.HasPrefix(e.Name(), "."):
				return filepath.SkipDir
			case e.IsDir():
				return nil
			case path != p && (!e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".")):
				return nil // links inside a folder are not followed; hidden files stay
			case importable(path):
				files = append(files, path)
			default:
				skipped = append(skipped, path)
			}
			return nil
		})
	}
	return files, skipped
}
