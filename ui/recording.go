package ui

import (
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/session"
	"github.com/voicenotes/voicenotes/settings"
	"github.com/voicenotes/voicenotes/transcribe"
)

// ongoing is the recording in progress: a session, once its microphone
// is open (session.Start runs off the UI thread).
type ongoing struct {
	s         *session.Session
	stopAsked bool       // Stop was pressed while the microphone was opening
	dict      *dictation // a dictation's target; nil for a recording
}

// ToggleRecording starts a recording, or stops and saves the current one.
func (w *Window) ToggleRecording() {
	w.timed(func() {
		if w.rec != nil {
			w.stopRecording(false)
			return
		}
		w.startRecording()
	})
}

// startRecording shows the recording state at once and opens the
// microphone off the UI thread; capture begins the moment it is open, and
// the live decoder loads meanwhile (package session).
func (w *Window) startRecording() { w.startRecordingAs(nil, nil) }

// startRecordingAs starts a recording, or with d a dictation. early, when
// not nil, is the microphone opened already (at the dictation shortcut's
// press, off the UI thread): the recording is made from it, and it is
// closed if none is started.
func (w *Window) startRecordingAs(d *dictation, early audio.Source) {
	defer func() {
		if early != nil { // not handed to a session
			early.Close()
		}
	}()
	if w.switching != nil {
		w.showError(errors.New("another vault is being opened: record once it is open"))
		return
	}
	if w.svc.OpenInput == nil {
		w.showError(errors.New("this build cannot record: it has no audio input"))
		return
	}
	cfg := w.settings()
	rec := &ongoing{dict: d}
	open := w.svc.OpenInput
	if src := early; src != nil {
		open = func() (audio.Source, error) { return src, nil }
		early = nil // the session's now
	}
	scfg := session.Config{
		Vault: w.svc.Vault, Open: open, Rate: cfg.SampleRate, Store: cfg.Store, Logf: log.Printf,
		OnEvent: func(e session.Event) {
			if e.Kind != session.Text {
				w.do(func() { w.onRecordingEvent(rec, e) })
				return
			}
			// How long the decoder's newest words wait to be shown, for
			// make e2e (VOICENOTES_TRACE).
			heard := time.Now()
			w.do(func() {
				w.onRecordingEvent(rec, e)
				w.trace("live text %d words %d ms", len(strings.Fields(e.Text)), time.Since(heard).Milliseconds())
			})
		},
	}
	if d != nil {
		scfg.Tags = []string{DictationTag}
	}
	if w.svc.Engine != nil && cfg.Transcribes() {
		scfg.Engine = w.svc.Engine
		scfg.Stream = w.standby.Take
		queue := w.queue
		scfg.Enqueue = func(id string) {
			if queue != nil {
				queue.Enqueue(id)
			}
		}
	}
	w.rec = rec
	w.recOn.Store(true)
	w.showEmpty() // the first recording is not "no notes yet"
	w.recordButton.SetText("Stop")
	w.recordButton.SetIcon(theme.MediaStopIcon())
	w.recordButton.Importance = widget.DangerImportance
	w.recordButton.Refresh()
	w.pauseButton.Enable()
	w.updateTray()
	w.liveText.SetText("Starting the microphone…")
	w.elapsed.SetText(audio.FormatDuration(0))
	w.startLive(rec)
	go func() {
		s, err := session.Start(scfg)
		w.do(func() {
			if err != nil {
				if w.rec == rec {
					w.resetRecordingUI()
					w.liveText.SetText("")
				}
				if w.live != nil && w.live.rec == rec {
					w.endLive()
				}
				w.showError(err)
				return
			}
			rec.s = s
			if rec.stopAsked {
				w.liveText.SetText("Saving…")
				go s.Stop()
			}
		})
	}()
}

// liveEngine makes the function that says which engine a recording
// transcribes with as it goes, when Settings has one on (called from any
// goroutine, so it reads only what it is given and the preferences).
func liveEngine(a fyne.App, engine func() (transcribe.Engine, transcribe.Options, error)) func() (transcribe.Engine, transcribe.Options, error) {
	return func() (transcribe.Engine, transcribe.Options, error) {
		if engine == nil || !settings.Load(a.Preferences()).Transcribes() {
			return nil, transcribe.Options{}, errors.New("transcription is off")
		}
		return engine()
	}
}

// MarkRecording drops a marker at this moment of the recording (Ctrl+M,
// the tray, `voicenotes mark`) and says where, or why not.
func (w *Window) MarkRecording(label string) string {
	if w.rec == nil || w.rec.s == nil {
		return "not recording"
	}
	m, err := w.rec.s.Mark(label)
	if err != nil {
		w.showError(fmt.Errorf("the marker was not kept: %w", err))
		return "not marked: " + err.Error()
	}
	return "marked at " + audio.FormatDuration(m.At)
}

// onRecordingEvent shows what the session reports (on the UI thread).
func (w *Window) onRecordingEvent(rec *ongoing, e session.Event) {
	switch e.Kind {
	case session.Listening:
		if w.rec == rec && w.liveText.Text == "Starting the microphone…" {
			w.liveText.SetText("Listening…")
		}
	case session.Level:
		if w.rec == rec {
			w.level.SetLevel(e.Level.Peak) // about 20 a second
			w.elapsed.SetText(audio.FormatDuration(e.Level.Elapsed))
		}
	case session.Text:
		if w.live != nil && w.live.rec == rec {
			w.live.text = e.Text
			w.refreshLive(true)
		}
	case session.Marked:
		if w.live != nil && w.live.rec == rec {
			w.live.markers = append(w.live.markers, e.Marker)
			w.refreshLive(false)
		}
		w.tell(liveMarkerText(e.Marker))
	case session.Warning:
		switch {
		case w.rec != rec:
		case e.Warning != "":
			w.banner.Say(e.Warning)
		case w.banner.Text() == session.WarnSilence || w.banner.Text() == session.WarnClipping || w.banner.Text() == session.WarnStalled:
			w.banner.Clear() // the input is fine again
		}
	case session.Saved, session.Failed:
		if w.rec == rec { // ended by itself: the device failed
			w.resetRecordingUI()
		}
		w.liveText.SetText("")
		if e.Err != nil {
			w.showError(e.Err)
		}
		if rec.dict != nil {
			rec.dict.releaseEscape()
			if e.Note != nil {
				w.dictationSaved(rec.dict, e.Note)
			}
		}
		if e.Note != nil {
			// The session hands over the note it wrote: into the list
			// without reading the vault again on the UI thread.
			saved := *e.Note // the list's own copy
			if w.mergeNotes(map[string]*persistence.Note{saved.Path: &saved}) {
				w.setStatus(fmt.Sprintf("Saved %q · %s", displayTitle(e.Note), notesIn(len(w.notes), w.svc.Vault.Root())))
			}
			if e.Warning != "" {
				w.tell(e.Warning)
			}
			// Shown on the event loop's next turn: each half is a few
			// milliseconds of the UI thread instead of both at once. The
			// pane shows the recording until then, and a title typed
			// while recording becomes the note's.
			id := e.Note.ID
			w.do(func() {
				var title string
				if w.live != nil && w.live.rec == rec {
					title = w.live.title
					shown := w.liveShown
					w.endLive()
					if shown || title != "" {
						w.selectByID(id)
					}
				}
				if title != "" && w.selected != nil && w.selected.ID == id {
					w.titleEntry.SetText(title) // saved as any typed title
				}
				w.trace("saved recording %s", id)
			})
		} else if w.live != nil && w.live.rec == rec {
			w.endLive()
		}
	}
}

// stopRecording stops and saves; wait makes it finish before returning
// (when the window closes).
func (w *Window) stopRecording(wait bool) {
	rec := w.rec
	w.resetRecordingUI()
	if rec.s == nil { // the microphone is still opening: stop once it is
		rec.stopAsked = true
		w.liveText.SetText("Stopping…")
		return
	}
	w.liveText.SetText("Saving…")
	if wait {
		rec.s.Stop()
		return
	}
	go rec.s.Stop() // the session reports Saved
}

// saveRecording stops the session and waits for its note (Shutdown, after
// the event loop: it touches no widgets).
func (w *Window) saveRecording(rec *ongoing) (*persistence.Note, error) {
	if rec.s == nil {
		return nil, nil // the microphone never opened
	}
	return rec.s.Stop()
}

// resetRecordingUI puts the toolbar back to "not recording".
func (w *Window) resetRecordingUI() {
	w.rec = nil
	w.recOn.Store(false)
	w.showEmpty()
	w.recordButton.SetText("Record")
	w.recordButton.SetIcon(theme.MediaRecordIcon())
	w.recordButton.Importance = widget.HighImportance
	w.recordButton.Refresh()
	w.pauseButton.SetText("Pause")
	w.pauseButton.Disable()
	w.level.Reset()
	w.banner.Clear()
	w.updateTray()
}

// TogglePause pauses or resumes the recording.
func (w *Window) TogglePause() {
	if w.rec == nil || w.rec.s == nil {
		return
	}
	if w.rec.s.Paused() {
		w.rec.s.Resume()
		w.pauseButton.SetText("Pause")
		w.pauseButton.SetIcon(theme.MediaPauseIcon())
	} else {
		w.rec.s.Pause()
		w.pauseButton.SetText("Resume")
		w.pauseButton.SetIcon(theme.MediaPlayIcon())
	}
}

// CancelRecording discards the recording after asking.
func (w *Window) CancelRecording() {
	if w.rec == nil || w.rec.s == nil {
		return
	}
	dialog.ShowConfirm("Discard this recording?", fmt.Sprintf("The %s recorded so far will be deleted.", audio.FormatDuration(w.rec.s.Elapsed())), func(ok bool) {
		if !ok || w.rec == nil || w.rec.s == nil {
			return
		}
		rec := w.rec
		w.resetRecordingUI()
		if w.live != nil && w.live.rec == rec {
			w.endLive()
		}
		go func() {
			w.showError(rec.s.Cancel())
			w.do(func() { w.liveText.SetText("") })
		}()
	}, w.win)
}

func (w *Window) selectByID(id string) {
	for i, n := range w.shown {
		if n.ID == id {
			w.list.Select(i)
			w.list.ScrollTo(i)
			return
		}
	}
}

// onTranscription hears from the queue (any goroutine).
func (w *Window) onTranscription(u transcribe.Update) {
	w.do(func() {
		dictation := w.dictationTranscribed(u.ID, u.Status, u.Note, u.Err)
		w.progress[u.ID] = u.Progress
		if u.Status == persistence.StatusTranscribing {
			w.transcribing[u.ID] = true
		} else {
			delete(w.transcribing, u.ID)
		}
		w.updateTray()
		for _, n := range w.notes {
			if n.ID != u.ID {
				continue
			}
			n.TranscriptionStatus = u.Status
			if u.Note != nil && u.Status != persistence.StatusTranscribing {
				fresh := u.Note
				n.TranscriptionError, n.Engine, n.Language = fresh.TranscriptionError, fresh.Engine, fresh.Language
				if w.selected == nil || w.selected.ID != n.ID || !w.saver.isDirty(n.ID) {
					*n = *fresh
					delete(w.hay, n)
					w.filtered = false
					if w.selected != nil && w.selected.ID == n.ID {
						w.selected = n
						w.showNote(n)
					}
				}
			}
		}
		w.list.Refresh()
		w.refreshMeta()
		if u.Status == persistence.StatusFailed && u.Err != nil && !dictation {
			w.tell("Transcription failed: " + u.Err.Error())
		}
	})
}
