//go:build linux && cgo

package keyboard

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/xvfb"
)

// startX starts Xvfb on a free display and points $DISPLAY at it.
func startX(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"xdotool", "xterm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (make setup installs it)", tool)
		}
	}
	display := xvfb.Start(t, "800x600x24")
	t.Setenv("DISPLAY", display)
	for deadline := time.Now().Add(10 * time.Second); exec.Command("xdotool", "getmouselocation").Run() != nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Xvfb did not start")
		}
	}
}

// target starts xterm running cat (as in a terminal the person dictates
// into) on startX's server, focused; it returns the window, the process
// and the file what it receives goes to.
func target(t *testing.T) (id string, term *exec.Cmd, out string) {
	t.Helper()
	out = filepath.Join(t.TempDir(), "typed.txt")
	term = exec.Command("xterm", "-T", "target", "-e", "sh", "-c", "stty -icanon; cat > "+out)
	term.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	if err := term.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Process.Kill(); term.Wait() })
	// A wait for xterm to start, not a measure of it (a loaded run's took
	// over 10 s once).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		o, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^target$").Output()
		if id = strings.TrimSpace(string(o)); err == nil && id != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("xterm's window never appeared")
		}
	}
	id = strings.Fields(id)[0]
	if err := exec.Command("xdotool", "windowfocus", "--sync", id).Run(); err != nil {
		t.Fatal(err)
	}
	return id, term, out
}

// received waits until the file holds want (10 s at most) and says what
// it holds.
func received(out, want string) string {
	var got string
	for deadline := time.Now().Add(10 * time.Second); got != want; time.Sleep(50 * time.Millisecond) {
		data, _ := os.ReadFile(out)
		got = string(data)
		if time.Now().After(deadline) {
			break
		}
	}
	return got
}

// TestTypeIntoAnotherApp: text typed into a real X client arrives as
// written: letters, capitals, punctuation, accented and other characters
// no key of the keyboard gives, tabs and line ends; and the focused
// window is the app's.
func TestTypeIntoAnotherApp(t *testing.T) {
	startX(t)
	id, _, out := target(t)
	w, err := Focused()
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(uint64(w)); got != id {
		t.Errorf("focused window %s, want xterm's %s", got, id)
	}
	if got := Title(w); got != "target" {
		t.Errorf("the focused window's title is %q, want xterm's \"target\"", got)
	}
	text := "Hello, World! Dictated: café, naïve, Grüße, 50 € — done.\tTab\nSecond line (2/2) ✓\n"
	if err := Type(text); err != nil {
		t.Fatal(err)
	}
	if got := received(out, text); got != text {
		t.Errorf("xterm received\n%q\nwant\n%q", got, text)
	}
}

// TestTypeIntoASlowApp: an app that reads its keys long after they were
// sent (here stopped until typing has ended, as a busy machine's app can
// lag) still gets the characters no key gives as typed, not what their
// spare key meant by the time it read them; and Finish gives the spare
// keys back.
func TestTypeIntoASlowApp(t *testing.T) {
	startX(t)
	_, term, out := target(t)
	if err := term.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	text := "café naïve Grüße 50 € — ✓ Ærø ñ ç ß é ü\n"
	err := Type(text)
	if cerr := term.Process.Signal(syscall.SIGCONT); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := received(out, text); got != text {
		t.Errorf("the slow xterm received\n%q\nwant\n%q", got, text)
	}
	codes := mappedSpares()
	if len(codes) == 0 {
		t.Fatal("no spare key holds a character after typing")
	}
	Finish()
	for _, code := range codes {
		if gives, err := keyGives(code); err != nil || gives != 0 {
			t.Errorf("after Finish, spare keycode %d gives %#x (%v), want nothing", code, gives, err)
		}
	}
}

// TestTypeWithFewSpareKeys: with fewer spare keys than characters that
// need one, keys are given new characters, and the app still gets each as
// typed.
func TestTypeWithFewSpareKeys(t *testing.T) {
	startX(t)
	_, _, out := target(t)
	defer func(n int, after time.Duration) { maxSpares, reuseAfter = n, after }(maxSpares, reuseAfter)
	maxSpares, reuseAfter = 2, 200*time.Millisecond
	text := "é ï ü ß € — é ✓\n"
	if err := Type(text); err != nil {
		t.Fatal(err)
	}
	if got := received(out, text); got != text {
		t.Errorf("xterm received\n%q\nwant\n%q", got, text)
	}
	if n := len(spares.keys); n != 2 {
		t.Errorf("typing used %d spare keys, want the 2 allowed", n)
	}
	Finish()
}

// mappedSpares are the keycodes Type left holding a character.
func mappedSpares() []int {
	spares.Lock()
	defer spares.Unlock()
	var codes []int
	for _, k := range spares.keys {
		if k.sym != 0 {
			codes = append(codes, int(k.code))
		}
	}
	return codes
}

// TestHotkeyForTheWholeDesktop: a grabbed combination pressed while
// another app has the keyboard is heard, once down and once up however
// long it is held (push-to-talk), with Num Lock on too; a second program
// asking for it is told it is taken; a combination that is not one is
// refused with why; after Close it is free again.
func TestHotkeyForTheWholeDesktop(t *testing.T) {
	startX(t)
	downs, ups := make(chan struct{}, 10), make(chan struct{}, 10)
	h, err := Grab("Ctrl+Alt+Space", func() { downs <- struct{}{} }, func() { ups <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	wait := func(c chan struct{}, what string) {
		t.Helper()
		select {
		case <-c:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s never heard", what)
		}
	}
	if err := exec.Command("xdotool", "key", "ctrl+alt+space").Run(); err != nil {
		t.Fatal(err)
	}
	wait(downs, "the press")
	wait(ups, "the release")
	// Held for a while (the keyboard repeats it): one down, one up.
	if err := exec.Command("xdotool", "keydown", "ctrl+alt+space", "sleep", "0.8", "keyup", "ctrl+alt+space").Run(); err != nil {
		t.Fatal(err)
	}
	wait(downs, "the held press")
	wait(ups, "the held release")
	if len(downs) != 0 || len(ups) != 0 {
		t.Errorf("a held key was heard %d more times down, %d up", len(downs), len(ups))
	}
	// With Num Lock on.
	exec.Command("xdotool", "key", "Num_Lock").Run()
	exec.Command("xdotool", "key", "ctrl+alt+space").Run()
	wait(downs, "the press with Num Lock")
	exec.Command("xdotool", "key", "Num_Lock").Run()
	if _, err := Grab("Ctrl+Alt+Space", func() {}, nil); err == nil || !strings.Contains(err.Error(), "taken") {
		t.Errorf("a second grab: %v", err)
	}
	for _, bad := range []string{"Hyper+X", "Ctrl+", "Ctrl+NoSuchKey"} {
		if _, err := Grab(bad, func() {}, nil); err == nil {
			t.Errorf("%q was grabbed", bad)
		}
	}
	h.Close()
	again, err := Grab("Ctrl+Alt+Space", func() {}, nil)
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	again.Close()
}
