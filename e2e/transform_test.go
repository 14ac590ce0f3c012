//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/fakechat"
	"github.com/voicenotes/voicenotes/persistence"
)

// TestTransformInTheRealWindow: in the real window, Ctrl+Shift+T opens
// the Transform menu; Summary on a note of real speech (a LibriVox
// passage) streams in from the chat server and lands under the
// transcript; Cancel during Clean up leaves the note as it was; Ctrl+Z
// takes the summary back.
func TestTransformInTheRealWindow(t *testing.T) {
	data, err := os.ReadFile("/usr/share/pocketsphinx/test/data/librivox/transcription")
	if err != nil {
		t.Skipf("the LibriVox transcripts are missing (make setup installs pocketsphinx-testdata): %v", err)
	}
	speech := strings.ToLower(strings.Join(strings.Fields(string(data)), " "))
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	n := writeNote(t, vault, "Austen", speech+"\n")
	path := n.Path
	const summary = "Elinor and Marianne talk about what is right and what is felt."
	f := &fakechat.Server{Pieces: 12, Delay: 150 * time.Millisecond, Answer: func(req fakechat.Request) string {
		p := req.Messages[len(req.Messages)-1].Content
		switch {
		case !strings.Contains(p, speech):
			return "NOT THE NOTE"
		case strings.Contains(p, "Summarise"):
			return summary
		}
		return "A cleaned text that takes a while to arrive, word by word, slowly."
	}}
	base := fakechat.Start(t, f)
	writePrefs(t, d, map[string]any{"settingsSaved": true, "engine": "", "chatBaseURL": base, "chatModel": "llama3.2", "sampleRate": 16000, "storeAs": "wav"})
	a := d.launch(vault)
	d.click(175, 140) // the first row
	a.await(t, "the note shown", 10*time.Second, "voicenotes: shown "+n.ID)
	read := func() *persistence.Note {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := persistence.ParseNote(strings.NewReader(string(data)))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	// The menu lists Action items, Clean up, Email, Summary.
	d.key("ctrl+shift+t")
	a.await(t, "the menu", 10*time.Second, "voicenotes: transform menu shown")
	d.key("Down", "Down", "Down", "Down", "Return")
	a.await(t, "the summary asked for", 10*time.Second, "voicenotes: transform "+n.ID+" summary")
	time.Sleep(time.Second) // part of the answer in: the scenario, not a guess
	d.screenshot("transform.png")
	a.await(t, "the summary saved", 30*time.Second, "voicenotes: transformed "+n.ID+" summary")
	got := read()
	if want := speech + "\n\n## Summary\n\n" + summary + "\n"; got.Body != want || len(got.Transformed) != 1 {
		t.Fatalf("after Summary the note says %q (%q)", got.Body, got.Transformed)
	}
	// Clean up, cancelled while it streams.
	a.forget()
	d.key("ctrl+shift+t")
	a.await(t, "the menu again", 10*time.Second, "voicenotes: transform menu shown")
	d.key("Down", "Down", "Return")
	a.await(t, "the clean-up asked for", 10*time.Second, "voicenotes: transform "+n.ID+" clean-up")
	time.Sleep(500 * time.Millisecond) // part of the answer in
	d.key("Escape")
	a.await(t, "the clean-up cancelled", 10*time.Second, "voicenotes: transform cancelled "+n.ID)
	if after := read(); after.Body != got.Body {
		t.Fatalf("a cancelled clean-up changed the note: %q", after.Body)
	}
	// Undo takes the summary back.
	d.click(300, 680) // the window, not a text field
	d.key("ctrl+z")
	waitFor(t, "the summary taken back", 10*time.Second, func() bool { return read().Body == speech+"\n" })
	if back := read(); len(back.Transformed) != 0 {
		t.Errorf("after Undo the note still says it was transformed: %q", back.Transformed)
	}
}

// writePrefs writes the window's settings as it saves them itself
// (Fyne's preferences file), before it is launched.
func writePrefs(t testing.TB, d *desktop, prefs map[string]any) {
	t.Helper()
	dir := filepath.Join(d.home, ".config", "fyne", "io.github.voicenotes")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p, err := json.Marshal(prefs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "preferences.json"), p, 0o600); err != nil {
		t.Fatal(err)
	}
}
