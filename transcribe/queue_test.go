package transcribe

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/testchild"

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

// TestQueueShutdownPutsTheJobBack: a job cut short by quitting (the
// window closing, Ctrl+C) puts the note back as it was, UNPROCESSED, so
// the next start takes it at once (it stayed TRANSCRIBING, and was left
// alone for ten minutes as if another program were on it); its audio
// stays.
func TestQueueShutdownPutsTheJobBack(t *testing.T) {
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	n := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	received := make(chan struct{}, 1)
	o, _ := newFake(t, &fakeAPI{key: "k", delay: time.Minute, received: received})
	q, _ := queueFor(t, v, o)
	ctx, cancel := context.WithCancel(context.Background())
	drained := make(chan struct{})
	q.Enqueue(n.ID)
	go func() { q.Drain(ctx); close(drained) }()
	<-received // the job is at the server
	cancel()
	select {
	case <-drained: // Drain (what `voicenotes transcribe` waits in) returns
	case <-time.After(30 * time.Second):
		t.Fatal("the queue did not return after its context ended")
	}
	got, _ := v.Note(n.ID)
	if got.TranscriptionStatus != persistence.StatusUnprocessed {
		t.Fatalf("status after shutdown mid-job: %s, want UNPROCESSED", got.TranscriptionStatus)
	}
	if ids, _ := NewQueue(v, nil, nil).EnqueuePending(); len(ids) != 1 {
		t.Errorf("the next start does not queue it again at once: %v", ids)
	}
	if _, err := os.Stat(filepath.Join(v.RecordingsPath(), n.Audio)); err != nil {
		t.Error(err)
	}
}

// TestJobOfADeadWorkerIsTakenAtOnce: a process of the app transcribing a
// note is killed (SIGKILL: nothing of it runs again). Its note stays
// TRANSCRIBING, and the job lock it held is free: the next start takes the
// job at once, while a job whose worker lives is left to it, and a note
// marked TRANSCRIBING by another program (no job lock) still waits ten
// minutes.
func TestJobOfADeadWorkerIsTakenAtOnce(t *testing.T) {
	root := tempdir.New(t)
	v, _ := persistence.Open(root, persistence.Options{})
	defer v.Close()
	dead := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	alive := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	others := noteWithAudio(t, v, persistence.StatusTranscribing, "")
	// Two workers: each claims its note, marks it TRANSCRIBING, says so,
	// and waits; one is killed.
	worker := func(id string) *exec.Cmd {
		cmd, out, err := testchild.Start(t, func() *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), jobWorkerEnv+"="+root+"|"+id)
			cmd.Stderr = os.Stderr // a worker that dies says why
			return cmd
		})
		if err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "working\n" {
			t.Fatalf("the worker said %q", line)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd
	}
	killed := worker(dead.ID)
	worker(alive.ID)
	killed.Process.Kill()
	killed.Wait()
	ids, err := NewQueue(v, nil, nil).EnqueuePending()
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != dead.ID {
		t.Errorf("queued %v; want only the dead worker's note %s (not %s, whose worker lives, nor %s, another program's)", ids, dead.ID, alive.ID, others.ID)
	}
	if v.Job(alive.ID) != persistence.JobRunning || v.Job(dead.ID) != persistence.JobAbandoned || v.Job(others.ID) != persistence.JobUnknown {
		t.Errorf("job states: alive %v, dead %v, another program's %v", v.Job(alive.ID), v.Job(dead.ID), v.Job(others.ID))
	}
	// The dead worker's note is transcribed; the live worker's is not
	// touched by a second process.
	o, _ := newFake(t, &fakeAPI{key: "k"})
	q, _ := queueFor(t, v, o)
	q.Enqueue(dead.ID, alive.ID)
	q.Drain(context.Background())
	if got, _ := v.Note(dead.ID); got.TranscriptionStatus != persistence.StatusDone {
		t.Errorf("the dead worker's note is %s after the queue ran", got.TranscriptionStatus)
	}
	if got, _ := v.Note(alive.ID); got.TranscriptionStatus != persistence.StatusTranscribing || got.Body != "" {
		t.Errorf("the living worker's note was taken over: %s %q", got.TranscriptionStatus, got.Body)
	}
	if v.Job(dead.ID) != persistence.JobUnknown {
		t.Error("the finished job left its lock file")
	}
}

const jobWorkerEnv = "VOICENOTES_TEST_JOB_WORKER"

func init() {
	testchild.Register(jobWorkerEnv, func(arg string) {
		root, id, _ := strings.Cut(arg, "|")
		v, err := persistence.Open(root, persistence.Options{})
		if err != nil {
			panic(err)
		}
		if _, err := v.LockJob(id); err != nil {
			panic(err)
		}
		if _, err := v.Update(id, func(n *persistence.Note) error {
			n.TranscriptionStatus = persistence.StatusTranscribing
			return nil
		}); err != nil {
			panic(err)
		}
		fmt.Println("working")
		testchild.Hang()
	})
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

// TestEmptyTranscriptKeepsTheText: transcribing again a note whose audio
// the engine hears nothing in (a server answering {"text":""}, silence)
// keeps its text, its timings and its DONE, and says the engine heard no
// words (the text was replaced by nothing, and kept nowhere).
func TestEmptyTranscriptKeepsTheText(t *testing.T) {
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	n := noteWithAudio(t, v, persistence.StatusDone, "the words the engine wrote\n")
	n, _ = v.Update(n.ID, func(n *persistence.Note) error { n.TranscriptHash = Hash(n.Body); return nil })
	timings := v.TimingsPath(n)
	if err := os.WriteFile(timings, []byte("WEBVTT\n\n00:00:00.000 --> 00:00:00.500\nthe\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o, _ := newFake(t, &fakeAPI{key: "k", empty: true}) // {"text": ""}
	q, _ := queueFor(t, v, o)
	q.Enqueue(n.ID)
	q.Drain(context.Background())
	got, _ := v.Note(n.ID)
	if got.Body != "the words the engine wrote\n" || got.TranscriptionStatus != persistence.StatusDone || !strings.Contains(got.TranscriptionError, "heard no words") {
		t.Errorf("after an empty transcript: %s %q, error %q", got.TranscriptionStatus, got.Body, got.TranscriptionError)
	}
	if _, err := os.Stat(timings); err != nil {
		t.Errorf("the kept text's timings went: %v", err)
	}
}

// TestControlCharactersFromAServer: a server's transcript holding a NUL
// (which made the note unsavable: the job failed and the text was lost)
// and an escape sequence is saved without them.
func TestControlCharactersFromAServer(t *testing.T) {
	n := &persistence.Note{}
	ApplyTranscript(n, "hello\x00 world\x1b[2J\r\nnext line\u009b", "openai", "en", time.Now())
	if n.Body != "hello world[2J\nnext line\n" {
		t.Errorf("body %q", n.Body)
	}
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	saved := v.NewNote()
	ApplyTranscript(saved, "a\x00b", "openai", "en", time.Now())
	if err := v.Save(saved); err != nil {
		t.Errorf("a transcript that held a NUL cannot be saved: %v", err)
	}
}
