package transcribe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// noteWithAudio adds a note with 1 s of audio in the given state.
func noteWithAudio(t *testing.T, v *persistence.Vault, status persistence.Status, body string) *persistence.Note {
	t.Helper()
	n := v.NewNote()
	// Notes made in one millisecond would tie: each is made a millisecond
	// after the one before, so the order is the order they were added.
	createdMu.Lock()
	if !n.CreatedAt.After(lastCreated) {
		n.CreatedAt = lastCreated.Add(time.Millisecond)
		n.Timestamp, n.UpdatedAt = n.CreatedAt, n.CreatedAt
	}
	lastCreated = n.CreatedAt
	createdMu.Unlock()
	n.TranscriptionStatus, n.Body = status, body
	n.Audio = n.ID + ".wav"
	if err := audio.WritePCM16(filepath.Join(v.RecordingsPath(), n.Audio), 16000, 1, make([]int16, 16000)); err != nil {
		t.Fatal(err)
	}
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	return n
}

var (
	createdMu   sync.Mutex
	lastCreated time.Time
)

func queueFor(t *testing.T, v *persistence.Vault, o *OpenAI) (*Queue, func() []Update) {
	var mu sync.Mutex
	var updates []Update
	q := NewQueue(v, func() (Engine, Options, error) { return o, Options{}, nil }, func(u Update) {
		mu.Lock()
		updates = append(updates, u)
		mu.Unlock()
	})
	return q, func() []Update { mu.Lock(); defer mu.Unlock(); return append([]Update(nil), updates...) }
}

func TestQueueTranscribesPendingNotes(t *testing.T) {
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	a := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	b := noteWithAudio(t, v, persistence.StatusTranscribing, "") // the app died mid-job, a while ago
	long := time.Now().Add(-time.Hour)
	if err := os.Chtimes(b.Path, long, long); err != nil {
		t.Fatal(err)
	}
	done := noteWithAudio(t, v, persistence.StatusDone, "already done\n")
	f := &fakeAPI{key: "k"}
	o, _ := newFake(t, f)
	q, updates := queueFor(t, v, o)
	ids, err := q.EnqueuePending()
	if err != nil || len(ids) != 2 || ids[0] != a.ID || ids[1] != b.ID {
		t.Fatalf("pending = %v, %v; want %s then %s", ids, err, a.ID, b.ID)
	}
	q.Drain(context.Background())
	for _, id := range ids {
		n, err := v.Note(id)
		if err != nil || n.TranscriptionStatus != persistence.StatusDone || !strings.HasPrefix(n.Body, "part ") || n.Engine != OpenAIName || n.TranscriptHash != Hash(n.Body) {
			t.Errorf("note %s after the queue: %+v %v", id, n, err)
		}
	}
	if n, _ := v.Note(done.ID); n.Body != "already done\n" {
		t.Error("a DONE note was transcribed again")
	}
	var states []persistence.Status
	for _, u := range updates() {
		if u.ID == a.ID && (len(states) == 0 || states[len(states)-1] != u.Status) {
			states = append(states, u.Status)
		}
	}
	if len(states) != 2 || states[0] != persistence.StatusTranscribing || states[1] != persistence.StatusDone {
		t.Errorf("updates for %s: %v", a.ID, states)
	}
}

func TestQueueFailureKeepsAudioAndCanRetry(t *testing.T) {
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	n := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	f := &fakeAPI{key: "right"}
	o, _ := newFake(t, f)
	o.key = "wrong"
	q, updates := queueFor(t, v, o)
	q.Enqueue(n.ID)
	q.Drain(context.Background())
	got, _ := v.Note(n.ID)
	if got.TranscriptionStatus != persistence.StatusFailed || !strings.Contains(got.TranscriptionError, "API key was refused") {
		t.Fatalf("after a 401: %s %q", got.TranscriptionStatus, got.TranscriptionError)
	}
	if _, ok := v.AudioPath(got); !ok {
		t.Fatal("the audio is gone after a failed transcription")
	}
	last := updates()[len(updates())-1]
	if last.Status != persistence.StatusFailed || last.Err == nil {
		t.Errorf("last update %+v", last)
	}
	o.key = "right"
	q.Enqueue(n.ID) // retry
	q.Drain(context.Background())
	if got, _ := v.Note(n.ID); got.TranscriptionStatus != persistence.StatusDone || got.TranscriptionError != "" {
		t.Errorf("after retry: %s %q", got.TranscriptionStatus, got.TranscriptionError)
	}
}

func TestRetranscribeKeepsUserEdits(t *testing.T) {
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	n := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	o, _ := newFake(t, &fakeAPI{key: "k"})
	q, _ := queueFor(t, v, o)
	q.Enqueue(n.ID)
	q.Drain(context.Background())
	first, _ := v.Note(n.ID)
	// Unedited: a new transcript replaces the old one.
	q.Enqueue(n.ID)
	q.Drain(context.Background())
	second, _ := v.Note(n.ID)
	if second.Body == first.Body || strings.Contains(second.Body, "New transcript") {
		t.Errorf("an unedited transcript was not replaced: %q", second.Body)
	}
	// Edited by the user: kept, with the new transcript beneath.
	second.Body = "My own words about this.\n"
	if err := v.Save(second); err != nil {
		t.Fatal(err)
	}
	q.Enqueue(n.ID)
	q.Drain(context.Background())
	third, _ := v.Note(n.ID)
	if !strings.HasPrefix(third.Body, "My own words about this.\n\n## New transcript (openai, ") || !strings.Contains(third.Body, "part 2") {
		t.Errorf("the user's edit was not kept beside the new transcript:\n%s", third.Body)
	}
}

func TestQueueShutdownLeavesJobForNextStart(t *testing.T) {
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	n := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	received := make(chan struct{}, 1)
	o, _ := newFake(t, &fakeAPI{key: "k", delay: time.Minute, received: received})
	q, _ := queueFor(t, v, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	q.Enqueue(n.ID)
	<-received // the job is at the server
	cancel()
	<-done
	got, _ := v.Note(n.ID)
	if got.TranscriptionStatus != persistence.StatusTranscribing {
		t.Fatalf("status after shutdown mid-job: %s, want TRANSCRIBING", got.TranscriptionStatus)
	}
	// Marked a moment ago, it may be another program's job (Whispering
	// shares the folder): left alone. Ten minutes on, the job is dead and
	// the next start queues it again.
	if ids, _ := NewQueue(v, nil, nil).EnqueuePending(); len(ids) != 0 {
		t.Errorf("a job marked a moment ago was taken over: %v", ids)
	}
	old := time.Now().Add(-11 * time.Minute)
	if err := os.Chtimes(got.Path, old, old); err != nil {
		t.Fatal(err)
	}
	if ids, _ := NewQueue(v, nil, nil).EnqueuePending(); len(ids) != 1 {
		t.Errorf("the next start does not queue it again: %v", ids)
	}
	if _, err := os.Stat(filepath.Join(v.RecordingsPath(), n.Audio)); err != nil {
		t.Error(err)
	}
}

// TestFailedRetranscriptionKeepsDone: transcribing a DONE note again and
// failing keeps it DONE with its text; the reason is in
// transcriptionError, and the update still reports the failure.
func TestFailedRetranscriptionKeepsDone(t *testing.T) {
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	n := noteWithAudio(t, v, persistence.StatusDone, "the words I had\n")
	f := &fakeAPI{key: "right"}
	o, _ := newFake(t, f)
	o.key = "wrong"
	q, updates := queueFor(t, v, o)
	q.Enqueue(n.ID)
	q.Drain(context.Background())
	got, _ := v.Note(n.ID)
	if got.TranscriptionStatus != persistence.StatusDone || got.Body != "the words I had\n" || !strings.Contains(got.TranscriptionError, "API key was refused") {
		t.Errorf("after a failed re-transcription: %s %q, error %q", got.TranscriptionStatus, got.Body, got.TranscriptionError)
	}
	if last := updates()[len(updates())-1]; last.Status != persistence.StatusFailed || last.Err == nil {
		t.Errorf("last update %+v; want the failure reported", last)
	}
}
