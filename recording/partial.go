package recording

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
)

// PartialWAV is a PCM16 WAV file being appended to. Flush rewrites the
// header for the data written so far and fsyncs, so after a crash the file
// is whole up to the last flush. The process holds an OS lock on it until
// it is finalized, which tells recovery it is alive.
type PartialWAV struct {
	fsys     persistence.FS
	f        persistence.File
	lock     *persistence.Lock
	path     string
	rate     int
	channels int
	data     int64 // bytes of samples written
	buf      []byte
}

// CreatePartialWAV creates path (which must not exist) with an empty header.
func CreatePartialWAV(fsys persistence.FS, path string, rate, channels int) (*PartialWAV, error) {
	f, err := fsys.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, persistence.FilePerm)
	if err != nil {
		return nil, fmt.Errorf("creating the recording file %s: %w", path, err)
	}
	w := &PartialWAV{fsys: fsys, f: f, path: path, rate: rate, channels: channels}
	fail := func(err error) (*PartialWAV, error) {
		f.Close()
		fsys.Remove(path)
		return nil, fmt.Errorf("creating the recording file %s: %w", path, err)
	}
	if _, err := f.Write(audio.PCM16Header(rate, channels, 0)); err != nil {
		return fail(err)
	}
	if w.lock, err = persistence.LockExisting(path); err != nil {
		return fail(err)
	}
	if err := persistence.SyncDir(fsys, filepath.Dir(path)); err != nil {
		w.lock.Unlock()
		return fail(err)
	}
	return w, nil
}

// Path is the file's current name.
func (w *PartialWAV) Path() string { return w.path }

// Write appends samples. It reuses one buffer: no allocation per call once
// warmed up.
func (w *PartialWAV) Write(samples []int16) error {
	w.buf = audio.AppendPCM16(w.buf[:0], samples)
	n, err := w.f.Write(w.buf)
	w.data += int64(n)
	if err != nil {
		// A write cut short (a full disk, the file size limit) may end
		// in the middle of a frame: what counts is the whole frames, and
		// the file is cut back to them where it can be.
		frame := int64(2 * w.channels)
		w.data -= w.data % frame
		w.f.Truncate(audio.WAVHeaderSize + w.data)
		w.f.Seek(audio.WAVHeaderSize+w.data, 0)
		return fmt.Errorf("writing the recording %s: %w", w.path, err)
	}
	return nil
}

// Frames is how many whole frames were written.
func (w *PartialWAV) Frames() int64 { return w.data / int64(2*w.channels) }

// Flush rewrites the header for what was written and makes it durable.
func (w *PartialWAV) Flush() error {
	if _, err := w.f.WriteAt(audio.PCM16Header(w.rate, w.channels, w.data), 0); err != nil {
		return fmt.Errorf("updating the recording %s: %w", w.path, err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("syncing the recording %s: %w", w.path, err)
	}
	return nil
}

// Finalize flushes, closes and renames the file to target, then makes the
// rename durable. On error the partial file stays for recovery.
func (w *PartialWAV) Finalize(target string) error {
	defer w.lock.Unlock()
	if err := w.Flush(); err != nil {
		w.f.Close()
		return err
	}
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("closing the recording %s: %w", w.path, err)
	}
	if err := w.fsys.Rename(w.path, target); err != nil {
		return fmt.Errorf("finishing the recording %s: %w", w.path, err)
	}
	w.path = target
	return persistence.SyncDir(w.fsys, filepath.Dir(target))
}

// Discard closes and removes the file: the user cancelled the recording.
func (w *PartialWAV) Discard() error {
	w.f.Close()
	err := w.fsys.Remove(w.path)
	w.lock.Unlock()
	if err == nil {
		err = persistence.SyncDir(w.fsys, filepath.Dir(w.path))
	}
	return err
}

// idFromPartial is the note id a partial file belongs to.
func idFromPartial(name string) string { return strings.TrimSuffix(name, persistence.PartialExt) }

// Abandon closes the file and releases its lock, leaving it for recovery:
// what a recording that crashed leaves behind (for tests and tools).
func (w *PartialWAV) Abandon() {
	w.f.Close()
	w.lock.Unlock()
}
