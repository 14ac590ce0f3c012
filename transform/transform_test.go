package transform

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/fakechat"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

func openVault(t testing.TB) *persistence.Vault {
	t.Helper()
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// machineNote saves a note whose body is an engine's transcript.
func machineNote(t testing.TB, v *persistence.Vault, body string) *persistence.Note {
	t.Helper()
	n := v.NewNote()
	n.Title, n.Body, n.TranscriptionStatus, n.Engine = "Walk", body, persistence.StatusDone, "pocketsphinx"
	n.TranscriptHash = transcribe.Hash(n.Body)
	n.Tags = []string{"ideas"}
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	return n
}

func shippedOne(t testing.TB, name string) *Transformation {
	t.Helper()
	for _, s := range shipped {
		if s.Name == name {
			c := *s
			return &c
		}
	}
	t.Fatalf("no shipped transformation %s", name)
	return nil
}

func TestStreamedAnswer(t *testing.T) {
	f := &fakechat.Server{Key: "sk-test", Answer: func(fakechat.Request) string { return "Hello, world. This is clean." }, Pieces: 5}
	c, _ := newFakeChat(t, f)
	var seen []string
	temp := 0.2
	got, err := c.Complete(context.Background(), Request{Model: "gpt-4o-mini", Temperature: &temp, Messages: []Message{{Role: "system", Content: "be brief"}, {Role: "user", Content: "hello world this is clean"}}},
		func(s string) { seen = append(seen, s) })
	if err != nil {
		t.Fatal(err)
	}
	if got != "Hello, world. This is clean." {
		t.Errorf("answer %q", got)
	}
	if len(seen) != 5 || seen[len(seen)-1] != got || !strings.HasPrefix(got, seen[0]) {
		t.Errorf("progress %q: want the answer growing in 5 steps", seen)
	}
	req := f.Requests()[0]
	if !req.Stream || req.Model != "gpt-4o-mini" || req.Temperature == nil || *req.Temperature != 0.2 || len(req.Messages) != 2 || req.Messages[0].Role != "system" {
		t.Errorf("request %+v", req)
	}
}

func TestServerThatDoesNotStream(t *testing.T) {
	f := &fakechat.Server{Answer: func(fakechat.Request) string { return "whole" }, NoStream: true}
	c, _ := newFakeChat(t, f)
	got, err := c.Complete(context.Background(), Request{Model: "m", Messages: []Message{{Role: "user", Content: "x"}}}, nil)
	if err != nil || got != "whole" {
		t.Fatalf("%q, %v", got, err)
	}
}

// TestIncompleteAnswersAreErrors: a stream cut mid-way, a stall, the
// model's length limit and an error in the stream each end in an error
// wrapping ErrIncomplete, and the note is left exactly as it was, its
// transcript and its history untouched.
func TestIncompleteAnswersAreErrors(t *testing.T) {
	for name, f := range map[string]*fakechat.Server{
		"cut":    {CutAfter: 2},
		"stall":  {StallAfter: 1},
		"length": {Finish: "length"},
		"error":  {ErrorAfter: 1, Key: "sk-secret-123456"},
	} {
		t.Run(name, func(t *testing.T) {
			f.Answer = func(fakechat.Request) string { return "A cleaned text that is long enough to come in pieces." }
			c, _ := newFakeChat(t, f)
			c.Stall = 300 * time.Millisecond
			v := openVault(t)
			n := machineNote(t, v, "um so a raw text\n")
			before, _ := os.ReadFile(n.Path)
			r := &Runner{Vault: v, Chat: c, Model: "m"}
			start := time.Now()
			_, err := r.Run(context.Background(), n.ID, []*Transformation{shippedOne(t, "clean-up")}, "", false, nil)
			if !errors.Is(err, ErrIncomplete) {
				t.Fatalf("error %v; want ErrIncomplete", err)
			}
			if f.Key != "" && strings.Contains(err.Error(), f.Key) {
				t.Errorf("the key is in the error: %v", err)
			}
			if took := time.Since(start); name == "stall" && took > 10*time.Second {
				t.Errorf("a stalled answer took %v to end (stall limit 300 ms)", took)
			}
			after, _ := os.ReadFile(n.Path)
			if string(after) != string(before) {
				t.Errorf("the note changed:\n%s", after)
			}
			if h, _ := History(v, n.ID); len(h) > 1 {
				t.Errorf("history %v", h)
			}
			t.Logf("%s: %v", name, err)
		})
	}
}

// TestKeyNeverShown: a server that quotes the key back in its 401 (as
// OpenAI does) never gets it into the error.
func TestKeyNeverShown(t *testing.T) {
	f := &fakechat.Server{Key: "sk-right"}
	base := fakechat.Start(t, f)
	c, err := NewChat(base, "sk-wrong-but-secret-9876")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Complete(context.Background(), Request{Model: "m", Messages: []Message{{Role: "user", Content: "x"}}}, nil)
	var api *APIError
	if !errors.As(err, &api) || api.Status != 401 {
		t.Fatalf("error %v; want a 401", err)
	}
	if strings.Contains(err.Error(), "sk-wrong-but-secret-9876") || !strings.Contains(err.Error(), "check it") {
		t.Errorf("error %q", err)
	}
	if _, err := c.Models(context.Background()); err == nil || strings.Contains(err.Error(), "sk-wrong-but-secret-9876") {
		t.Errorf("models: %v", err)
	}
	if len(f.Requests()) != 0 {
		t.Errorf("a refused key was retried")
	}
}

// newFakeChat starts f and a client of it.
func newFakeChat(t *testing.T, f *fakechat.Server) (*Chat, string) {
	t.Helper()
	base := fakechat.Start(t, f)
	c, err := NewChat(base, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	c.MaxBackoff = 2 * time.Second
	return c, base
}

// TestBusyServerIsRetried: 429 waits what Retry-After says, 5xx backs
// off, and a server that stays busy is given up on after MaxAttempts.
func TestBusyServerIsRetried(t *testing.T) {
	f := &fakechat.Server{Script: []int{429, 503}, RetryAfter: "1", Answer: func(fakechat.Request) string { return "fine" }}
	c, _ := newFakeChat(t, f)
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	got, err := c.Complete(context.Background(), Request{Model: "m", Messages: []Message{{Role: "user", Content: "x"}}}, nil)
	if err != nil || got != "fine" {
		t.Fatalf("%q, %v", got, err)
	}
	if len(waits) != 2 || waits[0] != time.Second {
		t.Errorf("waits %v; want Retry-After's 1 s, then a backoff", waits)
	}
	busy := &fakechat.Server{Script: []int{500, 502, 503, 504, 500, 500}}
	c, _ = newFakeChat(t, busy)
	c.sleep = func(context.Context, time.Duration) error { return nil }
	if _, err := c.Complete(context.Background(), Request{Model: "m", Messages: []Message{{Role: "user", Content: "x"}}}, nil); err == nil {
		t.Fatal("a server busy every time gave an answer")
	}
	if len(busy.Requests()) != c.MaxAttempts {
		t.Errorf("%d requests; want %d", len(busy.Requests()), c.MaxAttempts)
	}
	long := &fakechat.Server{Script: []int{429}, RetryAfter: "3600"}
	c, _ = newFakeChat(t, long)
	if _, err := c.Complete(context.Background(), Request{Model: "m", Messages: []Message{{Role: "user", Content: "x"}}}, nil); err == nil || !strings.Contains(err.Error(), "wait") {
		t.Errorf("Retry-After of an hour: %v", err)
	}
}

// TestReplaceKeepsTheOriginal: clean-up replaces the transcript; the text
// before is kept in the note's history, whole; the note says what made
// its text; a transcript hash follows machine text.
func TestReplaceKeepsTheOriginal(t *testing.T) {
	f := &fakechat.Server{Answer: func(fakechat.Request) string { return "So, a raw text." }}
	c, base := newFakeChat(t, f)
	v := openVault(t)
	n := machineNote(t, v, "um so a raw text\n")
	r := &Runner{Vault: v, Chat: c, Model: "llama3.2", Now: func() time.Time { return time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC) }}
	steps, err := r.Run(context.Background(), n.ID, []*Transformation{shippedOne(t, "clean-up")}, "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := v.Note(n.ID)
	if got.Body != "So, a raw text.\n" {
		t.Errorf("body %q", got.Body)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/v1")
	if want := []string{"clean-up · llama3.2 · " + host + " · 2026-12-05T03:00:00.000Z"}; !slices.Equal(got.Transformed, want) {
		t.Errorf("transformed %q, want %q", got.Transformed, want)
	}
	if got.TranscriptHash != transcribe.Hash(got.Body) {
		t.Error("the cleaned machine text counts as edited by the person")
	}
	kept, err := os.ReadFile(steps[0].Kept)
	if err != nil || !strings.HasSuffix(string(kept), "\n---\num so a raw text\n") {
		t.Errorf("the original transcript kept: %q, %v", kept, err)
	}
	if st, _ := os.Stat(steps[0].Kept); runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 { // Windows keeps access in ACLs
		t.Errorf("history file mode %v", st.Mode().Perm())
	}
	if h, _ := History(v, n.ID); len(h) != 1 || h[0] != steps[0].Kept {
		t.Errorf("history %v", h)
	}
}

// TestSectionOnce: a summary goes under its heading; the same
// transformation again replaces its section (never a second one) and
// summarises the transcript, not its own earlier summary.
func TestSectionOnce(t *testing.T) {
	runs := 0
	f := &fakechat.Server{Answer: func(req fakechat.Request) string {
		runs++
		if strings.Contains(req.Messages[len(req.Messages)-1].Content, "## Summary") {
			return "SAW ITS OWN SUMMARY"
		}
		return strings.Repeat("Short summary. ", runs)
	}}
	c, _ := newFakeChat(t, f)
	v := openVault(t)
	n := machineNote(t, v, "the transcript\n\n## Notes\n\nmine\n")
	r := &Runner{Vault: v, Chat: c, Model: "m"}
	sum := shippedOne(t, "summary")
	for range 2 {
		if _, err := r.Run(context.Background(), n.ID, []*Transformation{sum}, "", false, nil); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := v.Note(n.ID)
	want := "the transcript\n\n## Notes\n\nmine\n\n## Summary\n\nShort summary. Short summary.\n"
	if got.Body != want {
		t.Errorf("body\n%q\nwant\n%q", got.Body, want)
	}
	if len(got.Transformed) != 1 || !strings.HasPrefix(got.Transformed[0], "summary · ") {
		t.Errorf("transformed %q", got.Transformed)
	}
}

// TestNewNoteAndChain: a chain (clean-up then email) cleans the note and
// writes the email, made from the cleaned text, as a new note linked to
// it.
func TestNewNoteAndChain(t *testing.T) {
	f := &fakechat.Server{Answer: func(req fakechat.Request) string {
		p := req.Messages[len(req.Messages)-1].Content
		if strings.Contains(p, "Write an email") {
			if !strings.Contains(p, "Cleaned.") {
				return "EMAIL FROM THE RAW TEXT"
			}
			return "Subject: Walk\n\nHi,\n\nCleaned."
		}
		return "Cleaned."
	}}
	c, _ := newFakeChat(t, f)
	v := openVault(t)
	n := machineNote(t, v, "uh cleaned\n")
	clean := shippedOne(t, "clean-up")
	clean.Then = "email"
	ts := []*Transformation{clean, shippedOne(t, "email")}
	chain, err := Chain(ts, clean)
	if err != nil || len(chain) != 2 {
		t.Fatalf("chain %v, %v", chain, err)
	}
	steps, err := (&Runner{Vault: v, Chat: c, Model: "m"}).Run(context.Background(), n.ID, chain, "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	email := steps[1].New
	if email == nil {
		t.Fatal("no note made")
	}
	got, err := v.Note(email.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Email: Walk" || !strings.HasPrefix(got.Body, "Subject: Walk\n\nHi,\n\nCleaned.") || !strings.Contains(got.Body, "[["+n.ID+"]]") {
		t.Errorf("email note %q: %q", got.Title, got.Body)
	}
	if src, _ := v.Note(n.ID); src.Body != "Cleaned.\n" {
		t.Errorf("source %q", src.Body)
	}
	clean.Then = "summary-of-nothing"
	if _, err := Chain(ts, clean); err == nil {
		t.Error("a chain to a missing transformation")
	}
	clean.Then = "email"
	ts[1].Then = "clean-up"
	if _, err := Chain(ts, clean); err == nil || !strings.Contains(err.Error(), "loop") {
		t.Errorf("a loop: %v", err)
	}
}

// TestTypingWinsOverATransformation: the person types into the note while
// its clean-up streams in. Their text is kept; the result is not put in,
// and is kept apart, named in the error.
func TestTypingWinsOverATransformation(t *testing.T) {
	v := openVault(t)
	n := machineNote(t, v, "raw words\n")
	f := &fakechat.Server{Answer: func(fakechat.Request) string { return "Raw words, cleaned." }}
	f.AfterFirst = func() {
		if _, err := v.Update(n.ID, func(m *persistence.Note) error { m.Body = "raw words and what I typed\n"; return nil }); err != nil {
			t.Error(err)
		}
	}
	c, _ := newFakeChat(t, f)
	_, err := (&Runner{Vault: v, Chat: c, Model: "m"}).Run(context.Background(), n.ID, []*Transformation{shippedOne(t, "clean-up")}, "", false, nil)
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("error %v; want ErrChanged", err)
	}
	got, _ := v.Note(n.ID)
	if got.Body != "raw words and what I typed\n" || len(got.Transformed) != 0 {
		t.Errorf("note %q %q", got.Body, got.Transformed)
	}
	h, _ := History(v, n.ID)
	var results int
	for _, p := range h {
		data, _ := os.ReadFile(p)
		if strings.HasSuffix(string(data), "\n---\nRaw words, cleaned.") {
			results++
			if !strings.Contains(err.Error(), p) {
				t.Errorf("the error does not say where the result is: %v", err)
			}
		}
	}
	if results != 1 {
		t.Errorf("the result is not kept apart: history %v", h)
	}
}

// TestPlaceholdersTakeTextAsItIs: a transcript holding placeholders,
// frontmatter fences, backticks, YAML-looking lines and 1 MB of text
// reaches the model exactly as written, once, and the note that holds
// the echoed result is still a valid note that reads back the same.
func TestPlaceholdersTakeTextAsItIs(t *testing.T) {
	tricky := "{{title}} and {{transcript}}\n---\ntitle: not a key\n```go\nfunc() {}\n```\n- [ ] x: y\n" + strings.Repeat("word ", 200_000)
	var prompt string
	f := &fakechat.Server{Answer: func(req fakechat.Request) string {
		prompt = req.Messages[len(req.Messages)-1].Content
		return tricky
	}, Pieces: 50}
	c, _ := newFakeChat(t, f)
	v := openVault(t)
	n := machineNote(t, v, tricky+"\n")
	if _, err := (&Runner{Vault: v, Chat: c, Model: "m"}).Run(context.Background(), n.ID, []*Transformation{shippedOne(t, "clean-up")}, "", false, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Count(prompt, strings.TrimSpace(tricky)) != 1 || strings.Contains(prompt, "Walk and") {
		t.Errorf("the prompt does not hold the transcript once as written (%d bytes)", len(prompt))
	}
	got, err := v.Note(n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Body != strings.TrimSpace(tricky)+"\n" || got.Title != "Walk" {
		t.Errorf("the note read back differs (title %q, body %d bytes)", got.Title, len(got.Body))
	}
}

// TestDryRunWritesNothing.
func TestDryRunWritesNothing(t *testing.T) {
	f := &fakechat.Server{Answer: func(fakechat.Request) string { return "Cleaned." }}
	c, _ := newFakeChat(t, f)
	v := openVault(t)
	n := machineNote(t, v, "raw\n")
	before, _ := os.ReadFile(n.Path)
	steps, err := (&Runner{Vault: v, Chat: c, Model: "m"}).Run(context.Background(), n.ID, []*Transformation{shippedOne(t, "clean-up")}, "", true, nil)
	if err != nil || len(steps) != 1 || steps[0].Result != "Cleaned." {
		t.Fatalf("%+v %v", steps, err)
	}
	after, _ := os.ReadFile(n.Path)
	if string(after) != string(before) {
		t.Error("a dry run changed the note")
	}
	if _, err := os.Stat(HistoryDir(v, n.ID)); !os.IsNotExist(err) {
		t.Errorf("a dry run wrote history: %v", err)
	}
}

// TestTransformationFiles: the shipped four are written once, as files
// the person owns (deleting one is for good); a broken file is named with
// why; a file round-trips.
func TestTransformationFiles(t *testing.T) {
	v := openVault(t)
	ts, bad, err := Load(v)
	if err != nil || len(bad) != 0 || len(ts) != 4 {
		t.Fatalf("%d loaded, bad %v, %v", len(ts), bad, err)
	}
	for _, tr := range ts {
		if st, err := os.Stat(tr.Path); err != nil || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) {
			t.Errorf("%s: %v %v", tr.Path, st.Mode(), err)
		}
	}
	if err := os.Remove(filepath.Join(Dir(v), "email.md")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(Dir(v), "broken.md"), []byte("---\noutput: sideways\n---\n{{transcript}}\n"), 0o600)
	os.WriteFile(filepath.Join(Dir(v), ".tmp-123.md"), []byte("junk"), 0o600)
	ts, bad, err = Load(v)
	if err != nil || len(ts) != 3 || len(bad) != 1 || !strings.Contains(bad[0].Error(), "sideways") {
		t.Fatalf("after deleting email and adding a broken file: %d loaded, bad %v, %v", len(ts), bad, err)
	}
	sum, err := Find(ts, "Summary")
	if err != nil {
		t.Fatal(err)
	}
	data, err := sum.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("summary", data)
	if err != nil || back.Prompt != sum.Prompt || back.Output != Section || back.HeadingText() != "Summary" || *back.Temperature != *sum.Temperature || back.System != sum.System {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	if _, err := Parse("x", []byte("---\nname: X\n---\nSay hello.\n")); err == nil {
		t.Error("a prompt that never gives the model the note was accepted")
	}
}

// TestHTTPRefusedButToThisComputer: notes go unencrypted only to this
// computer.
func TestHTTPRefusedButToThisComputer(t *testing.T) {
	if _, err := NewChat("http://chat.example.com/v1", ""); err == nil {
		t.Error("plain http to another computer accepted")
	}
	for _, ok := range []string{"http://127.0.0.1:11434/v1", "http://localhost:8080/v1", "https://api.openai.com/v1"} {
		if _, err := NewChat(ok, ""); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// TestUndo: each output taken back puts the note as it was (text, hash,
// provenance); a made note goes to the trash; a note typed into since is
// left alone, with where its text before is.
func TestUndo(t *testing.T) {
	f := &fakechat.Server{Answer: func(req fakechat.Request) string { return "Result." }}
	c, _ := newFakeChat(t, f)
	v := openVault(t)
	r := &Runner{Vault: v, Chat: c, Model: "m"}
	for _, name := range []string{"clean-up", "summary", "email"} {
		n := machineNote(t, v, "raw text\n")
		before, _ := v.Note(n.ID)
		steps, err := r.Run(context.Background(), n.ID, []*Transformation{shippedOne(t, name)}, "", false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Undo(steps[0]); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, _ := v.Note(n.ID)
		if got.Body != before.Body || got.TranscriptHash != before.TranscriptHash || len(got.Transformed) != 0 {
			t.Errorf("%s undone: body %q hash %v transformed %q", name, got.Body, got.TranscriptHash == before.TranscriptHash, got.Transformed)
		}
		if steps[0].New != nil {
			if _, err := v.Note(steps[0].New.ID); err == nil {
				t.Errorf("%s: the made note is still there", name)
			}
		}
	}
	n := machineNote(t, v, "raw text\n")
	steps, err := r.Run(context.Background(), n.ID, []*Transformation{shippedOne(t, "clean-up")}, "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Update(n.ID, func(m *persistence.Note) error { m.Body += "typed after\n"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Undo(steps[0]); !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), steps[0].Kept) {
		t.Errorf("undo after typing: %v", err)
	}
	if got, _ := v.Note(n.ID); got.Body != "Result.\ntyped after\n" {
		t.Errorf("undo after typing changed the note: %q", got.Body)
	}
}
