package ui

import (
	"log"
	"sync"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
	"github.com/voicenotes/voicenotes/transform"
)

// Transformations marked to run after each transcription: a note is
// queued for them (durably) as its transcription begins, and they run
// once its transcript is saved, off the UI thread; what a crash or a
// quit cut short runs at the next start (package transform).

// autoRun keeps one run of the auto transformations at a time.
type autoRun struct {
	mu      sync.Mutex
	running bool
	again   bool
}

// onQueueUpdate is the report of vault v's transcription queue (on its
// goroutine), which works until stop closes.
func (w *Window) onQueueUpdate(v *persistence.Vault, stop chan struct{}, u transcribe.Update) {
	switch {
	case u.Status == persistence.StatusTranscribing && u.Note != nil:
		// Before the engine runs: a crash from here on still finds the
		// note queued for its transformations.
		if w.settings().ChatBaseURL != "" {
			if err := transform.MarkIfAuto(v, u.ID, time.Now()); err != nil {
				log.Printf("transform: %s is not queued for its automatic transformations: %v", u.ID, err)
			}
		}
	case u.Status == persistence.StatusDone:
		w.runAutoTransforms(v, stop)
	}
	w.onTranscription(u)
}

// runAutoTransforms runs the queued auto transformations of vault v in
// the background until stop closes (once at a time; asked again
// meanwhile, once more). Any goroutine.
func (w *Window) runAutoTransforms(v *persistence.Vault, stop chan struct{}) {
	a := &w.autoRun
	a.mu.Lock()
	if a.running {
		a.again = true
		a.mu.Unlock()
		return
	}
	a.running = true
	a.mu.Unlock()
	go func() {
		for {
			w.runAutoOnce(v, stop)
			a.mu.Lock()
			if !a.again {
				a.running = false
				a.mu.Unlock()
				return
			}
			a.again = false
			a.mu.Unlock()
		}
	}()
}

func (w *Window) runAutoOnce(v *persistence.Vault, stop chan struct{}) {
	if ids, _ := transform.Pending(v); len(ids) == 0 {
		return
	}
	chat, model, err := w.chatSetup()
	if err != nil {
		return // no chat server: the notes stay queued until there is one
	}
	ts, _, err := transform.Load(v)
	if err != nil {
		log.Printf("transform: %v", err)
		return
	}
	r := &transform.Runner{Vault: v, Chat: chat, Model: model}
	steps, err := r.RunPending(stopContext(stop), ts)
	if err != nil {
		log.Printf("transform: automatic transformations: %v", err)
	}
	changes := map[string]*persistence.Note{}
	for _, s := range steps {
		for _, n := range []*persistence.Note{s.Note, s.New} {
			if n != nil {
				changes[n.Path] = n
			}
		}
	}
	if len(changes) == 0 {
		return
	}
	w.do(func() {
		if w.svc.Vault == v {
			w.mergeNotes(changes)
			w.trace("auto transformed %d", len(changes))
		}
	})
}
