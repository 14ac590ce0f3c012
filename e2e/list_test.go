//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// TestListOfRealNotes imports the LibriVox clips as a person would import
// voice memos (`voicenotes import`, transcribed offline), tags some from
// the command line, and opens the window on them: every note is named
// from its speech, and the list shows them with their lines and tags
// (docs/screenshots/list.png when screenshots are asked for).
func TestListOfRealNotes(t *testing.T) {
	const dir = "/usr/share/pocketsphinx/test/data/librivox"
	clips, _ := filepath.Glob(filepath.Join(dir, "*.wav"))
	if len(clips) < 3 {
		t.Skipf("the LibriVox clips are missing from %s (make setup installs pocketsphinx-testdata)", dir)
	}
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(binary, append(args, "--vault", vault)...)
		cmd.Env = d.env()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("voicenotes %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run(append([]string{"import"}, clips...)...)
	ns := notes(t, vault)
	if len(ns) != len(clips) {
		t.Fatalf("%d notes from %d clips", len(ns), len(clips))
	}
	for i, n := range ns {
		if n.TranscriptionStatus != persistence.StatusDone || strings.Contains(n.Title, "austen") || n.Title == "" {
			t.Errorf("note %s: %s, titled %q (want a title from its speech)", n.ID, n.TranscriptionStatus, n.Title)
		}
		switch i % 3 {
		case 0:
			run("edit", n.ID, "--tag", "austen", "--tag", "reading")
		case 1:
			run("edit", n.ID, "--tag", "austen")
		}
	}
	if out := run("list", "--tag", "reading"); strings.Count(out, "\n") != 1+(len(ns)+2)/3 {
		t.Errorf("list --tag reading:\n%s", out)
	}
	a := d.launch(vault)
	d.click(175, 140) // the first row
	a.await(t, "the first note shown", 10*time.Second, "voicenotes: shown "+ns[0].ID)
	d.screenshot("list.png")
	if _, err := os.Stat(filepath.Join(d.shots, "list.png")); err != nil {
		t.Error(err)
	}
}
