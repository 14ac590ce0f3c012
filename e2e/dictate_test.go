//go:build e2e

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// TestDictationTypesWhereTheKeyboardWas: with the keyboard in another app
// (a terminal running cat), `voicenotes dictate` (a desktop shortcut)
// starts a dictation in the running window without taking the keyboard;
// real speech is said; `voicenotes dictate` again stops it, and its
// transcript is typed into the terminal, exactly as the note tagged
// "dictation" holds it. Then again with the window's own shortcut for
// every app (Ctrl+Alt+Space), pressed with xdotool while the terminal has
// the keyboard. (That half failed 3 runs in 5 until the window stopped
// taking Esc on its own thread: an X grab made there while the shortcut's
// listener waited on its connection could hang.)
func TestDictationTypesWhereTheKeyboardWas(t *testing.T) {
	clip := dictationTools(t)
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	a := d.launch(vault)
	a.await(t, "the shortcut grabbed", 20*time.Second, "voicenotes: dictation shortcut Ctrl+Alt+Space ready")
	out := focusedTerminal(t, d)
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

	// Again with the window's own shortcut for every app (Ctrl+Alt+Space),
	// pressed while the terminal has the keyboard.
	a.forget()
	d.key("ctrl+alt+space")
	a.await(t, "the shortcut heard", 10*time.Second, "voicenotes: dictation shortcut pressed")
	a.awaitPrefix(t, "the dictation started by the shortcut", 10*time.Second, "voicenotes: dictating into \"target\"")
	waitFor(t, "the recording", 15*time.Second, func() bool { return partial(vault) != "" })
	if err := d.pulse.Play(t, clip).Wait(); err != nil {
		t.Fatal(err)
	}
	d.key("ctrl+alt+space")
	a.awaitPrefix(t, "the second dictation typed", 90*time.Second, "voicenotes: dictated ")
	waitFor(t, "both dictations in the terminal", 10*time.Second, func() bool {
		data, _ := os.ReadFile(out)
		got = string(data)
		return strings.HasPrefix(got, want) && len(strings.Fields(got)) > len(strings.Fields(want))
	})
}

// focusedTerminal starts a terminal titled "target" that writes what is
// typed into it to a file, gives it the keyboard, and returns the file.
func focusedTerminal(t testing.TB, d *desktop) string {
	t.Helper()
	out, id := terminal(t, d, "target")
	d.focus(t, id)
	return out
}

// terminal starts a terminal titled title that writes what is typed into
// it to a file, and returns the file and the terminal's window. Ctrl+
// Shift+V pastes the clipboard into it.
func terminal(t testing.TB, d *desktop, title string) (string, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "typed.txt")
	// What is selected in it goes to the clipboard, as in most apps.
	term := exec.Command("xterm", "-T", title, "-geometry", "80x10+0+0",
		"-xrm", "XTerm*VT100.translations: #override Ctrl Shift <Key>V: insert-selection(CLIPBOARD)",
		"-xrm", "XTerm*selectToClipboard: true",
		"-e", "sh", "-c", "stty -icanon; cat > "+out)
	term.Env = append(d.env(), "LC_ALL=C.UTF-8")
	var said strings.Builder // what xterm says, if it never shows
	term.Stdout, term.Stderr = &said, &said
	if err := term.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- term.Wait() }()
	t.Cleanup(func() {
		term.Process.Kill()
		<-exited
	})
	// A wait for xterm to start, not a measure of it: a loaded run's
	// gave up after 10 s once.
	var id string
	for deadline := time.Now().Add(30 * time.Second); id == ""; time.Sleep(100 * time.Millisecond) {
		cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^"+title+"$")
		cmd.Env = d.env()
		o, err := cmd.Output()
		if f := strings.Fields(string(o)); err == nil && len(f) > 0 {
			id = f[0]
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("xterm ended before its window showed (%v); it said:\n%s", err, said.String())
		default:
		}
		if id == "" && time.Now().After(deadline) {
			term.Process.Kill()
			err := <-exited
			exited <- err
			t.Fatalf("xterm's window did not show in 30 s; xterm said:\n%s", said.String())
		}
	}
	return out, id
}

// focus gives the window id the keyboard.
func (d *desktop) focus(t testing.TB, id string) {
	t.Helper()
	if err := d.xdotool("windowfocus", "--sync", id); err != nil {
		t.Fatal(err)
	}
}

// TestDictationWhenTheKeyboardMoves: a dictation started (Ctrl+Alt+Space)
// while one terminal has the keyboard and stopped after the person moved
// the keyboard to another is typed into neither: its text is on the
// clipboard (pasted into the second terminal with Ctrl+Shift+V, it is the
// note's text), the window says why, and the note is kept.
func TestDictationWhenTheKeyboardMoves(t *testing.T) {
	clip := dictationTools(t)
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	a := d.launch(vault)
	a.await(t, "the shortcut grabbed", 20*time.Second, "voicenotes: dictation shortcut Ctrl+Alt+Space ready")
	first := focusedTerminal(t, d)
	second, other := terminal(t, d, "other")
	// The person goes on in another app while speaking: the keyboard is
	// moved before the dictation stops.
	_, want := dictateWithShortcut(t, d, a, vault, clip, "copied", func() { d.focus(t, other) })
	a.await(t, "why they were not typed", 5*time.Second, `voicenotes: told "Dictation copied, not typed: the window that had the keyboard no longer has it"`)
	for _, f := range []string{first, second} {
		if data, _ := os.ReadFile(f); len(data) > 0 {
			t.Errorf("%s got %q typed into it; the keyboard had moved", f, data)
		}
	}
	d.key("ctrl+shift+v")
	var got string
	waitFor(t, "the clipboard pasted", 10*time.Second, func() bool {
		data, _ := os.ReadFile(second)
		got = string(data)
		return got == want
	})
}

// TestDictateWithoutTheWindow: with no window running and the keyboard
// in a terminal, voicenotes dictate --duration --paste records real
// speech, prints its words, types them into the terminal, and keeps the
// dictation as a note tagged "dictation" with the same words.
func TestDictateWithoutTheWindow(t *testing.T) {
	clip := dictationTools(t)
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	out := focusedTerminal(t, d)
	cmd := exec.Command(binary, "dictate", "--duration", "8s", "--paste", "--vault", vault)
	cmd.Env = d.env()
	var stdout strings.Builder
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var said strings.Builder
	saidSoFar := func() string { mu.Lock(); defer mu.Unlock(); return said.String() }
	live, read := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			mu.Lock()
			said.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if sc.Text() == "the microphone is live" && !once {
				once = true
				close(live)
			}
		}
	}()
	select {
	case <-live:
	case <-time.After(20 * time.Second):
		t.Fatalf("the microphone never went live: %s", saidSoFar())
	}
	if err := d.pulse.Play(t, clip).Wait(); err != nil {
		t.Fatal(err)
	}
	<-read // all it said, before Wait closes the pipe
	if err := cmd.Wait(); err != nil {
		t.Fatalf("voicenotes dictate: %v\n%s", err, saidSoFar())
	}
	words := strings.TrimSpace(stdout.String())
	if len(strings.Fields(words)) < 5 {
		t.Fatalf("printed %q\n%s", words, said.String())
	}
	var n *persistence.Note
	for _, m := range notes(t, vault) {
		if slices.Contains(m.Tags, "dictation") {
			n = m
		}
	}
	if n == nil || strings.TrimSpace(n.Body) != words {
		t.Fatalf("the note tagged dictation: %+v; printed %q", n, words)
	}
	var got string
	waitFor(t, "the words in the terminal", 10*time.Second, func() bool {
		data, _ := os.ReadFile(out)
		got = string(data)
		return got == words
	})
	if !strings.Contains(said.String(), "typed into \"target\"") {
		t.Errorf("it did not say where it typed:\n%s", said.String())
	}
	t.Logf("printed and typed: %q", got)
}

// dictationTools is the speech a dictation test says, after checking
// that it and the terminal it types into are installed.
func dictationTools(t testing.TB) string {
	t.Helper()
	clip := "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav"
	if _, err := os.Stat(clip); err != nil {
		t.Skipf("%s is missing (make setup installs pocketsphinx-testdata)", clip)
	}
	if _, err := exec.LookPath("xterm"); err != nil {
		t.Skip("xterm is not installed (make setup installs it)")
	}
	return clip
}

// TestPushToTalkSpansTheHold: with push-to-talk chosen, holding the
// dictation shortcut (pressed with xdotool while a terminal has the
// keyboard) records from the press to the release: the timing signal
// played into the virtual microphone says when the recording's first and
// last samples sounded, and each is within 150 ms of the key's press and
// release. A recording that ends early loses the last word said before
// the release; one that starts late loses the first.
func TestPushToTalkSpansTheHold(t *testing.T) {
	if _, err := exec.LookPath("xterm"); err != nil {
		t.Skip("xterm is not installed (make setup installs it)")
	}
	d := startDesktop(t)
	clk, delay := startClock(t, d.pulse)
	vault := filepath.Join(t.TempDir(), "vault")
	// Push-to-talk on the default shortcut, no engine: the test is of
	// the recording's span, and a transcript would only add time.
	writePrefs(t, d, map[string]any{"settingsSaved": true, "engine": "", "sampleRate": 16000, "storeAs": "wav",
		"dictationKey": "Ctrl+Alt+Space", "dictationHold": true})
	a := d.launch(vault)
	a.await(t, "the shortcut grabbed", 20*time.Second, "voicenotes: dictation shortcut Ctrl+Alt+Space ready")
	focusedTerminal(t, d)
	for round := range 2 { // the first dictation after launch, and a later one
		a.forget()
		before := map[string]bool{}
		for _, n := range notes(t, vault) {
			before[n.ID] = true
		}
		// The moment of a key is taken as the end of the xdotool run that
		// sends it: most of the run is starting xdotool and connecting to
		// the X server, and the key goes out just before it exits. The
		// run's length, which bounds the error, is logged.
		at := func(args ...string) (time.Time, time.Duration) {
			start := time.Now()
			if err := d.xdotool(args...); err != nil {
				t.Fatalf("xdotool %v: %v", args, err)
			}
			return time.Now(), time.Since(start)
		}
		press, pressTook := at("keydown", "ctrl+alt+space")
		a.await(t, "the shortcut heard", 10*time.Second, "voicenotes: dictation shortcut pressed")
		// The person speaks for three seconds: the scenario, not a wait
		// for something to happen.
		time.Sleep(time.Until(press.Add(3 * time.Second)))
		release, releaseTook := at("keyup", "ctrl+alt+space")
		var n *persistence.Note
		waitFor(t, "the dictation's note", 30*time.Second, func() bool {
			for _, m := range notes(t, vault) {
				if !before[m.ID] && slices.Contains(m.Tags, "dictation") && m.Duration > 0 {
					n = m
				}
			}
			return n != nil
		})
		early, late, length := captureSpan(t, clk, &delay, filepath.Join(vault, persistence.RecordingsDir, n.ID+".wav"), press)
		startLo, startHi := early.Sub(press), late.Sub(press)
		endLo, endHi := early.Add(length).Sub(release), late.Add(length).Sub(release)
		span := func(lo, hi time.Duration) string {
			if hi-lo < time.Millisecond {
				return fmt.Sprintf("%+v", lo.Round(time.Millisecond))
			}
			return fmt.Sprintf("%+v..%+v", lo.Round(time.Millisecond), hi.Round(time.Millisecond))
		}
		t.Logf("round %d: held %v; the recording sounded from %s after the press to %s after the release (xdotool took %v and %v)", round,
			release.Sub(press).Round(time.Millisecond), span(startLo, startHi), span(endLo, endHi), pressTook.Round(time.Millisecond), releaseTook.Round(time.Millisecond))
		if outside(startLo, startHi, 150*time.Millisecond) > 0 {
			t.Errorf("round %d: the recording began %s from the press of the shortcut; push-to-talk promises within 150 ms", round, span(startLo, startHi))
		}
		if outside(endLo, endHi, 150*time.Millisecond) > 0 {
			t.Errorf("round %d: the recording ended %s from the release of the shortcut; push-to-talk promises within 150 ms", round, span(endLo, endHi))
		}
	}
	if err := clk.Err(); err != nil {
		t.Fatalf("the timing signal stopped: %v", err)
	}
}

// TestDictationPastes: with pasting chosen in Settings (Ctrl+Shift+V, as
// a terminal pastes), a dictation's words are pasted where the keyboard
// was, and a moment later the clipboard holds again what the person had
// copied before (a word selected in the terminal).
func TestDictationPastes(t *testing.T) {
	clip := dictationTools(t)
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	a := launchPasting(t, d, vault)
	out := focusedTerminal(t, d)
	// The person copies a word: typed into the terminal, it shows on its
	// first line; a double click there selects it, onto the clipboard.
	d.key("p", "r", "e", "v", "i", "o", "u", "s", "space")
	waitFor(t, "the word in the terminal", 10*time.Second, func() bool { data, _ := os.ReadFile(out); return string(data) == "previous " })
	if err := d.xdotool("mousemove", "12", "8", "click", "--repeat", "2", "--delay", "80", "1"); err != nil {
		t.Fatal(err)
	}
	d.key("ctrl+shift+v") // pasted back: the clipboard holds the word
	waitFor(t, "the word on the clipboard", 10*time.Second, func() bool { data, _ := os.ReadFile(out); return string(data) == "previous previous" })
	n, want := dictateWithShortcut(t, d, a, vault, clip, "pasted", nil)
	waitFor(t, "the words in the terminal", 10*time.Second, func() bool { data, _ := os.ReadFile(out); return string(data) == "previous previous"+want })
	a.await(t, "the clipboard given back", 10*time.Second, "voicenotes: dictated "+n.ID+" clipboard given back")
	d.key("ctrl+shift+v")
	var got string
	waitFor(t, "what was copied before, pasted again", 10*time.Second, func() bool {
		data, _ := os.ReadFile(out)
		got = string(data)
		return got == "previous previous"+want+"previous"
	})
}

// dictateWithShortcut presses Ctrl+Alt+Space (the terminal "target" has
// the keyboard), says clip into the microphone, presses it again, and
// returns the dictation's note once the window says how its words went
// (how: "typed", "copied" or "pasted") and its transcript, trimmed.
// beforeStop, if set, runs after the speech and before the second press.
func dictateWithShortcut(t *testing.T, d *desktop, a *app, vault, clip, how string, beforeStop func()) (*persistence.Note, string) {
	t.Helper()
	before := map[string]bool{}
	for _, n := range notes(t, vault) {
		before[n.ID] = true
	}
	a.forget()
	d.key("ctrl+alt+space")
	a.await(t, "the dictation started", 10*time.Second, `voicenotes: dictating into "target"`)
	waitFor(t, "the recording", 15*time.Second, func() bool { return partial(vault) != "" })
	if err := d.pulse.Play(t, clip).Wait(); err != nil {
		t.Fatal(err)
	}
	if beforeStop != nil {
		beforeStop()
	}
	d.key("ctrl+alt+space")
	a.awaitPrefix(t, "the dictation ended", 90*time.Second, "voicenotes: dictated ")
	var n *persistence.Note
	for _, m := range notes(t, vault) {
		if !before[m.ID] && slices.Contains(m.Tags, "dictation") {
			n = m
		}
	}
	if n == nil {
		t.Fatal("no new note tagged dictation")
	}
	a.await(t, "the words "+how, 10*time.Second, "voicenotes: dictated "+n.ID+" "+how)
	want := strings.TrimSpace(n.Body)
	if len(strings.Fields(want)) < 5 {
		t.Fatalf("the dictation's transcript is %q", want)
	}
	return n, want
}

// TestDictationPastesPastAHungClipboard: the program holding the
// clipboard has stopped answering (a terminal whose selection is on the
// clipboard, stopped with SIGSTOP): a dictation in paste mode still
// pastes at once, the window never waits on that program (Fyne's own
// clipboard reading would wait for ever on the window's thread), and it
// says the clipboard could not be kept to give back.
func TestDictationPastesPastAHungClipboard(t *testing.T) {
	clip := dictationTools(t)
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	a := launchPasting(t, d, vault)
	owned, owner := terminal(t, d, "owner")
	d.focus(t, owner)
	d.key("c", "o", "p", "i", "e", "d", "space")
	waitFor(t, "the word in the terminal", 10*time.Second, func() bool { data, _ := os.ReadFile(owned); return string(data) == "copied " })
	if err := d.xdotool("mousemove", "12", "8", "click", "--repeat", "2", "--delay", "80", "1"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("xdotool", "getwindowpid", owner)
	cmd.Env = d.env()
	o, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(o)))
	if err != nil {
		t.Fatal(err)
	}
	out := focusedTerminal(t, d)
	syscall.Kill(pid, syscall.SIGSTOP) // the clipboard's owner hangs
	defer syscall.Kill(pid, syscall.SIGCONT)
	n, want := dictateWithShortcut(t, d, a, vault, clip, "pasted", nil)
	a.await(t, "the clipboard not kept", 5*time.Second, "voicenotes: dictated "+n.ID+" clipboard not kept: the program holding the clipboard did not answer")
	a.awaitPrefix(t, "the person told", 5*time.Second, `voicenotes: told "Dictation pasted into \"target\" with Ctrl+Shift+V; what the clipboard held before could not be read`)
	waitFor(t, "the words in the terminal", 10*time.Second, func() bool { data, _ := os.ReadFile(out); return string(data) == want })
}

// launchPasting launches the window set to paste dictations with
// Ctrl+Shift+V, and waits for its shortcut.
func launchPasting(t *testing.T, d *desktop, vault string) *app {
	t.Helper()
	writePrefs(t, d, map[string]any{"settingsSaved": true, "engine": "pocketsphinx", "autoTranscribe": true, "sampleRate": 16000, "storeAs": "wav",
		"dictationKey": "Ctrl+Alt+Space", "dictationTypes": true, "dictationPaste": "Ctrl+Shift+V"})
	a := d.launch(vault)
	a.await(t, "the shortcut grabbed", 20*time.Second, "voicenotes: dictation shortcut Ctrl+Alt+Space ready")
	return a
}
