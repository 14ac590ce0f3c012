package recording

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/privtemp"
	"github.com/voicenotes/voicenotes/persistence"
)

// Compact storage: a recording is made as a WAV (what a crash can be
// recovered from), and may then be kept as FLAC (lossless, about half the
// size) or Opus (small; lossy, fine for speech). The conversion never
// leaves a note without playable audio:
//
//  1. <id>.compacting is written (durably) naming the file to be made,
//     locked before it has its name;
//  2. the converted audio is written beside the WAV as <id>.flac or
//     <id>.opus, atomically and durably;
//  3. the note is pointed at it (an atomic save of the note);
//  4. the WAV is removed; 5. the marker is removed.
//
// A crash leaves the marker, and the next open (Recover) finishes or
// undoes what it names: the WAV goes once the note points at the new
// file, else the new file goes. A file is only ever removed while the
// other holds the recording.

// CompactingExt is the extension of the marker of a conversion under way.
const CompactingExt = ".compacting"

// Compact converts n's WAV to format ("wav" or "" keeps it) and returns
// the note as it now is. On an error the note keeps its WAV and nothing
// else is left behind.
func Compact(ctx context.Context, v *persistence.Vault, n *persistence.Note, format string) (*persistence.Note, error) {
	if format == "" || format == "wav" {
		return n, nil
	}
	ext, ok := audio.StoreExt(format)
	if !ok {
		return n, fmt.Errorf("unknown storage format %q: choose one of %s", format, strings.Join(audio.StoreFormats, ", "))
	}
	src, ok := v.AudioPath(n)
	if !ok || !strings.EqualFold(filepath.Ext(src), ".wav") {
		return n, nil // no WAV to convert (already compact, or another program's file)
	}
	// ffmpeg writes into a private temporary folder (it seeks back to
	// fill in FLAC's header), and the file is then copied into the vault
	// through its file system, durably. It must hold the whole recording
	// before the WAV may go. The folder is locked while this runs, so a
	// later start removes it if this process is killed (see privtemp).
	tmp, err := privtemp.New()
	if err != nil {
		return n, fmt.Errorf("keeping %s as %s: a temporary folder: %w; the WAV is kept", n.ID, strings.ToUpper(format), err)
	}
	defer tmp.Remove()
	encoded := tmp.Path("audio" + ext)
	if err := audio.Encode(ctx, src, encoded, format, n.Duration); err != nil {
		return n, fmt.Errorf("keeping %s as %s: %w; the WAV is kept", n.ID, strings.ToUpper(format), err)
	}
	fsys := v.FS()
	dir := filepath.Dir(src)
	target := n.ID + ext
	marker := filepath.Join(dir, n.ID+CompactingExt)
	if _, err := fsys.Lstat(marker); err == nil {
		return n, fmt.Errorf("keeping %s as %s: another conversion of it is under way, or one was cut short and the next start finishes it (%s); the WAV is kept", n.ID, strings.ToUpper(format), marker)
	}
	// The marker is locked before it has its name, and held while the
	// conversion runs, so that no other process's recovery ever finds it
	// free and finishes or undoes this conversion under it; a crash
	// releases the lock.
	pending, err := persistence.CreatePending(fsys, marker, persistence.FilePerm)
	if err != nil {
		return n, err
	}
	defer pending.Cleanup()
	if _, err := pending.Write([]byte(target + "\n")); err != nil {
		return n, err
	}
	lock, err := persistence.LockExisting(pending.TempName())
	if err != nil {
		return n, fmt.Errorf("keeping %s as %s: locking its marker: %w; the WAV is kept", n.ID, strings.ToUpper(format), err)
	}
	defer lock.Unlock()
	if err := pending.CloseAtomicallyReplace(); err != nil {
		return n, err
	}
	undo := func(err error) (*persistence.Note, error) {
		fsys.Remove(filepath.Join(dir, target))
		fsys.Remove(marker)
		persistence.SyncDir(fsys, dir)
		return n, fmt.Errorf("keeping %s as %s: %w; the WAV is kept", n.ID, strings.ToUpper(format), err)
	}
	in, err := os.Open(encoded)
	if err != nil {
		return undo(err)
	}
	defer in.Close()
	if err := persistence.WriteFrom(fsys, filepath.Join(dir, target), in, persistence.FilePerm); err != nil {
		return undo(err)
	}
	updated, err := v.Update(n.ID, func(m *persistence.Note) error {
		m.Audio = target
		return nil
	})
	if err != nil {
		return undo(err)
	}
	// The note holds the new file now: the WAV and the marker may go. A
	// crash from here on is finished by Recover.
	if err := fsys.Remove(src); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return updated, fmt.Errorf("%s is kept as %s; removing its WAV: %w", n.ID, strings.ToUpper(format), err)
	}
	if err := persistence.SyncDir(fsys, dir); err != nil {
		return updated, err
	}
	if err := fsys.Remove(marker); err != nil {
		return updated, err
	}
	return updated, persistence.SyncDir(fsys, dir)
}

// finishCompactions completes or undoes the conversions a crash cut short
// (the markers in entries, the recordings folder's listing).
func finishCompactions(v *persistence.Vault, entries []fs.DirEntry) error {
	fsys := v.FS()
	dir := v.RecordingsPath()
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, CompactingExt) || !e.Type().IsRegular() {
			continue
		}
		id := strings.TrimSuffix(name, CompactingExt)
		marker := filepath.Join(dir, name)
		data, err := persistence.ReadFile(fsys, marker)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		target := strings.TrimSpace(string(data))
		if persistence.ValidateID(id) != nil || !strings.HasPrefix(target, id+".") || !slices.ContainsFunc(audio.StoreExts(), func(ext string) bool { return target == id+ext }) {
			continue // not a marker of ours: left alone
		}
		lock, err := persistence.LockExisting(marker)
		if errors.Is(err, persistence.ErrLocked) {
			continue // being converted right now
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, finishCompaction(v, id, target, marker))
		lock.Unlock()
	}
	return errors.Join(errs...)
}

// finishCompaction finishes or undoes one conversion (its marker locked).
func finishCompaction(v *persistence.Vault, id, target, marker string) error {
	fsys := v.FS()
	dir := filepath.Dir(marker)
	wav := filepath.Join(dir, id+".wav")
	exists := func(p string) bool { st, err := fsys.Lstat(p); return err == nil && st.Mode().IsRegular() }
	n, nerr := v.Note(id)
	switch {
	case nerr == nil && n.Audio == target && exists(filepath.Join(dir, target)):
		// The note was pointed at the new file: the WAV goes.
		if err := fsys.Remove(wav); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	case exists(wav):
		// It was not: the new file, whole or not, goes.
		if err := fsys.Remove(filepath.Join(dir, target)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := persistence.SyncDir(fsys, dir); err != nil {
		return err
	}
	if err := fsys.Remove(marker); err != nil {
		return err
	}
	return persistence.SyncDir(fsys, dir)
}
