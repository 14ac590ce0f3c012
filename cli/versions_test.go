package cli_test

import (
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/cli"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// TestVersionsAndRestore: `voicenotes versions` lists a note's
// transcripts with what made them and which is the note's; `restore`
// brings one back exactly; a version that is not there is a clear error.
func TestVersionsAndRestore(t *testing.T) {
	root, n := seed(t)
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	for i, text := range []string{"milk and eggs", "Milk, eggs and bread."} {
		p := transcribe.Provenance{Engine: transcribe.PocketSphinxName, Model: "en-us", Language: "en"}
		if i == 1 {
			p = transcribe.Provenance{Engine: transcribe.OpenAIName, Model: "whisper-1", Server: "api.example.com", Language: "en"}
		}
		if _, err := transcribe.Take(v, n.ID, &transcribe.Result{Text: text}, p, at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	v.Close()
	code, out, errs := run(t, "", "versions", n.ID, "--vault", root)
	lines := strings.Split(out, "\n")
	if code != cli.ExitOK || len(lines) < 2 || !strings.Contains(lines[0], "pocketsphinx · en-us") || !strings.Contains(lines[1], "openai · whisper-1 · api.example.com") || !strings.Contains(lines[1], "(the note's machine text)") || strings.Contains(lines[0], "machine text") {
		t.Fatalf("versions: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, "", "restore", n.ID, "1", "--vault", root)
	if code != cli.ExitOK || !strings.Contains(out, "transcript 1 restored") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errs)
	}
	v, _ = persistence.Open(root, persistence.Options{})
	got, _ := v.Note(n.ID)
	v.Close()
	if got.Body != "milk and eggs\n" || got.Engine != transcribe.PocketSphinxName {
		t.Errorf("restored %q by %s", got.Body, got.Engine)
	}
	if code, _, errs := run(t, "", "restore", n.ID, "7", "--vault", root); code != cli.ExitError || !strings.Contains(errs, "1 to 2") {
		t.Errorf("restore 7: exit %d, %s", code, errs)
	}
	if code, _, errs := run(t, "", "restore", n.ID, "last", "--vault", root); code != cli.ExitUsage || !strings.Contains(errs, "number") {
		t.Errorf("restore last: exit %d, %s", code, errs)
	}
}
