package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// Work beside the window: the transcription queue, the vault watcher
// (or poller), and switching vaults.

// startBackground starts the transcription queue and the vault watcher;
// they stop when w.stop closes.
func (w *Window) startBackground() {
	w.watchFallback = nil
	ctx := stopContext(w.stop)
	// The queue runs whenever the app can transcribe at all: it asks for
	// the engine Settings name at each job, so turning an engine on takes
	// effect with the next recording, without a restart.
	w.queue = nil
	if w.svc.Engine != nil {
		v, stop := w.svc.Vault, w.stop // this vault's, whatever the window switches to
		w.queue = transcribe.NewQueue(v, w.svc.Engine, func(u transcribe.Update) { w.onQueueUpdate(v, stop, u) })
		go w.queue.Run(ctx)
		if w.settings().Transcribes() {
			w.queuePending()
		}
		w.runAutoTransforms(v, stop) // what a quit or a crash cut short
	}
	v := w.svc.Vault
	onChange := func(paths []string) {
		if paths == nil { // events were lost: the whole folder is read again
			w.do(func() {
				if w.svc.Vault == v {
					w.Reload()
				}
			})
			return
		}
		w.readChanges(v, paths)
	}
	go func() {
		err := v.Watch(ctx, 200*time.Millisecond, onChange)
		if err == nil || ctx.Err() != nil {
			return
		}
		// Without a watch (the system's inotify limits reached), look every
		// two seconds instead, and say so: changes from other programs
		// arrive later, but they arrive.
		log.Printf("ui: %v; polling instead", err)
		w.do(func() {
			w.watchFallback = err
			w.tell(fmt.Sprintf("Changes by other programs are checked every %v: %v", pollEvery, err))
		})
		v.Poll(ctx, pollEvery, onChange)
	}()
	// A rescan beside the watch: what the system never told the watcher
	// (a network or FUSE file system changed from another machine, the
	// recordings folder replaced by a sync tool or a restore, a watch
	// that failed after it started) is seen within rescanEvery. It lists
	// the folder (about 20 ms at 10,000 notes) only when the folder
	// changed or every ten minutes, and not while the window launches.
	go v.Rescan(ctx, rescanSettle, rescanEvery, 10*time.Minute, onChange)
}

// rescanEvery is how often the vault's folder is looked at beside its
// watch; rescanSettle how long after the window starts the first time.
var rescanEvery, rescanSettle = time.Minute, 10 * time.Second

// queuePending queues the notes waiting for a transcript (off the UI
// thread).
func (w *Window) queuePending() {
	go func(q *transcribe.Queue) {
		if _, err := q.EnqueuePending(); err != nil {
			w.showError(fmt.Errorf("notes waiting to be transcribed could not be queued: %w; 'Transcribe again' on a note queues it", err))
		}
	}(w.queue)
}

// pollEvery is how often the vault is listed when it cannot be watched.
var pollEvery = 2 * time.Second

// switchVault saves everything, releases this vault and opens the one
// at root, then calls done with the outcome, on the UI thread. The wait
// for the last save and for the other vault (its write lock may be held
// by another process for seconds, its recovery may have work to do) is
// off the UI thread; a dialog says what is happening meanwhile, and
// nothing can be recorded or edited until it ends. On error this vault
// stays open, as it was.
func (w *Window) switchVault(root string, done func(error)) {
	switch {
	case w.rec != nil:
		done(errors.New("stop the recording before switching vaults"))
		return
	case w.svc.SwitchVault == nil:
		done(errors.New("this window cannot switch vaults"))
		return
	case w.switching != nil:
		done(errors.New("another vault is being opened already"))
		return
	}
	selected := w.selected
	if selected != nil {
		w.saver.flush(selected)
	}
	w.stopPlayback()
	bar := widget.NewProgressBarInfinite()
	w.switching = dialog.NewCustomWithoutButtons("Switching vault", container.NewVBox(
		widget.NewLabel("Saving, then opening "+root+"…"), bar), w.win)
	w.switching.Show()
	go func() {
		var v *persistence.Vault
		err := w.saver.wait()
		if err != nil {
			err = fmt.Errorf("your last edit could not be saved, so the vault was not switched: %w", err)
		} else {
			v, err = w.svc.SwitchVault(root)
		}
		w.do(func() {
			w.switching.Hide()
			w.switching = nil
			bar.Stop()
			if err != nil {
				done(err)
				return
			}
			close(w.stop)
			w.stop = make(chan struct{})
			w.svc.Vault = v
			w.saver = newSaver(v, w.do, w.onSaved)
			w.selected = nil
			w.showNote(nil)
			w.startBackground()
			w.Reload()
			done(nil)
		})
	}()
}

// readChanges reads the notes another program touched (on the watcher's
// goroutine) and hands them to the UI thread.
func (w *Window) readChanges(v *persistence.Vault, paths []string) {
	changes := map[string]*persistence.Note{} // nil: gone
	versions := map[string]string{}           // other versions of notes: the id they copy, "" once gone
	read := func(paths []string) (missing []string) {
		for _, p := range paths {
			n, err := v.ReadNote(p)
			switch {
			case err == nil && (n.IsCopy() || persistence.IsSyncConflict(filepath.Base(p))):
				versions[p] = n.ID // another version of a note, not a note
			case err != nil && persistence.IsSyncConflict(filepath.Base(p)):
				versions[p] = ""
			case err == nil:
				changes[p] = n
			case errors.Is(err, fs.ErrNotExist):
				changes[p] = nil
				versions[p] = "" // if it was another version, it is gone
				missing = append(missing, p)
			} // unreadable files stay out of the list; doctor reports them
		}
		return missing
	}
	// A note found missing may be one another process is replacing where
	// a rename is not atomic (exFAT): gone only if still missing a moment
	// later, all looked at again together.
	if missing := read(paths); len(missing) > 0 {
		time.Sleep(persistence.ReplaceWindow)
		read(missing)
	}
	w.do(func() {
		if w.svc.Vault == v { // not a vault switched away from meanwhile
			for p, id := range versions {
				w.versionChanged(p, id)
			}
			w.applyDiskChanges(changes)
		}
	})
}

// applyDiskChanges brings the list up to date with files changed on disk.
// The open note is reloaded quietly when it has no unsaved edits; with
// edits, the next save finds the conflict and asks the user.
func (w *Window) applyDiskChanges(changes map[string]*persistence.Note) {
	if w.reading { // the listing may have read these before they changed
		maps.Copy(w.diskWhileReading, changes)
		return
	}
	if w.mergeNotes(changes) {
		w.setStatus(notesIn(len(w.notes), w.svc.Vault.Root()) + " (updated from disk)")
	}
}

// mergeNotes puts notes read from disk (by path; nil: gone) into the list
// without reading the vault again, and reports whether the list changed.
func (w *Window) mergeNotes(changes map[string]*persistence.Note) bool {
	changed := false
	for path, fresh := range changes {
		i := slices.IndexFunc(w.notes, func(n *persistence.Note) bool { return n.Path == path })
		var old *persistence.Note
		if i >= 0 {
			old = w.notes[i]
		}
		dirtyOpen := old != nil && w.selected == old && w.saver.isDirty(old.ID)
		switch {
		case fresh == nil && old != nil && !dirtyOpen:
			w.notes = slices.Delete(w.notes, i, i+1)
			if w.selected == old {
				w.selected = nil
				w.showNote(nil)
			}
		case fresh == nil || dirtyOpen:
			continue
		case old != nil && old.Revision() == fresh.Revision():
			continue // our own write
		case old != nil:
			w.notes[i] = fresh
			if w.selected == old {
				w.selected = fresh
				w.showNote(fresh)
			}
		case slices.ContainsFunc(w.notes, func(n *persistence.Note) bool { return n.ID == fresh.ID }):
			// Two files with one id: let List decide which is the note,
			// as it does at start, so the answer never depends on the
			// order the events came in.
			w.Reload()
			return true
		default:
			w.notes = append(w.notes, fresh)
		}
		changed = true
	}
	if !changed {
		return false
	}
	persistence.SortNotes(w.notes)
	w.filtered = false
	w.applyFilter()
	return true
}
