package persistence

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch reports notes added, changed, renamed or deleted in recordings/ by
// any program (this one included: callers compare revisions to skip their
// own writes). Events are gathered for settle (a sync tool writes in bursts)
// and handed to onChange as the set of note paths touched. Temp files,
// hidden files, sync tools' conflict copies and anything but .md are
// ignored. It returns when ctx ends.
func (v *Vault) Watch(ctx context.Context, settle time.Duration, onChange func(paths []string)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Add(v.RecordingsPath()); err != nil {
		return err
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
			name := filepath.Base(ev.Name)
			if !strings.HasSuffix(name, NoteExt) || strings.HasPrefix(name, ".") || IsSyncConflict(name) {
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
			return err
		}
	}
}

// ReadNote reads one note file, as List would. A missing file wraps
// fs.ErrNotExist.
func (v *Vault) ReadNote(path string) (*Note, error) {
	st, err := v.fs.Lstat(path)
	if err != nil {
		return nil, err
	}
	return v.readNote(path, st.Mode().Type())
}
