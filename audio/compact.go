package audio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// Compact storage: a recording is made as a WAV (what a crash can be
// recovered from), and may then be kept as FLAC (lossless, about half the
// size) or Opus (small; lossy, fine for speech). The conversion never
// leaves a note without playable audio:
//
//  1. <id>.compacting is written (durably) naming the file to be made;
//  2. the converted audio is written beside the WAV as <id>.flac or
//     <id>.opus, atomically and durably;
//  3. the note is pointed at it (an atomic save of the note);
//  4. the WAV is removed; 5. the marker is removed.
//
// A crash leaves the marker, and the next open (Recover) finishes or
// undoes what it names: the WAV goes once the note points at the new
// file, else the new file goes. A file is only ever removed while the
// other holds the recording.

// StoreFormats are the ways a recording may be kept, for settings and
// flags: "wav" (as recorded), "flac", "opus".
var StoreFormats = []string{"wav", "flac", "opus"}

// CompactingExt is the extension of the marker of a conversion under way.
const CompactingExt = ".compacting"

// storeArgs are ffmpeg's output options and the extension of each format.
var storeArgs = map[string]struct {
	ext  string
	args []string
}{
	"flac": {".flac", []string{"-c:a", "flac", "-compression_level", "8", "-f", "flac"}},
	"opus": {".opus", []string{"-c:a", "libopus", "-b:a", "32k", "-application", "voip", "-f", "ogg"}},
}

// Compact converts n's WAV to format ("wav" or "" keeps it) and returns
// the note as it now is. On an error the note keeps its WAV and nothing
// else is left behind.
func Compact(ctx context.Context, v *persistence.Vault, n *persistence.Note, format string) (*persistence.Note, error) {
	if format == "" || format == "wav" {
		return n, nil
	}
	spec, ok := storeArgs[format]
	if !ok {
		return n, fmt.Errorf("unknown storage format %q: choose one of %s", format, strings.Join(StoreFormats, ", "))
	}
	src, ok := v.AudioPath(n)
	if !ok || !strings.EqualFold(filepath.Ext(src), ".wav") {
		return n, nil // no WAV to convert (already compact, or another program's file)
	}
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		return n, fmt.Errorf("keeping %s as %s: %w; install it (Debian/Ubuntu: sudo apt install ffmpeg; macOS: brew install ffmpeg)", n.ID, strings.ToUpper(format), ErrNoFFmpeg)
	}
	// ffmpeg writes into a private temporary file (it seeks back to fill
	// in FLAC's header), which is then copied into the vault through its
	// file system, durably.
	tmp, err := os.CreateTemp("", "voicenotes-compact-*"+spec.ext)
	if err != nil {
		return n, err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, ffmpeg, append(append([]string{"-nostdin", "-hide_banner", "-v", "error", "-y", "-i", src, "-map", "0:a:0"}, spec.args...), tmp.Name())...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return n, fmt.Errorf("keeping %s as %s: ffmpeg: %s", n.ID, strings.ToUpper(format), firstNonEmpty(firstLine(stderr.String()), err.Error()))
	}
	// It must hold the whole recording before the WAV may go.
	if got, want := declaredLength(ctx, tmp.Name()), n.Duration; want > 0 && (got-want > 100*time.Millisecond || want-got > 100*time.Millisecond) {
		return n, fmt.Errorf("keeping %s as %s: the converted file lasts %s, the recording %s; the WAV is kept", n.ID, strings.ToUpper(format), fmtSec(got), fmtSec(want))
	}
	fsys := v.FS()
	dir := filepath.Dir(src)
	target := n.ID + spec.ext
	marker := filepath.Join(dir, n.ID+CompactingExt)
	if err := persistence.WriteFile(fsys, marker, []byte(target+"\n"), persistence.FilePerm); err != nil {
		return n, err
	}
	// Held while the conversion runs, so that another process opening the
	// vault (its recovery) leaves this one alone; a crash releases it.
	if lock, err := persistence.LockExisting(marker); err == nil {
		defer lock.Unlock()
	}
	undo := func(err error) (*persistence.Note, error) {
		fsys.Remove(filepath.Join(dir, target))
		fsys.Remove(marker)
		persistence.SyncDir(fsys, dir)
		return n, fmt.Errorf("keeping %s as %s: %w; the WAV is kept", n.ID, strings.ToUpper(format), err)
	}
	in, err := os.Open(tmp.Name())
	if err != nil {
		return undo(err)
	}
	defer in.Close()
	out, err := persistence.CreatePending(fsys, filepath.Join(dir, target), persistence.FilePerm)
	if err != nil {
		return undo(err)
	}
	defer out.Cleanup()
	if _, err := io.Copy(out, in); err != nil {
		return undo(err)
	}
	if err := out.CloseAtomicallyReplace(); err != nil {
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
		if persistence.ValidateID(id) != nil || !strings.HasPrefix(target, id+".") || !slices.ContainsFunc(compactExts(), func(ext string) bool { return target == id+ext }) {
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

func compactExts() []string {
	var exts []string
	for _, s := range storeArgs {
		exts = append(exts, s.ext)
	}
	return exts
}
