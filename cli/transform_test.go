package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicenotes/voicenotes/cli"
	"github.com/voicenotes/voicenotes/internal/fakechat"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/settings"
	"github.com/voicenotes/voicenotes/transcribe"
	"github.com/voicenotes/voicenotes/transform"
)

// TestTransformCommand: `voicenotes transform` runs a transformation
// against the chat server in Settings (or --base-url) with the key from
// $VOICENOTES_API_KEY, saves its section, keeps the text before, and a
// dry run prints the result and changes nothing. `transformations`
// lists them by name.
func TestTransformCommand(t *testing.T) {
	root, n := seed(t)
	f := &fakechat.Server{Key: "sk-cli-test", Answer: func(req fakechat.Request) string {
		if !strings.Contains(req.Messages[len(req.Messages)-1].Content, "milk\neggs") {
			return "NOT THE NOTE"
		}
		return "Buy milk and eggs."
	}}
	base := fakechat.Start(t, f)
	t.Setenv(transcribe.APIKeyEnv, "sk-cli-test")
	runWith := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := cli.Main(args, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
			Settings: func() settings.Settings {
				s := settings.Defaults()
				s.ChatBaseURL, s.ChatModel = base, "llama3.2"
				return s
			}})
		return code, out.String(), errb.String()
	}
	code, out, errs := runWith("transformations", "--vault", root)
	for _, name := range []string{"clean-up", "summary", "action-items", "email"} {
		if !strings.Contains(out, name) {
			t.Errorf("transformations (exit %d) does not list %s:\n%s%s", code, name, out, errs)
		}
	}
	before, _ := os.ReadFile(n.Path)
	code, out, errs = runWith("transform", n.ID, "summary", "--dry-run", "--vault", root)
	if code != 0 || strings.TrimSpace(out) != "Buy milk and eggs." {
		t.Fatalf("dry run: exit %d, %q, %s", code, out, errs)
	}
	if after, _ := os.ReadFile(n.Path); string(after) != string(before) {
		t.Error("a dry run changed the note")
	}
	code, out, errs = runWith("transform", n.ID, "summary", "--vault", root)
	if code != 0 || !strings.Contains(out, "saved "+n.ID) {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	got, _ := v.Note(n.ID)
	if got.Body != "milk\neggs\n\n## Summary\n\nBuy milk and eggs.\n" || len(got.Transformed) != 1 || !strings.Contains(got.Transformed[0], "llama3.2") {
		t.Errorf("note %q, transformed %q", got.Body, got.Transformed)
	}
	if reqs := f.Requests(); len(reqs) != 2 || reqs[1].Model != "llama3.2" {
		t.Errorf("requests %+v", reqs)
	}
	kept, _ := filepath.Glob(filepath.Join(root, persistence.StateDir, "history", n.ID, "*-summary.md"))
	if len(kept) != 1 {
		t.Errorf("kept %v", kept)
	}
	// Errors are clear, exit 1 or 2, and change nothing.
	if code, _, errs := runWith("transform", n.ID, "no-such", "--vault", root); code != cli.ExitUsage || !strings.Contains(errs, "summary") {
		t.Errorf("unknown transformation: exit %d, %s", code, errs)
	}
	if code, _, errs := runWith("transform", n.ID, "summary", "--base-url", "http://chat.example.com/v1", "--vault", root); code != cli.ExitError || !strings.Contains(errs, "unencrypted") {
		t.Errorf("plain http elsewhere: exit %d, %s", code, errs)
	}
	t.Setenv(transcribe.APIKeyEnv, "sk-wrong-key-abcdef")
	if code, _, errs := runWith("transform", n.ID, "summary", "--vault", root); code != cli.ExitError || strings.Contains(errs, "sk-wrong-key-abcdef") || !strings.Contains(errs, "401") {
		t.Errorf("wrong key: exit %d, %s", code, errs)
	}
	// No chat server in Settings and none given: what to do, not a crash.
	code, _, errs = run(t, "", "transform", n.ID, "summary", "--vault", root)
	if code != cli.ExitError || !strings.Contains(errs, "base URL") {
		t.Errorf("no server: exit %d, %s", code, errs)
	}
}

// TestImportRunsAutoTransformations: with Clean up set to run after each
// transcription and a chat server in Settings, `voicenotes import`
// transcribes the recording and cleans it, and the queue is empty after.
func TestImportRunsAutoTransformations(t *testing.T) {
	if transcribe.DefaultEngine() == "" {
		t.Skip("no offline engine in this build: make unit builds with -tags pocketsphinx")
	}
	clip := "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav"
	if _, err := os.Stat(clip); err != nil {
		t.Skipf("%s is missing (make setup installs pocketsphinx-testdata)", clip)
	}
	root := tempdir.New(t)
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts, _, err := transform.Load(v)
	if err != nil {
		t.Fatal(err)
	}
	clean, _ := transform.Find(ts, "clean-up")
	clean.Auto = true
	if err := transform.Save(v, clean); err != nil {
		t.Fatal(err)
	}
	v.Close()
	var transcript string
	f := &fakechat.Server{Answer: func(req fakechat.Request) string {
		p := req.Messages[len(req.Messages)-1].Content
		transcript = p[strings.LastIndex(p, "Transcript:\n\n")+len("Transcript:\n\n"):]
		return "Cleaned: " + transcript
	}}
	base := fakechat.Start(t, f)
	var out, errb bytes.Buffer
	code := cli.Main([]string{"import", clip, "--vault", root}, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Settings: func() settings.Settings {
			s := settings.Defaults()
			s.ChatBaseURL, s.ChatModel = base, "llama3.2"
			return s
		}})
	if code != 0 || !strings.Contains(out.String(), "transformed: clean-up") {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errb.String())
	}
	if len(strings.Fields(transcript)) < 5 {
		t.Errorf("the model was given %q, not the transcript", transcript)
	}
	v, err = persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	notes, _, _ := v.List()
	if len(notes) != 1 || !strings.HasPrefix(notes[0].Body, "Cleaned: ") || len(notes[0].Transformed) != 1 {
		t.Errorf("notes %d, body %q", len(notes), notes[0].Body)
	}
	if p, _ := transform.Pending(v); len(p) != 0 {
		t.Errorf("still queued: %v", p)
	}
}
