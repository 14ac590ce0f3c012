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

// Recover finalizes every interrupted recording in the vault (a
// <id>.wav.partial whose recording process died) and gives each a note with
// recovered: true. A file whose lock is held belongs to a live recording and
// is left alone. The length is taken from the smaller of the header's claim
// and the file, in whole frames. Running it twice changes nothing. It runs
// from persistence.Open while the vault lock is held.
func Recover(v *persistence.Vault) ([]*persistence.Note, error) {
	entries, err := v.FS().ReadDir(v.RecordingsPath())
	if err != nil {
		return nil, err
	}
	var notes []*persistence.Note
	var errs []error
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), persistence.PartialExt) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		n, err := recoverOne(v, filepath.Join(v.RecordingsPath(), e.Name()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n != nil {
			notes = append(notes, n)
		}
	}
	return notes, errors.Join(errs...)
}

func recoverOne(v *persistence.Vault, path string) (*persistence.Note, error) {
	lock, err := persistence.LockExisting(path)
	if errors.Is(err, persistence.ErrLocked) {
		return nil, nil // being recorded right now
	}
	if err != nil {
		return nil, fmt.Errorf("recovering %s: %w", path, err)
	}
	defer lock.Unlock()
	fsys := v.FS()
	f, err := fsys.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("recovering %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("recovering %s: %w", path, err)
	}
	data, rate, channels, err := RepairWAV(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("recovering %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("recovering %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("recovering %s: %w", path, err)
	}

	id := idFromPartial(filepath.Base(path))
	if persistence.ValidateID(id) != nil {
		id = v.NewNote().ID
	}
	target := filepath.Join(v.RecordingsPath(), id+".wav")
	if _, err := fsys.Lstat(target); err == nil {
		id = v.NewNote().ID // never replace an existing recording
		target = filepath.Join(v.RecordingsPath(), id+".wav")
	}
	if err := fsys.Rename(path, target); err != nil {
		return nil, fmt.Errorf("recovering %s: %w", path, err)
	}
	if err := persistence.SyncDir(fsys, v.RecordingsPath()); err != nil {
		return nil, fmt.Errorf("recovering %s: %w", path, err)
	}
	created := idTime(id)
	if created.IsZero() {
		created = st.ModTime().UTC().Truncate(time.Millisecond)
	}
	n := &persistence.Note{
		ID:                  id,
		Title:               "Recovered recording from " + created.Local().Format("2 Jan 2006 15:04"),
		Timestamp:           created,
		CreatedAt:           created,
		UpdatedAt:           created,
		TranscriptionStatus: persistence.StatusUnprocessed,
		Duration:            time.Duration(data/int64(2*channels)) * time.Second / time.Duration(rate),
		Audio:               filepath.Base(target),
		Recovered:           true,
	}
	if _, err := fsys.Lstat(v.NotePath(id)); err == nil {
		return nil, nil // the note was written; only the audio needed finishing
	}
	if err := v.Save(n); err != nil {
		return nil, fmt.Errorf("recovering %s: saving its note: %w", path, err)
	}
	return n, nil
}

// idTime reads the creation time from an id made by persistence.NewID.
func idTime(id string) time.Time {
	if len(id) < 19 {
		return time.Time{}
	}
	t, err := time.Parse("20060102T150405.000Z", id[:15]+"."+id[15:19])
	if err != nil {
		return time.Time{}
	}
	return t
}

// fileRW is what RepairWAV needs of a file.
type fileRW interface {
	io.ReaderAt
	io.WriterAt
	Truncate(int64) error
}

// RepairWAV makes a PCM16 recording file whole: its data length becomes the
// smaller of what the header claims and what the file holds, in whole
// frames; the header is rewritten and anything after the data cut off. A
// file too short for a header becomes an empty recording. It returns the
// data length in bytes and the format.
func RepairWAV(f fileRW, size int64) (data int64, rate, channels int, err error) {
	rate, channels = StoreRate, StoreChannels
	offset := int64(wavHeaderSize)
	claimed := int64(-1)
	if info, err := ParseWAVHeader(f); err == nil && !info.Float && info.Bits == 16 {
		rate, channels, offset, claimed = info.SampleRate, info.Channels, info.DataOffset, info.DataBytes
	}
	data = max(0, size-offset)
	if claimed >= 0 {
		data = min(data, claimed)
	}
	data -= data % int64(2*channels)
	if offset != wavHeaderSize { // a header with extra chunks: rewrite it as ours
		if err := moveData(f, offset, data); err != nil {
			return 0, 0, 0, err
		}
	}
	if _, err := f.WriteAt(pcm16Header(rate, channels, data), 0); err != nil {
		return 0, 0, 0, err
	}
	if err := f.Truncate(wavHeaderSize + data); err != nil {
		return 0, 0, 0, err
	}
	return data, rate, channels, nil
}

// moveData shifts n bytes at from to just after a 44-byte header.
func moveData(f fileRW, from, n int64) error {
	buf := make([]byte, 64<<10)
	for done := int64(0); done < n; {
		c := min(int64(len(buf)), n-done)
		if _, err := f.ReadAt(buf[:c], from+done); err != nil {
			return err
		}
		if _, err := f.WriteAt(buf[:c], wavHeaderSize+done); err != nil {
			return err
		}
		done += c
	}
	return nil
}
