//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// TestDictationTypesWhereTheKeyboardWas: with the keyboard in another app
// (a terminal running cat), `voicenotes dictate` (a desktop shortcut)
// starts a dictation in the running window without taking the keyboard;
// real speech is said; `voicenotes dictate` again stops it, and its
// transcript is typed into the terminal, exactly as the note tagged
// "dictation" holds it.
func TestDictationTypesWhereTheKeyboardWas(t *testing.T) {
	clip := "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav"
	if _, err := os.Stat(clip); err != nil {
		t.Skipf("%s is missing (make setup installs pocketsphinx-testdata)", clip)
	}
	if _, err := exec.LookPath("xterm"); err != nil {
		t.Skip("xterm is not installed (make setup installs it)")
	}
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	a := d.launch(vault)
	out := filepath.Join(t.TempDir(), "typed.txt")
	term := exec.Command("xterm", "-T", "target", "-geometry", "80x10+0+0", "-e", "sh", "-c", "stty -icanon; cat > "+out)
	term.Env = append(d.env(), "LC_ALL=C.UTF-8")
	if err := term.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Process.Kill(); term.Wait() })
	var id string
	waitFor(t, "the terminal's window", 10*time.Second, func() bool {
		cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^target$")
		cmd.Env = d.env()
		o, err := cmd.Output()
		if f := strings.Fields(string(o)); err == nil && len(f) > 0 {
			id = f[0]
		}
		return id != ""
	})
	if err := d.xdotool("windowfocus", "--sync", id); err != nil {
		t.Fatal(err)
	}
	dictate := func(want string) {
		t.Helper()
		cmd := exec.Command(binary, "dictate", "--vault", vault)
		cmd.Env = d.env()
		o, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(o)) != want {
			t.Fatalf("voicenotes dictate: %q, %v; want %q", o, err, want)
		}
	}
	dictate("dictating")
	waitFor(t, "the recording", 15*time.Second, func() bool { return partial(vault) != "" })
	if err := d.pulse.Play(t, clip).Wait(); err != nil {
		t.Fatal(err)
	}
	dictate("stopped")
	a.awaitPrefix(t, "the dictation delivered", 90*time.Second, "voicenotes: dictated ")
	var n *persistence.Note
	for _, m := range notes(t, vault) {
		if slices.Contains(m.Tags, "dictation") {
			n = m
		}
	}
	if n == nil {
		t.Fatal("no note tagged dictation")
	}
	a.await(t, "the words typed", 10*time.Second, "voicenotes: dictated "+n.ID+" typed")
	want := strings.TrimSpace(n.Body)
	if len(strings.Fields(want)) < 5 {
		t.Fatalf("the dictation's transcript is %q", want)
	}
	var got string
	waitFor(t, "the words in the terminal", 10*time.Second, func() bool {
		data, _ := os.ReadFile(out)
		got = string(data)
		return got == want
	})
	t.Logf("typed into the terminal: %q", got)
}
