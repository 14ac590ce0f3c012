//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// TestTabLeavesTheTranscript: in the real window, Tab in the transcript
// moves on to the next control instead of typing a tab, and what is typed
// next does not land in the note (seen before: a saved note holding
// "EDIT ^I^IQ").
func TestTabLeavesTheTranscript(t *testing.T) {
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	rec := filepath.Join(vault, persistence.RecordingsDir)
	n := writeNote(t, vault, "Keys", "spoken words")
	a := d.launch(vault)
	d.click(175, 140) // the first row
	a.await(t, "the note shown", 10*time.Second, "voicenotes: shown "+n.ID)
	d.click(700, 330) // into the transcript
	d.key("ctrl+End", "Z")
	a.awaitPrefix(t, "the typed Z", 10*time.Second, "voicenotes: edited "+n.ID+" 13")
	d.key("Tab", "Q", "Tab", "shift+Tab", "shift+Tab")
	d.click(700, 330)
	d.key("ctrl+End", "Y")
	a.awaitPrefix(t, "the typed Y", 10*time.Second, "voicenotes: edited "+n.ID+" 14")
	var body string
	waitFor(t, "the note saved", 10*time.Second, func() bool {
		got, err := persistence.ParseNote(strings.NewReader(readFile(t, filepath.Join(rec, n.ID+".md"))))
		if err == nil {
			body = got.Body
		}
		return strings.Contains(body, "Y")
	})
	if body != "spoken wordsZY" {
		t.Errorf("after Tab, Q, Shift+Tab in the transcript the note says %q, want %q", body, "spoken wordsZY")
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(data)
}

// TestRefusedTagStaysOnScreen: a tag the window refuses says why in the
// status bar, and routine status (the edit typed next, saved) does not
// replace the reason while the person reads it: it waits, and is shown
// once the reason has been up for its time.
func TestRefusedTagStaysOnScreen(t *testing.T) {
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	n := writeNote(t, vault, "Tags", "spoken words")
	a := d.launch(vault)
	d.click(175, 140) // the first row
	a.await(t, "the note shown", 10*time.Second, "voicenotes: shown "+n.ID)
	from := a.lineCount()
	d.key("ctrl+t", "1", "2", "Return")
	a.awaitLine(t, "the refusal", from, 10*time.Second, regexp.MustCompile(`^voicenotes: told "tag \\"12\\" is only digits`))
	told := time.Now()
	d.click(700, 330) // into the transcript
	d.key("ctrl+End", "Z")
	a.awaitLine(t, "the save's status held back", from, 10*time.Second, regexp.MustCompile(`^voicenotes: status "Saved" waits$`))
	// The person reads the reason for two seconds: the scenario, not a
	// guess at how long something takes.
	time.Sleep(time.Until(told.Add(2 * time.Second)))
	shown := regexp.MustCompile(`^voicenotes: status "[^"]*"$`)
	for _, l := range a.linesFrom(from) {
		if shown.MatchString(l) {
			t.Fatalf("2 s after the refusal, the status bar showed %s over it", l)
		}
	}
	a.awaitLine(t, "the held status shown after the reason's time", from, 15*time.Second, regexp.MustCompile(`^voicenotes: status "Saved"$`))
	if d := time.Since(told); d < 5*time.Second {
		t.Errorf("the refusal gave way after %v", d.Round(time.Millisecond))
	}
}
