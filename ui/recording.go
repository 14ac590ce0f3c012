package ui

import (
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// recording is the recording in progress and its live transcription.
type recording struct {
	r      *audio.Recorder
	live   *transcribe.Live
	engine transcribe.Engine
	opts   transcribe.Options
	tick   *time.Ticker
}

// ToggleRecording starts a recording, or stops and saves the current one.
func (w *Window) ToggleRecording() {
	if w.rec != nil {
		w.stopRecording(false)
		return
	}
	w.startRecording()
}

func (w *Window) startRecording() {
	if w.svc.OpenInput == nil {
		w.showError(errors.New("this build cannot record: it has no audio input"))
		return
	}
	src, err := w.svc.OpenInput()
	if err != nil {
		w.showError(err)
		return
	}
	rec := &recording{}
	cfg := w.settings()
	if w.svc.Engine != nil && cfg.AutoTranscribe && cfg.Engine != "" {
		if e, opts, err := w.svc.Engine(); err == nil {
			rec.engine, rec.opts = e, opts
			if st, ok := e.(transcribe.Streamer); ok && cfg.SampleRate == audio.StoreRate {
				if stream, err := st.Stream(opts); err == nil {
					rec.live = transcribe.NewLive(stream, func(text string) { w.do(func() { w.LiveText.SetText(text) }) })
				}
			}
		}
	}
	o := audio.Options{
		Vault: w.svc.Vault, Source: src, Rate: cfg.SampleRate,
		OnLevel: func(l audio.Level) { w.do(func() { w.levelVal.Set(float64(l.Peak)) }) }, // about 20 a second
	}
	if rec.live != nil {
		o.OnSamples = rec.live.Feed
	}
	rec.r, err = audio.Start(o)
	if err != nil {
		src.Close()
		if rec.live != nil {
			rec.live.Finish()
		}
		w.showError(err)
		return
	}
	w.rec = rec
	w.RecordButton.SetText("Stop")
	w.RecordButton.SetIcon(theme.MediaStopIcon())
	w.RecordButton.Importance = widget.DangerImportance
	w.RecordButton.Refresh()
	w.PauseButton.Enable()
	w.updateTray()
	w.LiveText.SetText("Starting the microphone…")
	rec.tick = time.NewTicker(100 * time.Millisecond)
	go func(r *audio.Recorder, tick *time.Ticker) {
		started := r.Started()
		for {
			select {
			case <-started:
				started = nil
				w.do(func() {
					if w.LiveText.Text == "Starting the microphone…" {
						w.LiveText.SetText("Listening…")
					}
				})
			case <-r.Done():
				w.do(func() {
					if w.rec != nil && w.rec.r == r { // ended by itself: the device failed
						w.stopRecording(false)
					}
				})
				return
			case <-tick.C:
				e := r.Elapsed()
				w.do(func() { w.Elapsed.SetText(audio.FormatDuration(e)) })
			}
		}
	}(rec.r, rec.tick)
}

// stopRecording saves the recording; wait makes it finish before
// returning (when the window closes).
func (w *Window) stopRecording(wait bool) {
	rec := w.rec
	w.resetRecordingUI()
	w.LiveText.SetText("Saving…")
	finish := func() {
		n, err := w.saveRecording(rec)
		if err != nil {
			w.showError(err)
		}
		w.do(func() {
			w.LiveText.SetText("")
			if n != nil {
				w.Reload()
				w.selectByID(n.ID)
			}
		})
	}
	if wait {
		finish()
		return
	}
	go finish()
}

// saveRecording stops the recorder, saves the note and its transcript (live
// text when there was a live decoder, else the queue's job). It touches no
// widgets, so Shutdown can use it after the event loop ended. A note is
// returned even with an error when the recording was saved but something
// is worth telling (the device failed, audio was lost).
func (w *Window) saveRecording(rec *recording) (*persistence.Note, error) {
	n, err := rec.r.Stop()
	if n == nil {
		if rec.live != nil {
			rec.live.Finish()
		}
		return nil, err
	}
	queued := rec.engine != nil
	if rec.live != nil {
		queued = rec.live.Commit(w.svc.Vault, n, rec.engine.Name(), rec.opts) != nil
	}
	if queued && w.queue != nil {
		w.queue.Enqueue(n.ID)
	}
	return n, err
}

// resetRecordingUI puts the toolbar back to "not recording".
func (w *Window) resetRecordingUI() {
	w.rec.tick.Stop()
	w.rec = nil
	w.RecordButton.SetText("Record")
	w.RecordButton.SetIcon(theme.MediaRecordIcon())
	w.RecordButton.Importance = widget.HighImportance
	w.RecordButton.Refresh()
	w.PauseButton.SetText("Pause")
	w.PauseButton.Disable()
	w.levelVal.Set(0)
	w.updateTray()
}

// TogglePause pauses or resumes the recording.
func (w *Window) TogglePause() {
	if w.rec == nil {
		return
	}
	if w.rec.r.Paused() {
		w.rec.r.Resume()
		w.PauseButton.SetText("Pause")
		w.PauseButton.SetIcon(theme.MediaPauseIcon())
	} else {
		w.rec.r.Pause()
		w.PauseButton.SetText("Resume")
		w.PauseButton.SetIcon(theme.MediaPlayIcon())
	}
}

// CancelRecording discards the recording after asking.
func (w *Window) CancelRecording() {
	if w.rec == nil {
		return
	}
	dialog.ShowConfirm("Discard this recording?", fmt.Sprintf("The %s recorded so far will be deleted.", audio.FormatDuration(w.rec.r.Elapsed())), func(ok bool) {
		if !ok || w.rec == nil {
			return
		}
		rec := w.rec
		w.resetRecordingUI()
		go func() {
			w.showError(rec.r.Cancel())
			if rec.live != nil {
				rec.live.Finish()
			}
			w.do(func() { w.LiveText.SetText("") })
		}()
	}, w.Win)
}

func (w *Window) selectByID(id string) {
	for i, n := range w.shown {
		if n.ID == id {
			w.List.Select(i)
			w.List.ScrollTo(i)
			return
		}
	}
}

// onTranscription hears from the queue (any goroutine).
func (w *Window) onTranscription(u transcribe.Update) {
	w.do(func() {
		w.progress[u.ID] = u.Progress
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
		w.List.Refresh()
		w.refreshMeta()
		if u.Status == persistence.StatusFailed && u.Err != nil {
			w.setStatus("Transcription failed: " + u.Err.Error())
		}
	})
}
