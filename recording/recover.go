package recording

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/privtemp"
	"github.com/voicenotes/voicenotes/persistence"
)

// Recover finalizes every interrupted recording in the vault (a
// <id>.wav.partial whose recording process died) and gives each a note with
// recovered: true, then adopts any audio file of ours that no note refers
// to (a crash between writing a recording and its note, in any program).
// A partial whose lock is held belongs to a live recording and is left
// alone. The length is all the whole frames the file holds (see
// RepairWAV). Running it twice changes nothing. It runs
// from persistence.Open while the vault lock is held.
//
// It first removes what processes killed while ffmpeg wrote for them
// left in the system's temporary folder (see privtemp).
//
// A folder in which the last Recover found nothing to do or wait for, and
// which has not changed since, is not read again (see
// persistence.Vault.FolderUnchanged).
func Recover(v *persistence.Vault) ([]*persistence.Note, error) {
	privtemp.Sweep()
	unchanged, _, mark := v.FolderUnchanged("recover", v.RecordingsPath())
	if unchanged {
		return nil, nil
	}
	entries, err := v.MaintenanceReadDir(v.RecordingsPath())
	if err != nil {
		return nil, err
	}
	pending := false
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, persistence.PartialExt) || strings.HasSuffix(name, CompactingExt) || strings.HasSuffix(name, persistence.MarkersExt) {
			pending = true
		}
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
	// Conversions to compact storage a crash cut short: finished or undone
	// before orphans are looked for.
	errs = append(errs, finishCompactions(v, entries))
	adopted, waiting, err := adoptOrphans(v, entries)
	errs = append(errs, err)
	pending = pending || waiting // looked at again at the next open
	// Markers left by a recording that ended without giving them to its
	// note (a crash): the note takes them now. A recording still running
	// (its partial file is still there, locked) keeps its own.
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), persistence.MarkersExt)
		if !ok || !e.Type().IsRegular() || persistence.ValidateID(id) != nil {
			continue
		}
		if _, err := v.FS().Lstat(filepath.Join(v.RecordingsPath(), id+persistence.PartialExt)); err == nil {
			continue
		}
		if _, err := v.Note(id); err != nil {
			continue // no note (yet): left for doctor and the next open
		}
		marked, err := v.TakeMarkers(id)
		if err != nil {
			errs = append(errs, fmt.Errorf("moving the markers of %s into its note: %w", id, err))
		}
		for i, n := range notes { // what was recovered shows its markers
			if marked != nil && n.ID == id {
				notes[i] = marked
			}
		}
	}
	err = errors.Join(errs...)
	if !pending && len(adopted) == 0 && err == nil {
		mark(nil)
	}
	return append(notes, adopted...), err
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
	data, rate, channels, err := audio.RepairWAV(f, st.Size())
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
	if data == 0 {
		// Nothing was recorded (a crash as the recording began, or as a
		// cancelled one was being removed): no note is made of it. A note
		// the recorder already wrote for it keeps its (empty) audio.
		if _, err := v.Note(id); err != nil {
			if err := fsys.Remove(path); err != nil {
				return nil, fmt.Errorf("recovering %s: removing it, empty: %w", path, err)
			}
			return nil, persistence.SyncDir(fsys, v.RecordingsPath())
		}
	}
	target := filepath.Join(v.RecordingsPath(), id+".wav")
	if _, err := fsys.Lstat(target); err == nil {
		id = v.NewNote().ID // never replace an existing recording
		target = filepath.Join(v.RecordingsPath(), id+".wav")
	}
	duration := time.Duration(data/int64(2*channels)) * time.Second / time.Duration(rate)
	// The note first, then the audio under its final name: a crash between
	// leaves a note and the partial, which the next start finishes here;
	// never audio without its note. A note the recorder already wrote
	// (with the title the person gave) is kept, its length corrected.
	var n *persistence.Note
	if existing, err := v.Note(id); err == nil {
		existing.Duration, existing.Audio = duration, filepath.Base(target)
		if err := v.Save(existing); err != nil {
			return nil, fmt.Errorf("recovering %s: saving its note: %w", path, err)
		}
	} else {
		n = recoveredNote(id, idTime(id), st.ModTime(), duration, filepath.Base(target))
		if err := v.Save(n); err != nil {
			return nil, fmt.Errorf("recovering %s: saving its note: %w", path, err)
		}
	}
	if err := fsys.Rename(path, target); err != nil {
		return nil, fmt.Errorf("recovering %s: %w", path, err)
	}
	if err := persistence.SyncDir(fsys, v.RecordingsPath()); err != nil {
		return nil, fmt.Errorf("recovering %s: %w", path, err)
	}
	return n, nil
}

// recoveredNote is the note given to audio found without one.
func recoveredNote(id string, created, modified time.Time, d time.Duration, audio string) *persistence.Note {
	if created.IsZero() {
		created = modified.UTC().Truncate(time.Millisecond)
	}
	return &persistence.Note{
		ID:                  id,
		Title:               "Recovered recording from " + created.Local().Format("2 Jan 2006 15:04"),
		Timestamp:           created,
		CreatedAt:           created,
		UpdatedAt:           created,
		TranscriptionStatus: persistence.StatusUnprocessed,
		Duration:            d,
		Audio:               audio,
		Recovered:           true,
		AutoTitle:           true,
	}
}

// adoptOrphans gives a note to every audio file named <id>.<audio ext>
// that no note refers to and whose <id>.md does not exist (a file there,
// even one that cannot be read, is never replaced). It works from the
// listing Recover made (the partials it finished have notes of their
// own name), and reads the notes only when some audio file has no note of
// its own name.
func adoptOrphans(v *persistence.Vault, entries []fs.DirEntry) (adopted []*persistence.Note, waiting bool, err error) {
	fsys := v.FS()
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = true
	}
	var candidates []string
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		id := strings.TrimSuffix(name, ext)
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || !slices.Contains(persistence.AudioExts, ext) ||
			persistence.ValidateID(id) != nil || names[id+persistence.NoteExt] {
			continue
		}
		candidates = append(candidates, name)
	}
	if len(candidates) == 0 {
		return nil, false, nil
	}
	notes, _, err := v.List()
	if err != nil {
		return nil, false, err
	}
	used := map[string]bool{}
	for _, n := range notes {
		if p, ok := v.AudioPath(n); ok {
			used[filepath.Base(p)] = true
		}
	}
	var errs []error
	for _, name := range candidates {
		if used[name] {
			continue
		}
		path := filepath.Join(v.RecordingsPath(), name)
		st, err := fsys.Lstat(path)
		if err != nil {
			continue
		}
		var d time.Duration
		if r, f, err := audio.OpenWAV(path); err == nil {
			d = r.Duration()
			f.Close()
		}
		id := strings.TrimSuffix(name, filepath.Ext(name))
		// A delete or restore cut short leaves the note in the trash and
		// its audio here: the note comes back, transcript and all.
		if back, ok, err := v.Untrash(id); err != nil {
			errs = append(errs, err)
			continue
		} else if ok {
			adopted = append(adopted, back)
			continue
		}
		if noteArriving(names, id, st.ModTime(), v.Now()) {
			waiting = true
			continue
		}
		n := recoveredNote(id, idTime(id), st.ModTime(), d, name)
		if err := v.Save(n); err != nil {
			errs = append(errs, fmt.Errorf("giving %s a note: %w", path, err))
			continue
		}
		adopted = append(adopted, n)
	}
	return adopted, waiting, errors.Join(errs...)
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

// arrivalWindow is how long audio without a note is given for its note
// to arrive: sync tools often bring a recording's audio before its note.
const arrivalWindow = time.Minute

// noteArriving says whether the note of audio id (modified at mtime) may
// still be on its way: a sync tool is writing it (its temporary file or
// placeholder for <id>.md is in the folder: Syncthing's .syncthing.*.tmp,
// iCloud's .*.icloud, Resilio's .!sync, a .part or .partial download),
// or the audio came in less than arrivalWindow ago. A note made for it
// now would stand in the real note's place, and a sync tool may then
// keep it over the real one; it is adopted at a later open instead.
func noteArriving(names map[string]bool, id string, mtime, now time.Time) bool {
	if now.Sub(mtime) < arrivalWindow {
		return true
	}
	note := id + persistence.NoteExt
	for name := range names {
		if name == note || !strings.Contains(name, note) || persistence.IsOwnTemp(name) {
			continue // this app's own temp file is a write a crash cut short, not one arriving
		}
		lower := strings.ToLower(name)
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~") ||
			strings.HasSuffix(lower, ".tmp") || strings.HasSuffix(lower, ".icloud") || strings.HasSuffix(lower, ".!sync") ||
			strings.HasSuffix(lower, ".part") || strings.HasSuffix(lower, ".partial") {
			return true
		}
	}
	return false
}
