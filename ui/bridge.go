package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
)

// This file is the one place where background work reaches the widgets:
// every other file goes through w.do.

// onUI runs f on the UI thread; safe from any goroutine. Tests replace it
// with a queue their own goroutine drains, as the real main loop would.
var onUI = fyne.Do

// do runs f on the UI thread, unless the window has ended. Once Fyne's
// loop has stopped, fyne.Do runs f at once on the calling goroutine, where
// it would race with Shutdown on the main goroutine; so f runs holding
// w.uiMu, and not at all after Shutdown marked the window ended. (While
// the loop runs, f runs on the UI thread alone and the lock is free; a
// TryLock that fails means shutting down, when a widget update is moot.)
func (w *Window) do(f func()) {
	onUI(func() {
		if !w.uiMu.TryLock() {
			return
		}
		defer w.uiMu.Unlock()
		if !w.ended {
			w.timed(f)
		}
	})
}

// timed runs f, and under VOICENOTES_TRACE says how long it held the UI
// thread when that was more than a millisecond: the window's own work,
// apart from Fyne's layout and painting (make bench).
func (w *Window) timed(f func()) {
	if w.svc.Trace == nil {
		f()
		return
	}
	t0 := time.Now()
	f()
	if d := time.Since(t0); d > time.Millisecond {
		w.trace("ui work %d ms", d.Milliseconds())
	}
}

// end marks the window ended: background work no longer reaches it.
func (w *Window) end() {
	w.uiMu.Lock()
	w.ended = true
	w.uiMu.Unlock()
}

// showError tells the user what went wrong and what to do; from any
// goroutine.
func (w *Window) showError(err error) {
	if err == nil {
		return
	}
	w.do(func() { dialog.ShowError(errors.New(advice(err)), w.win) })
}

// info shows a message; from any goroutine.
func (w *Window) info(title, msg string) {
	w.do(func() { dialog.ShowInformation(title, msg, w.win) })
}

// advice rewords errors the user can act on.
func advice(err error) string {
	msg := err.Error()
	var locked *persistence.LockedError
	switch {
	case errors.As(err, &locked):
		return locked.Error()
	case errors.Is(err, audio.ErrNoDevice):
		return "No microphone was found. " + msg
	case strings.Contains(msg, "disk is full"):
		return msg + "\nFree some space; nothing you typed is lost."
	}
	return msg
}

// stopContext is a context cancelled when stop closes.
func stopContext(stop <-chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-stop; cancel() }()
	return ctx
}
