package transcribe

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"

	"github.com/voicenotes/voicenotes/internal/remote"
	"github.com/voicenotes/voicenotes/merge"
	"github.com/voicenotes/voicenotes/persistence"
)

// Update reports a job's state to the UI or the terminal.
type Update struct {
	ID       string
	Status   persistence.Status
	Progress float64 // 0 to 1 while TRANSCRIBING
	Err      error   // why it FAILED
	Note     *persistence.Note
}

// Queue transcribes notes one at a time, off the caller's goroutine. Every
// state change (UNPROCESSED → TRANSCRIBING → DONE or FAILED) is saved with
// the atomic writer, so a note left TRANSCRIBING by a crash is found and
// queued again at the next start. Audio is never deleted because a
// transcription failed.
type Queue struct {
	vault    *persistence.Vault
	engine   func() (Engine, Options, error)
	onUpdate func(Update)

	mu      sync.Mutex
	pending []string
	queued  map[string]bool
	wake    chan struct{}
	idle    *sync.Cond
	running bool
	stopped bool // Run returned: nothing more is done until it runs again
}

// NewQueue makes a queue; engine is asked for the engine and options at
// each job, so settings changes apply to the next one. onUpdate (may be nil)
// is called from the queue's goroutine, at most about ten times a second
// per job for progress.
func NewQueue(v *persistence.Vault, engine func() (Engine, Options, error), onUpdate func(Update)) *Queue {
	q := &Queue{vault: v, engine: engine, onUpdate: onUpdate, queued: map[string]bool{}, wake: make(chan struct{}, 1)}
	q.idle = sync.NewCond(&q.mu)
	if q.onUpdate == nil {
		q.onUpdate = func(Update) {}
	}
	return q
}

// Enqueue adds notes to the queue (once each).
func (q *Queue) Enqueue(ids ...string) {
	q.mu.Lock()
	for _, id := range ids {
		if !q.queued[id] {
			q.queued[id] = true
			q.pending = append(q.pending, id)
		}
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// EnqueuePending queues every note with audio that is UNPROCESSED, or was
// left TRANSCRIBING when the app died, and returns their ids.
func (q *Queue) EnqueuePending() ([]string, error) {
	// The headers say what waits, without the notes' text: at 10,000
	// notes a whole List here made 50 MB of garbage as the window opened.
	notes, err := q.vault.Headers()
	if err != nil {
		return nil, err
	}
	var ids []string
	for i := notes.Len() - 1; i >= 0; i-- { // oldest first
		n := notes.Note(i)
		if n.TranscriptionStatus != persistence.StatusUnprocessed && n.TranscriptionStatus != persistence.StatusTranscribing {
			continue
		}
		// TRANSCRIBING: the job locks say whether a process of this app
		// is on it (left to it) or was and died (taken again now).
		// Without one it may be another program's job in progress
		// (Whispering shares the folder): left to it for ten minutes
		// after the note last changed; older, the job died.
		if n.TranscriptionStatus == persistence.StatusTranscribing {
			switch q.vault.Job(n.ID) {
			case persistence.JobRunning:
				continue
			case persistence.JobUnknown:
				if st, err := q.vault.FS().Lstat(n.Path); err == nil && time.Since(st.ModTime()) < othersJobAge {
					continue
				}
			}
		}
		if _, ok := q.vault.AudioPath(n); ok {
			ids = append(ids, n.ID)
		}
	}
	q.Enqueue(ids...)
	return ids, nil
}

// maxStoredError bounds the transcriptionError a note keeps: a failure
// that cannot be saved leaves the note looking busy for ever.
const maxStoredError = 2000

// othersJobAge is how long a note marked TRANSCRIBING by someone else is
// taken to be in progress.
var othersJobAge = 10 * time.Minute

// Run works through the queue until ctx ends. A job cut short by ctx
// is put back as it was (queued, or transcribed as before), so the next
// start or `transcribe --pending` takes it again at once.
func (q *Queue) Run(ctx context.Context) {
	q.mu.Lock()
	q.stopped = false
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.running, q.stopped = false, true
		q.idle.Broadcast()
		q.mu.Unlock()
	}()
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.running = false
			q.idle.Broadcast()
			q.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-q.wake:
				continue
			}
		}
		id := q.pending[0]
		q.pending = q.pending[1:]
		q.running = true
		q.mu.Unlock()
		q.process(ctx, id)
		q.mu.Lock()
		delete(q.queued, id)
		q.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
	}
}

// Wait blocks until the queue is empty and no job runs, or until Run
// has returned (its context ended) and the job it was on is put back.
func (q *Queue) Wait() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for (len(q.pending) > 0 || q.running) && !q.stopped {
		q.idle.Wait()
	}
}

// Drain runs the queue on the calling goroutine until it is empty.
func (q *Queue) Drain(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	q.mu.Lock()
	q.stopped = false // Wait must not see the end of an earlier Run
	q.mu.Unlock()
	go func() { q.Run(ctx); close(done) }()
	q.Wait()
	cancel()
	<-done
}

// Hash is how TranscriptHash is computed.
func Hash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// process runs one job. Each save re-reads the note first, so edits made
// meanwhile (title, tags) are kept.
func (q *Queue) process(ctx context.Context, id string) {
	// Each change is a read-modify-write under the vault's write lock, so
	// an edit another process saves meanwhile is never undone.
	update := func(f func(n *persistence.Note)) (*persistence.Note, error) {
		return q.vault.Update(id, func(n *persistence.Note) error { f(n); return nil })
	}
	// A note that has a transcript keeps it, and its DONE: a failed
	// re-transcription says why in transcriptionError without
	// downgrading the note.
	wasDone := false
	fail := func(err error) {
		n, serr := update(func(n *persistence.Note) {
			n.TranscriptionStatus = persistence.StatusFailed
			if wasDone {
				n.TranscriptionStatus = persistence.StatusDone
			}
			n.TranscriptionError = remote.Clip(err.Error(), maxStoredError)
		})
		if serr != nil {
			err = errors.Join(err, serr)
		}
		q.onUpdate(Update{ID: id, Status: persistence.StatusFailed, Err: err, Note: n})
	}
	n, err := q.vault.Note(id)
	if err != nil {
		q.onUpdate(Update{ID: id, Status: persistence.StatusFailed, Err: err})
		return
	}
	// This process's claim on the job: another process of the app on
	// it already is left to it; a process that dies leaves the claim
	// free, and the job is taken again at once.
	job, err := q.vault.LockJob(id)
	if errors.Is(err, persistence.ErrLocked) {
		return
	}
	if err != nil {
		log.Printf("transcribe: %s is transcribed without a job lock: %v", id, err)
	}
	defer job.Release()
	wasDone = n.TranscriptionStatus == persistence.StatusDone
	before, beforeErr := n.TranscriptionStatus, n.TranscriptionError
	if before == persistence.StatusTranscribing {
		before = persistence.StatusUnprocessed // a job that died before
	}
	path, checked, ok := q.vault.AudioTargetInfo(n)
	if !ok {
		fail(fmt.Errorf("the audio file of note %s is missing from %s", id, q.vault.RecordingsPath()))
		return
	}
	engine, opts, err := q.engine()
	if err != nil {
		fail(err)
		return
	}
	n, err = update(func(n *persistence.Note) {
		n.TranscriptionStatus = persistence.StatusTranscribing
		n.TranscriptionError = ""
	})
	if err != nil {
		q.onUpdate(Update{ID: id, Status: persistence.StatusFailed, Err: err})
		return
	}
	q.onUpdate(Update{ID: id, Status: persistence.StatusTranscribing, Note: n})
	opts.Audio = checked
	if voc, err := LoadVocabulary(q.vault); err == nil && opts.Prompt == "" {
		opts.Prompt = voc.Prompt()
	}
	var last time.Time
	res, err := engine.Transcribe(ctx, path, opts, func(p float64) {
		if time.Since(last) >= 100*time.Millisecond || p == 1 {
			last = time.Now()
			q.onUpdate(Update{ID: id, Status: persistence.StatusTranscribing, Progress: p})
		}
	})
	if ctx.Err() != nil {
		// Shutting down (quit, Ctrl+C): the note goes back to what it
		// was, so nothing is left looking busy; a note still waiting is
		// queued again at the next start.
		n, err := update(func(n *persistence.Note) {
			if n.TranscriptionStatus == persistence.StatusTranscribing {
				n.TranscriptionStatus, n.TranscriptionError = before, beforeErr
			}
		})
		if err != nil {
			log.Printf("transcribe: %s stays marked as being transcribed: %v", id, err)
		}
		q.onUpdate(Update{ID: id, Status: before, Note: n})
		return
	}
	if err != nil {
		fail(err)
		return
	}
	p := ProvenanceOf(engine, opts, n)
	if res.Language != "" {
		p.Language = res.Language
	}
	n, err = Take(q.vault, id, res, p, time.Now())
	if err != nil {
		fail(err)
		return
	}
	q.onUpdate(Update{ID: id, Status: persistence.StatusDone, Progress: 1, Note: n})
}

// ErrNoWords is what a note says when an engine heard nothing in it and
// its text was kept.
func ErrNoWords(engine string) error {
	return fmt.Errorf("%s heard no words in the audio; the text is kept as it was", engine)
}

// Clean is a transcript as a note holds it: control characters out, no
// whitespace around it.
func Clean(text string) string {
	return strings.TrimSpace(persistence.NoteText(text))
}

// ApplyTranscript puts a new transcript into a note, with no earlier
// machine text to merge against: an empty body, or one the engine wrote
// and nobody changed, is replaced; a body the user edited is kept, and the
// new transcript goes beneath it under its own heading. Take, which knows
// the note's versions, merges instead.
func ApplyTranscript(n *persistence.Note, text, engine, language string, at time.Time) {
	applyTranscript(n, Clean(text), "", false, Provenance{Engine: engine, Language: language}, at)
}

// applyTranscript puts text (Clean) into n. A body the person edited is
// merged with it word by word against base, the machine text the person
// started from, when that is known (haveBase) and the person corrected it
// rather than rewrote it (kept half its words or more); otherwise the new
// text goes beneath theirs under its own heading.
//
// An empty transcript (silence, or a server that answered nothing) never
// replaces text: the note keeps it, DONE, with transcriptionError saying
// the engine heard no words, and the timings of the text it keeps stay.
func applyTranscript(n *persistence.Note, text, base string, haveBase bool, p Provenance, at time.Time) {
	engine := p.Engine
	if text == "" && strings.TrimSpace(n.Body) != "" {
		n.TranscriptionStatus = persistence.StatusDone
		n.TranscriptionError = ErrNoWords(engine).Error()
		return
	}
	if n.AutoTitle {
		if t := TitleFrom(text); t != "" {
			n.Title = t // the app's own title gives way to what was said
		}
	}
	edited := strings.TrimSpace(n.Body) != "" && Hash(n.Body) != n.TranscriptHash
	n.TranscriptionError = ""
	switch {
	case edited && haveBase && merge.Kept(base, n.Body) >= 0.5:
		m := merge.Words(base, n.Body, text+"\n")
		// Where both changed the same words, the text holds both, marked
		// (merge.Find): the window and the CLI say so and offer each.
		n.Body = m.Text
		n.TranscriptHash = Hash(text + "\n")
	case edited:
		n.Body = strings.TrimRight(n.Body, "\n") + "\n\n## New transcript (" + engine + ", " + at.Local().Format("2 Jan 2006 15:04") + ")\n\n" + text + "\n"
		// The new text is the machine text the next merge starts from:
		// the person's text above it then stays as theirs.
		n.TranscriptHash = Hash(text + "\n")
	default:
		n.Body = text + "\n"
		if text == "" {
			n.Body = ""
		}
		n.TranscriptHash = Hash(n.Body)
		n.Transformed = nil
	}
	n.TranscriptionStatus = persistence.StatusDone
	n.Engine = engine
	if l := p.Language; l != "" && len(l) <= 3 {
		n.Language = l
	}
}
