package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
)

// Dropping audio files, or folders of them, on the window imports them as
// `voicenotes import` does (the same formats, the same errors), one after
// another off the UI thread, with the progress in the status bar and each
// note in the list as it lands; then they are transcribed if Settings
// says so.

// onDrop is the window's drop handler.
func (w *Window) onDrop(_ fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	w.ImportFiles(paths)
}

// ImportFiles imports audio files; a folder given brings in the audio
// files under it (not hidden ones, not through links). It returns at once.
func (w *Window) ImportFiles(paths []string) {
	files, skipped := recording.ImportableFiles(paths, false)
	if len(files) == 0 {
		msg := "Nothing to import: drop audio or video files (WAV, MP3, M4A, Opus, Ogg, FLAC, WebM, MP4, MKV, MOV) or a folder of them"
		if len(skipped) > 0 {
			msg += fmt.Sprintf(" (%s is not audio)", filepath.Base(skipped[0]))
		}
		w.tell(msg)
		return
	}
	v := w.svc.Vault
	queue := w.queue
	transcribeAfter := w.svc.Engine != nil && w.settings().Transcribes()
	store := w.settings().Store
	w.setStatus(fmt.Sprintf("Importing %d file(s)…", len(files)))
	go func() {
		var errs []error
		var warnings []string
		count := 0
		for i, f := range files {
			w.do(func() { w.setStatus(fmt.Sprintf("Importing %d of %d: %s", i+1, len(files), filepath.Base(f))) })
			n, err := recording.Import(v, f, "")
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if kept, err := recording.Compact(context.Background(), v, n, store); err != nil {
				warnings = append(warnings, err.Error()) // imported all the same, as a WAV
			} else {
				n = kept
			}
			count++
			imported := *n // the list's own copy
			w.do(func() {
				if w.svc.Vault == v {
					w.mergeNotes(map[string]*persistence.Note{imported.Path: &imported})
				}
			})
			if transcribeAfter && queue != nil {
				queue.Enqueue(n.ID)
			}
			w.trace("imported %s", n.ID)
		}
		w.do(func() {
			msg := fmt.Sprintf("Imported %d of %d file(s)", count, len(files))
			if len(skipped) > 0 {
				msg += fmt.Sprintf("; %d not audio, left alone", len(skipped))
			}
			if len(warnings) > 0 {
				msg += "; " + warnings[0]
			}
			if len(skipped) > 0 || len(warnings) > 0 {
				w.tell(msg)
			} else {
				w.setStatus(msg)
			}
		})
		if len(errs) > 0 {
			w.showError(fmt.Errorf("%d file(s) could not be imported:\n%w", len(errs), errors.Join(errs...)))
		}
	}()
}
