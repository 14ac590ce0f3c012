package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
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
	files, skipped := audioFiles(paths)
	if len(files) == 0 {
		msg := "Nothing to import: drop audio files (WAV, MP3, M4A, Opus, Ogg, FLAC, WebM) or a folder of them"
		if len(skipped) > 0 {
			msg += fmt.Sprintf(" (%s is not audio)", filepath.Base(skipped[0]))
		}
		w.setStatus(msg)
		return
	}
	v := w.svc.Vault
	queue := w.queue
	transcribeAfter := w.svc.Engine != nil && w.settings().Transcribes()
	w.setStatus(fmt.Sprintf("Importing %d file(s)…", len(files)))
	go func() {
		var errs []error
		imported := 0
		for i, f := range files {
			w.do(func() { w.setStatus(fmt.Sprintf("Importing %d of %d: %s", i+1, len(files), filepath.Base(f))) })
			n, err := audio.Import(v, f, "")
			if err != nil {
				errs = append(errs, err)
				continue
			}
			imported++
			w.do(func() {
				if w.svc.Vault == v {
					w.Reload()
				}
			})
			if transcribeAfter && queue != nil {
				queue.Enqueue(n.ID)
			}
			w.trace("imported %s", n.ID)
		}
		w.do(func() {
			msg := fmt.Sprintf("Imported %d of %d file(s)", imported, len(files))
			if len(skipped) > 0 {
				msg += fmt.Sprintf("; %d not audio, left alone", len(skipped))
			}
			w.setStatus(msg)
		})
		if len(errs) > 0 {
			w.showError(fmt.Errorf("%d file(s) could not be imported:\n%w", len(errs), errors.Join(errs...)))
		}
	}()
}

// audioFiles expands folders and keeps the files with an audio extension
// (what is in them is checked on import); the rest are returned apart.
func audioFiles(paths []string) (files, skipped []string) {
	isAudio := func(p string) bool { return slices.Contains(persistence.AudioExts, strings.ToLower(filepath.Ext(p))) }
	for _, p := range paths {
		filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			switch {
			case err != nil:
				skipped = append(skipped, path)
				return nil
			case e.IsDir() && path != p && strings.HasPrefix(e.Name(), "."):
				return filepath.SkipDir
			case e.IsDir():
				return nil
			case !e.Type().IsRegular() && path != p:
				return nil // links inside a folder are not followed
			case isAudio(path):
				files = append(files, path)
			default:
				skipped = append(skipped, path)
			}
			return nil
		})
	}
	return files, skipped
}
