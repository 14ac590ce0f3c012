//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An idle window waits for events instead of ticking (third_party/fyne's
// patch 1), and whatever a person does wakes it: a key pressed in the
// window, and a command from outside it (`voicenotes toggle`, which the
// window runs through fyne.Do). Without the app's trace, whose probes keep
// the loop ticking, as a person runs it. A wake that was missed would
// still come, at the loop's own wake 10 s later: each effect must come
// before (the window answers a command within 5 s or says "busy"; a
// key's recording must start within 5 s), and the loop must be seen
// waiting before each step.
func TestIdleWindowWaitsAndWakes(t *testing.T) {
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	app := exec.Command(binary, "--vault", vault)
	app.Env = d.env()
	var stderr strings.Builder
	app.Stderr = &stderr
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		app.Process.Signal(syscall.SIGTERM)
		app.Wait()
		if t.Failed() {
			t.Logf("the app said:\n%s", stderr.String())
		}
	}()
	if err := d.xdotool("search", "--sync", "--name", "^Voice Notes$"); err != nil {
		t.Fatalf("the window never showed: %v", err)
	}
	d.click(700, 680) // focus the window (no window manager here)
	pid := app.Process.Pid
	toggle := func(want string) {
		t.Helper()
		cmd := exec.Command(binary, "toggle", "--vault", vault)
		cmd.Env = d.env()
		out, err := cmd.Output()
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Fatalf("voicenotes toggle: %q, %v; want %q (\"busy\": the window did not run it within 5 s)", out, err, want)
		}
	}
	partials := func() int {
		m, _ := filepath.Glob(filepath.Join(vault, "*", "*.partial"))
		return len(m)
	}
	notes := func() int {
		m, _ := filepath.Glob(filepath.Join(vault, "*", "*.md"))
		return len(m)
	}

	// A command from outside, run through fyne.Do: toggle starts a
	// recording. (While it records, the window's level meter and clock
	// keep the loop ticking.)
	awaitWaiting(t, pid, "after launch")
	toggle("recording")
	waitFor(t, "the toggled recording's audio file", 5*time.Second, func() bool { return partials() == 1 })
	toggle("stopped")
	waitFor(t, "the toggled recording's note", 15*time.Second, func() bool { return notes() == 1 && partials() == 0 })

	// A key: Ctrl+R starts a recording, whose audio file appears.
	awaitWaiting(t, pid, "after the first note was saved")
	d.key("ctrl+r")
	waitFor(t, "the recording Ctrl+R started from an idle window", 5*time.Second, func() bool { return partials() == 1 })
	d.key("ctrl+r")
	waitFor(t, "the second note", 15*time.Second, func() bool { return notes() == 2 && partials() == 0 })
	awaitWaiting(t, pid, "after the second note was saved")

	// A focused text field's cursor blinks, an animation that keeps the
	// loop painting; 10 s after the last key it rests, lit, and the loop
	// waits again (third_party/fyne's patch 6). Ticking first shows the
	// field took the focus.
	d.key("ctrl+f")
	d.key("g")
	awaitTicking(t, pid, "with the cursor blinking in the search field")
	awaitWaiting(t, pid, "10 s after a key was typed in the search field")
}

// awaitTicking waits until the window's main thread is seen out of poll
// in most of 50 looks over half a second, as a loop painting 60 frames a
// second is, where a waiting one sits in poll. It fails after 5 s.
func awaitTicking(t *testing.T, pid int, when string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		awake := 0
		for range 50 {
			if polling, _ := inPoll(t, pid); !polling {
				awake++
			}
			time.Sleep(10 * time.Millisecond)
		}
		if awake > 25 {
			return
		}
	}
	t.Fatalf("%s: the window's loop was not painting (its main thread sat in poll)", when)
}

// inPoll reports whether the process's main thread is in poll (7) or
// ppoll (271) on x86-64, and the state it read.
func inPoll(t *testing.T, pid int) (bool, string) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/syscall", pid, pid))
	if err != nil {
		t.Fatalf("reading the main thread's state: %v", err)
	}
	f := strings.Fields(string(data))
	return len(f) > 0 && (f[0] == "7" || f[0] == "271"), strings.TrimSpace(string(data))
}

// awaitWaiting waits until the window's main thread (where Fyne's loop
// runs) sits in poll, as GLFW's wait for events does, for half a second
// on end: a ticking loop wakes every 17 ms. It fails after 20 s.
func awaitWaiting(t *testing.T, pid int, when string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	since := time.Time{}
	last := ""
	for time.Now().Before(deadline) {
		var polling bool
		if polling, last = inPoll(t, pid); polling {
			if since.IsZero() {
				since = time.Now()
			}
			if time.Since(since) >= 500*time.Millisecond {
				return
			}
		} else {
			since = time.Time{}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: the idle window's loop never waited for events for half a second in 20 s (its main thread was last in: %s)", when, last)
}
