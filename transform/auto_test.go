package transform

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/fakechat"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/testchild"
	"github.com/voicenotes/voicenotes/persistence"
)

// The answers of the fake model, by transformation: what each result must
// be, whole.
func autoAnswer(req fakechat.Request) string {
	p := req.Messages[len(req.Messages)-1].Content
	switch {
	case strings.Contains(p, "Clean up this transcript"):
		return "Cleaned text, with every word in its place."
	case strings.Contains(p, "Summarise this voice note"):
		return "A summary of the cleaned text."
	}
	return "UNEXPECTED PROMPT"
}

// autoVault is a vault whose clean-up and summary run after each
// transcription, with n transcribed notes queued for them.
func autoVault(t *testing.T, root string, n int) (*persistence.Vault, []*Transformation, []string) {
	t.Helper()
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts, _, err := Load(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"clean-up", "summary"} {
		tr, _ := Find(ts, name)
		tr.Auto = true
		if err := Save(v, tr); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for range n {
		m := machineNote(t, v, "um the raw words as said\n")
		if err := Mark(v, m.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	ts, _, _ = Load(v)
	return v, ts, ids
}

const autoChildEnv = "VOICENOTES_TEST_AUTO_CHILD"

func init() {
	testchild.Register(autoChildEnv, func(arg string) {
		root, base, _ := strings.Cut(arg, "|")
		v, err := persistence.Open(root, persistence.Options{})
		if err != nil {
			panic(err)
		}
		ts, _, _ := Load(v)
		c, err := NewChat(base, "")
		if err != nil {
			panic(err)
		}
		os.Stdout.WriteString("running\n")
		(&Runner{Vault: v, Chat: c, Model: "m"}).RunPending(context.Background(), ts)
		testchild.Hang() // killed here at the latest
	})
}

// TestAutoRunSurvivesKill: a process running the auto transformations is
// killed with SIGKILL at a random moment, 20 times. After each kill every
// note is untransformed and still queued, or fully transformed by each
// step that ran (never a part of an answer), and its original transcript
// is kept; a new start finishes the work.
func TestAutoRunSurvivesKill(t *testing.T) {
	f := &fakechat.Server{Answer: autoAnswer, Pieces: 6, Delay: 15 * time.Millisecond}
	base := fakechat.Start(t, f)
	const original = "um the raw words as said\n"
	cleaned := "Cleaned text, with every word in its place.\n"
	whole := cleaned + "\n## Summary\n\nA summary of the cleaned text.\n"
	states := map[string]string{original: "untransformed", cleaned: "cleaned", whole: "cleaned and summarised"}
	seen := map[string]int{}
	for round := range 20 {
		root := tempdir.New(t)
		v, ts, ids := autoVault(t, root, 2)
		cmd, out, err := testchild.Start(t, func() *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), autoChildEnv+"="+root+"|"+base)
			return cmd
		})
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 8)
		out.Read(buf)                                                // "running": the vault is open, the work begins
		time.Sleep(time.Duration(rand.IntN(600)) * time.Millisecond) // the random moment is the test
		cmd.Process.Kill()
		cmd.Wait()
		pending, _ := Pending(v)
		for _, id := range ids {
			n, err := v.Note(id)
			if err != nil {
				t.Fatalf("round %d: note %s after the kill: %v", round, id, err)
			}
			state, ok := states[n.Body]
			if !ok {
				t.Fatalf("round %d: note %s holds a text no step makes:\n%q", round, id, n.Body)
			}
			seen[state]++
			queued := strings.Contains(strings.Join(pending, " "), id)
			if state != "cleaned and summarised" && !queued {
				t.Errorf("round %d: note %s is %s and no longer queued", round, id, state)
			}
			if state != "untransformed" {
				h, _ := History(v, id)
				if len(h) == 0 {
					t.Fatalf("round %d: note %s was transformed and its original is not kept", round, id)
				}
				if kept, _ := ReadKept(h[0]); kept != original {
					t.Errorf("round %d: the first kept text of %s is %q", round, id, kept)
				}
			}
		}
		// The next start finishes it.
		c, _ := NewChat(base, "")
		if _, err := (&Runner{Vault: v, Chat: c, Model: "m"}).RunPending(context.Background(), ts); err != nil {
			t.Fatalf("round %d: the next start: %v", round, err)
		}
		for _, id := range ids {
			if n, _ := v.Note(id); n.Body != whole || len(n.Transformed) != 2 {
				t.Errorf("round %d: after the next start %s is %q (%q)", round, id, n.Body, n.Transformed)
			}
		}
		if p, _ := Pending(v); len(p) != 0 {
			t.Errorf("round %d: still queued after the next start: %v", round, p)
		}
		v.Close()
	}
	t.Logf("states found after the kills: %v", seen)
	if seen["untransformed"] == 0 || seen["cleaned"]+seen["cleaned and summarised"] == 0 {
		t.Errorf("the kills never fell both before and after a step (%v): the test did not try the seam", seen)
	}
}

// TestAutoWaitsForTheTranscript: a note queued before its transcription
// stays queued until the transcript is done; a failed one and a deleted
// one leave the queue; a server that keeps failing is tried at a few
// starts and then given up.
func TestAutoWaitsForTheTranscript(t *testing.T) {
	f := &fakechat.Server{Answer: autoAnswer}
	base := fakechat.Start(t, f)
	v, ts, ids := autoVault(t, tempdir.New(t), 1)
	defer v.Close()
	c, _ := NewChat(base, "")
	r := &Runner{Vault: v, Chat: c, Model: "m"}
	waiting := v.NewNote()
	waiting.Title, waiting.TranscriptionStatus = "Waiting", persistence.StatusTranscribing
	failed := v.NewNote()
	failed.Title, failed.TranscriptionStatus = "Failed", persistence.StatusFailed
	gone := v.NewNote()
	gone.Title, gone.TranscriptionStatus, gone.Body = "Gone", persistence.StatusDone, "x\n"
	for _, n := range []*persistence.Note{waiting, failed, gone} {
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
		Mark(v, n.ID, time.Now())
	}
	if _, err := v.Trash(gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.RunPending(context.Background(), ts); err != nil {
		t.Fatal(err)
	}
	if p, _ := Pending(v); len(p) != 1 || p[0] != waiting.ID {
		t.Errorf("queued after a run: %v; want only the note still being transcribed", p)
	}
	if n, _ := v.Note(ids[0]); len(n.Transformed) != 2 {
		t.Errorf("the transcribed note: %q", n.Transformed)
	}
	// The transcript arrives; the server is down at every start.
	if _, err := v.Update(waiting.ID, func(n *persistence.Note) error {
		n.Body, n.TranscriptionStatus = "words\n", persistence.StatusDone
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	down := &fakechat.Server{Script: []int{400, 400, 400, 400, 400, 400}}
	dc, _ := NewChat(fakechat.Start(t, down), "")
	dr := &Runner{Vault: v, Chat: dc, Model: "m"}
	for start := 1; start <= maxAttempts; start++ {
		if _, err := dr.RunPending(context.Background(), ts); err == nil {
			t.Fatalf("start %d: a server that refuses reported no error", start)
		}
		p, _ := Pending(v)
		if want := start < maxAttempts; (len(p) == 1) != want {
			t.Errorf("start %d: queued %v", start, p)
		}
	}
	if _, err := os.Stat(filepath.Join(pendingDir(v), waiting.ID)); !os.IsNotExist(err) {
		t.Errorf("still queued after %d starts: %v", maxAttempts, err)
	}
}
