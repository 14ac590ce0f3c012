package persistence

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch reports notes added, changed, renamed or deleted in recordings/ by
// any program (this one included: callers compare revisions to skip their
// own writes). Events are gathered for settle (a sync tool writes in bursts)
// and handed to onChange as the set of note paths touched. Temp files,
// hidden files, sync tools' conflict copies and anything but .md are
// ignored. Events are gathered for settle from the first one (a fixed
// window, not a debounce: a tool writing without pause is still seen every
// settle). When the system dropped events (its queue overflowed: a sync
// tool wrote thousands of files while this process was slow to read),
// what changed is unknown: onChange gets nil, meaning "read the folder
// again", and the watch goes on. It returns nil when ctx ends, and a
// WatchError when the system cannot watch the folder (its limits on
// watches are reached, or the watch failed); then Poll does the same job.
func (v *Vault) Watch(ctx context.Context, settle time.Duration, onChange func(paths []string)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return &WatchError{v.RecordingsPath(), err}
	}
	defer w.Close()
	if err := w.Add(v.RecordingsPath()); err != nil {
		return &WatchError{v.RecordingsPath(), err}
	}
	pending := map[string]bool{}
	var timer <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if !watched(filepath.Base(ev.Name)) {
				continue
			}
			pending[ev.Name] = true
			if timer == nil {
				timer = time.After(settle)
			}
		case <-timer:
			paths := make([]string, 0, len(pending))
			for p := range pending {
				paths = append(paths, p)
			}
			pending, timer = map[string]bool{}, nil
			onChange(paths)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				pending, timer = map[string]bool{}, nil
				onChange(nil)
				continue
			}
			return &WatchError{v.RecordingsPath(), err}
		}
	}
}

// watched reports whether a file name in recordings/ is one whose changes
// Watch and Poll report: notes, and other versions of notes that sync
// tools leave (which the reader tells apart with IsSyncConflict and
// Note.IsCopy).
func watched(name string) bool {
	return strings.HasSuffix(name, NoteExt) && !strings.HasPrefix(name, ".")
}

// WatchError is why the folder cannot be watched for changes.
type WatchError struct {
	Dir string
	Err error
}

func (e *WatchError) Error() string {
	msg := fmt.Sprintf("cannot watch %s for changes by other programs: %v", e.Dir, e.Err)
	if errors.Is(e.Err, syscall.EMFILE) || errors.Is(e.Err, syscall.ENOSPC) {
		msg += " (the system's limit on watched folders is reached: raise fs.inotify.max_user_instances and fs.inotify.max_user_watches with sysctl, or close programs that watch many folders)"
	}
	return msg
}

func (e *WatchError) Unwrap() error { return e.Err }

// Poll is Watch by looking: every interval it lists recordings/ and
// reports the notes whose size or modification time changed, and those
// added or removed. It is the fallback where the folder cannot be watched;
// it returns when ctx ends.
func (v *Vault) Poll(ctx context.Context, every time.Duration, onChange func(paths []string)) error {
	return v.poll(ctx, every, 0, 0, onChange)
}

// Rescan is Poll for beside a watch, as a net for what the system never
// told it (the folder replaced by a sync tool or a restore, a network or
// FUSE file system changed from another machine): it starts after settle
// (not while the app launches), and lists the folder only when the
// folder itself changed (an entry added, removed or renamed, or another
// folder in its place) or once every full, so that at rest it costs one
// stat of the folder. It returns when ctx ends.
func (v *Vault) Rescan(ctx context.Context, settle, every, full time.Duration, onChange func(paths []string)) error {
	return v.poll(ctx, every, settle, full, onChange)
}

func (v *Vault) poll(ctx context.Context, every, settle, full time.Duration, onChange func(paths []string)) error {
	began := time.Now()
	if settle > 0 {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(settle):
		}
	}
	folder := func() os.FileInfo {
		st, _ := os.Stat(v.RecordingsPath())
		return st
	}
	lastFolder, lastFull := folder(), time.Now()
	unchanged := func() bool {
		if full <= 0 || time.Since(lastFull) >= full {
			return false
		}
		now := folder()
		same := now != nil && lastFolder != nil && os.SameFile(now, lastFolder) && now.ModTime().Equal(lastFolder.ModTime())
		if !same {
			lastFolder = now
		}
		return same
	}
	type stamp struct {
		size  int64
		mtime time.Time
	}
	scan := func() map[string]stamp {
		seen := map[string]stamp{}
		entries, err := os.ReadDir(v.RecordingsPath())
		if err != nil {
			return nil // gone or unreadable for now: try again next time
		}
		for _, e := range entries {
			if !watched(e.Name()) {
				continue
			}
			if info, err := e.Info(); err == nil {
				seen[filepath.Join(v.RecordingsPath(), e.Name())] = stamp{info.Size(), info.ModTime()}
			}
		}
		return seen
	}
	last := scan()
	// The first look also reports what was touched since this began (the
	// caller listed the folder just before), less a margin for coarse
	// file times: a file another program wrote between that listing and
	// a watch beside this being up (a sync tool catching up as the app
	// starts) is seen now, not at the next full listing.
	var recent []string
	for p, st := range last {
		if !st.mtime.Before(began.Add(-2 * time.Second)) {
			recent = append(recent, p)
		}
	}
	if len(recent) > 0 {
		slices.Sort(recent)
		onChange(recent)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if unchanged() {
			continue
		}
		lastFull = time.Now()
		now := scan()
		if now == nil {
			continue
		}
		var paths []string
		for p, st := range now {
			if old, ok := last[p]; !ok || old != st {
				paths = append(paths, p)
			}
		}
		for p := range last {
			if _, ok := now[p]; !ok {
				paths = append(paths, p)
			}
		}
		last = now
		if len(paths) > 0 {
			slices.Sort(paths)
			onChange(paths)
		}
	}
}

// ReadNote reads one note file, as List would. A missing file wraps
// fs.ErrNotExist.
//
// A file found missing may be one another process is replacing on a file
// system whose rename is not atomic (exFAT through FUSE removes the old
// file, then renames the new one): a caller that would drop the note
// looks at the missing ones again once, after ReplaceWindow.
func (v *Vault) ReadNote(path string) (*Note, error) {
	st, err := v.fs.Lstat(path)
	if err != nil {
		return nil, err
	}
	return v.readNote(path, st.Mode().Type())
}

// ReplaceWindow is how long a note another process replaces may be
// missing where a rename over a file is not atomic.
const ReplaceWindow = 70 * time.Millisecond
