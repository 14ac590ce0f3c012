package ui

import (
	"errors"
	"log"
	"slices"
	"sync"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// saver writes edited notes off the UI thread: about a second after typing
// stops, at once when asked to flush. A failed save keeps the note dirty and
// is retried every few seconds; the text stays in the editor meanwhile.
type saver struct {
	vault   *persistence.Vault
	onSaved func(saved *persistence.Note, before persistence.Revision, err error) // on the UI thread
	post    func(func())                                                          // runs on the UI thread
	delay   time.Duration
	retry   time.Duration

	mu       sync.Mutex
	changed  *sync.Cond // on mu: a write finished or a conflict was resolved
	timers   map[string]*time.Timer
	dirty    map[string]*persistence.Note // latest snapshot to write, by id
	conflict map[string]error             // dirty notes waiting for the user to resolve a conflict
	lastErr  error
	closed   bool       // no more writes are started (close)
	writing  sync.Mutex // one save at a time, in order
	// saved remembers each note's last writes, oldest first: a snapshot
	// taken before they finished (the UI thread had not yet heard of
	// them) still carries the revision the first of them replaced.
	saved map[string][]savedWrite
}

// maxOwnWrites bounds the writes of a note the saver remembers: more than
// the UI thread can fall behind by.
const maxOwnWrites = 16

type savedWrite struct {
	before persistence.Revision
	note   *persistence.Note
}

func newSaver(v *persistence.Vault, post func(func()), onSaved func(*persistence.Note, persistence.Revision, error)) *saver {
	s := &saver{vault: v, onSaved: onSaved, post: post, delay: time.Second, retry: 3 * time.Second,
		timers: map[string]*time.Timer{}, dirty: map[string]*persistence.Note{}, conflict: map[string]error{}, saved: map[string][]savedWrite{}}
	s.changed = sync.NewCond(&s.mu)
	return s
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
	if s.closed {
		return
	}
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
	s.mu.Lock()
	// Each of our own writes since the revision the snapshot carries is
	// followed to the last: typing that outlasts the pause saves twice
	// before the UI thread hears of the first, and a third save then
	// carries the revision two writes back (this was taken for another
	// program's change, and the edit refused as a conflict).
	for range s.saved[id] {
		i := slices.IndexFunc(s.saved[id], func(p savedWrite) bool { return p.before == snap.Revision() })
		if i < 0 {
			break
		}
		snap.Adopt(s.saved[id][i].note)
	}
	s.mu.Unlock()
	before := snap.Revision()
	err := s.vault.Save(snap)
	if err == nil {
		s.mu.Lock()
		s.saved[id] = append(s.saved[id][max(0, len(s.saved[id])-maxOwnWrites+1):], savedWrite{before, snap})
		s.mu.Unlock()
	}
	s.writing.Unlock()
	if err != nil {
		log.Printf("ui: saving %s: %v", id, err)
	}
	s.mu.Lock()
	var conflict *persistence.ConflictError
	if errors.As(err, &conflict) {
		s.conflict[id] = err // waits for the user; no retry can settle it
	} else {
		delete(s.conflict, id)
	}
	if s.dirty[id] == snap { // nothing newer was typed meanwhile
		if err == nil {
			delete(s.dirty, id)
		} else if conflict == nil && s.timers[id] == nil && !s.closed {
			s.timers[id] = time.AfterFunc(s.retry, func() { s.write(id) })
		}
	}
	s.lastErr = err
	s.changed.Broadcast()
	s.mu.Unlock()
	s.post(func() { s.onSaved(snap, before, err) })
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
	defer s.mu.Unlock()
	for {
		if len(s.dirty) == 0 {
			return nil
		}
		for id := range s.dirty {
			if err := s.conflict[id]; err != nil {
				// The user has to choose first; waiting would never end.
				return err
			}
		}
		if s.lastErr != nil {
			return s.lastErr
		}
		s.changed.Wait() // every write ends with a Broadcast
	}
}

// isDirty reports whether a note has edits not yet on disk.
func (s *saver) isDirty(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.dirty[id]
	return ok
}

// resolve ends a conflict: keep=true writes the user's version over the
// file (Overwrite); keep=false drops the unsaved edit.
func (s *saver) resolve(id string, keep bool) error {
	s.mu.Lock()
	snap := s.dirty[id]
	delete(s.dirty, id)
	delete(s.saved, id)
	delete(s.conflict, id)
	if t := s.timers[id]; t != nil {
		t.Stop()
		delete(s.timers, id)
	}
	s.lastErr = nil
	s.changed.Broadcast()
	s.mu.Unlock()
	if !keep || snap == nil {
		return nil
	}
	s.writing.Lock()
	defer s.writing.Unlock()
	return s.vault.Overwrite(snap)
}

// unsaved is a copy of every edit not yet on disk.
func (s *saver) unsaved() []*persistence.Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*persistence.Note
	for _, n := range s.dirty {
		out = append(out, snapshot(n))
	}
	return out
}

// hold makes n an edit waiting for the person to settle the conflict err
// (a rescued edit whose note changed since), as a save that met it would.
func (s *saver) hold(n *persistence.Note, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dirty[n.ID] = snapshot(n)
	s.conflict[n.ID] = err
}

// close stops every pending and retried write: the window is gone, and
// what is still unsaved was kept by its Shutdown (rescue.go).
func (s *saver) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for id, t := range s.timers {
		t.Stop()
		delete(s.timers, id)
	}
}
