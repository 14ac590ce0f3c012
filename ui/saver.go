package ui

import (
	"log"
	"sync"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// saver writes edited notes off the UI thread: about a second after typing
// stops, at once when asked to flush. A failed save keeps the note dirty and
// is retried every few seconds; the text stays in the editor meanwhile.
type saver struct {
	vault   *persistence.Vault
	onSaved func(id string, err error) // called on the UI thread
	delay   time.Duration
	retry   time.Duration

	mu      sync.Mutex
	timers  map[string]*time.Timer
	dirty   map[string]*persistence.Note // latest snapshot to write, by id
	lastErr error
	writing sync.Mutex // one save at a time, in order
}

func newSaver(v *persistence.Vault, onSaved func(string, error)) *saver {
	return &saver{vault: v, onSaved: onSaved, delay: time.Second, retry: 3 * time.Second,
		timers: map[string]*time.Timer{}, dirty: map[string]*persistence.Note{}}
}

// snapshot copies the fields a save writes, so the UI can keep editing
// while the copy is written.
func snapshot(n *persistence.Note) *persistence.Note {
	c := *n
	c.Tags = append([]string(nil), n.Tags...)
	return &c
}

// schedule saves n after the typing pause. Call on the UI thread.
func (s *saver) schedule(n *persistence.Note) { s.queue(n, s.delay) }

// flush saves n now (in the background). Call on the UI thread.
func (s *saver) flush(n *persistence.Note) {
	s.mu.Lock()
	_, pending := s.dirty[n.ID]
	s.mu.Unlock()
	if pending {
		s.queue(n, 0)
	}
}

func (s *saver) queue(n *persistence.Note, after time.Duration) {
	snap := snapshot(n)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dirty[n.ID] = snap
	if t := s.timers[n.ID]; t != nil {
		t.Stop()
	}
	s.timers[n.ID] = time.AfterFunc(after, func() { s.write(n.ID) })
}

func (s *saver) write(id string) {
	s.writing.Lock()
	s.mu.Lock()
	snap := s.dirty[id]
	delete(s.timers, id)
	s.mu.Unlock()
	if snap == nil {
		s.writing.Unlock()
		return
	}
	err := s.vault.Save(snap)
	s.writing.Unlock()
	if err != nil {
		log.Printf("ui: saving %s: %v", id, err)
	}
	s.mu.Lock()
	if s.dirty[id] == snap { // nothing newer was typed meanwhile
		if err == nil {
			delete(s.dirty, id)
		} else if s.timers[id] == nil {
			s.timers[id] = time.AfterFunc(s.retry, func() { s.write(id) })
		}
	}
	s.lastErr = err
	s.mu.Unlock()
	onUI(func() { s.onSaved(id, err) })
}

// wait runs every scheduled save now and blocks until all are written, or
// one fails (then the edit stays dirty, is retried, and the error returned).
func (s *saver) wait() error {
	s.mu.Lock()
	for id, t := range s.timers { // run pending debounces now
		if t.Stop() {
			s.timers[id] = time.AfterFunc(0, func() { s.write(id) })
		}
	}
	s.lastErr = nil
	s.mu.Unlock()
	for {
		s.mu.Lock()
		n, err := len(s.dirty), s.lastErr
		s.mu.Unlock()
		switch {
		case n == 0:
			return nil
		case err != nil:
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// isDirty reports whether a note has edits not yet on disk.
func (s *saver) isDirty(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.dirty[id]
	return ok
}
