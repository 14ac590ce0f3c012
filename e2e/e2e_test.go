//go:build e2e

// The tests drive the real voicenotes binary in a real X server (Xvfb)
// with a real virtual microphone (PulseAudio), as a person would: keys and
// clicks through xdotool, speech through paplay, results read from disk.
package e2e

import (
	"bytes"
	"fmt"
	"github.com/voicenotes/voicenotes/internal/wer"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/pulsetest"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

const (
	clip    = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0920.wav"
	clipRef = "had he married a more a amiable woman he might have been made still more respectable than he was"
)

var binary string // built once in TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vn-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "voicenotes")
	tags := "e2e"
	if exec.Command("pkg-config", "--exists", "pocketsphinx").Run() == nil {
		tags += " pocketsphinx"
	}
	build := exec.Command("go", "build", "-tags", tags, "-o", binary, "..")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building voicenotes:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// desktop is an X server with the virtual microphone.
type desktop struct {
	t       *testing.T
	display string
	pulse   *pulsetest.Server
	home    string
	shots   string
}

func startDesktop(t *testing.T) *desktop {
	t.Helper()
	if _, err := exec.LookPath("import"); err != nil {
		t.Skip("import is not installed (make setup installs imagemagick)")
	}
	d := startXvfb(t)
	d.t, d.shots = t, os.Getenv("VOICENOTES_SCREENSHOTS")
	if d.shots == "" {
		d.shots = t.TempDir()
	}
	d.pulse = pulsetest.StartAt(t, 16000, 1)
	return d
}

// startXvfb starts an X server on a display number no one uses.
func startXvfb(tb testing.TB) *desktop {
	tb.Helper()
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Skipf("%s is not installed (make setup installs xvfb and xdotool)", tool)
		}
	}
	d := &desktop{home: tb.TempDir()}
	n := 90
	for ; n < 250; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); os.IsNotExist(err) {
			break
		}
	}
	d.display = fmt.Sprintf(":%d", n)
	x := exec.Command("Xvfb", d.display, "-screen", "0", "1100x700x24", "-nolisten", "tcp")
	if err := x.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { x.Process.Kill(); x.Wait() })
	for deadline := time.Now().Add(10 * time.Second); d.xdotool("getmouselocation") != nil; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatal("Xvfb did not start")
		}
	}
	return d
}

func (d *desktop) env() []string {
	base := os.Environ()
	if d.pulse != nil {
		base = d.pulse.Env()
	}
	return append(base, "DISPLAY="+d.display, "HOME="+d.home, "XDG_CONFIG_HOME="+filepath.Join(d.home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(d.home, ".cache"), "LANG=en_US.UTF-8")
}

func (d *desktop) xdotool(args ...string) error {
	cmd := exec.Command("xdotool", args...)
	cmd.Env = d.env()
	return cmd.Run()
}

func (d *desktop) key(keys ...string) {
	d.t.Helper()
	if err := d.xdotool(append([]string{"key", "--delay", "50"}, keys...)...); err != nil {
		d.t.Fatalf("xdotool key %v: %v", keys, err)
	}
}

func (d *desktop) click(x, y int) {
	d.t.Helper()
	if err := d.xdotool("mousemove", fmt.Sprint(x), fmt.Sprint(y), "click", "1"); err != nil {
		d.t.Fatal(err)
	}
}

func (d *desktop) screenshot(name string) {
	d.t.Helper()
	cmd := exec.Command("import", "-window", "root", filepath.Join(d.shots, name))
	cmd.Env = d.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		d.t.Errorf("screenshot %s: %v %s", name, err, out)
	}
}

// app is one run of the program.
type app struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
}

func (d *desktop) launch(vault string) *app {
	d.t.Helper()
	a := &app{cmd: exec.Command(binary, "--vault", vault), stderr: &bytes.Buffer{}}
	a.cmd.Env = d.env()
	a.cmd.Stderr = a.stderr
	if err := a.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { a.cmd.Process.Kill(); a.cmd.Wait() })
	waitFor(d.t, "the window", 30*time.Second, func() bool {
		return d.xdotool("search", "--name", "^Voice Notes$") == nil
	})
	time.Sleep(time.Second) // first frame
	d.click(700, 680)       // focus the window (no window manager here)
	return a
}

func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
	}
}

// partial is the in-progress recording file, if any.
func partial(vault string) string {
	m, _ := filepath.Glob(filepath.Join(vault, "recordings", "*.wav.partial"))
	if len(m) == 1 {
		return m[0]
	}
	return ""
}

func notes(t *testing.T, vault string) []*persistence.Note {
	t.Helper()
	v, err := persistence.Open(vault, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n, _, err := v.List()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRecordTranscribeEditRecover(t *testing.T) {
	if _, err := os.Stat(clip); err != nil {
		t.Skipf("%s is missing (make setup installs pocketsphinx-testdata)", clip)
	}
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	a := d.launch(vault)
	d.screenshot("empty-vault.png")

	// Starting it again on the same vault brings the running window forward.
	second := exec.Command(binary, "--vault", vault)
	second.Env = d.env()
	if out, err := second.CombinedOutput(); err != nil || !strings.Contains(string(out), "brought that window to the front") {
		t.Errorf("a second launch on the vault: %v\n%s", err, out)
	}

	// Ctrl+R, speak, Ctrl+R.
	d.key("ctrl+r")
	waitFor(t, "the recording to start", 15*time.Second, func() bool {
		st, err := os.Stat(partial(vault))
		return err == nil && st.Size() > 16000 // header plus half a second of audio
	})
	play := d.pulse.Play(t, clip)
	time.Sleep(4 * time.Second)
	d.screenshot("recording.png")
	if err := play.Wait(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	d.key("ctrl+r")
	var n *persistence.Note
	waitFor(t, "the transcribed note", 30*time.Second, func() bool {
		ns := notes(t, vault)
		if len(ns) == 1 && ns[0].TranscriptionStatus == persistence.StatusDone {
			n = ns[0]
		}
		return n != nil
	})
	if w := wer.WER(clipRef, n.Body); w > 0.6 {
		t.Errorf("transcript %q has WER %.0f%%", n.Body, 100*w)
	}
	t.Logf("transcript: %s", n.Body)

	// Type an edit at the end of the transcript, then quit.
	time.Sleep(time.Second)
	d.click(700, 300)
	d.key("ctrl+End")
	if err := d.xdotool("type", "--delay", "20", " Typed by hand."); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	d.screenshot("note.png")
	a.cmd.Process.Signal(syscall.SIGTERM)
	if err := a.cmd.Wait(); err != nil {
		t.Fatalf("the app did not quit cleanly: %v\n%s", err, a.stderr)
	}
	if _, err := exec.Command(binary, "toggle", "--vault", vault).Output(); err == nil {
		t.Error("toggle succeeded with no window running")
	}
	ns := notes(t, vault)
	if len(ns) != 1 || !strings.HasSuffix(strings.TrimSpace(ns[0].Body), "Typed by hand.") {
		log, _ := os.ReadFile(filepath.Join(d.home, ".cache", "voicenotes", "voicenotes.log"))
		t.Fatalf("the edit is not on disk: %q\nstderr:\n%s\nlog:\n%s", ns[0].Body, a.stderr, log)
	}

	// `voicenotes toggle`, as a desktop shortcut runs it, records a note.
	a = d.launch(vault)
	toggle := func() string {
		cmd := exec.Command(binary, "toggle", "--vault", vault)
		cmd.Env = d.env()
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("voicenotes toggle: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	if r := toggle(); r != "recording" {
		t.Fatalf("first toggle said %q", r)
	}
	waitFor(t, "the toggled recording", 15*time.Second, func() bool {
		st, err := os.Stat(partial(vault))
		return err == nil && st.Size() > 32000
	})
	if r := toggle(); r != "stopped" {
		t.Fatalf("second toggle said %q", r)
	}
	waitFor(t, "the toggled note", 15*time.Second, func() bool { return len(notes(t, vault)) == 2 })
	a.cmd.Process.Signal(syscall.SIGTERM)
	a.cmd.Wait()

	// Start again, record, kill the process, start again: recovered.
	a = d.launch(vault)
	d.key("ctrl+r")
	waitFor(t, "the second recording", 15*time.Second, func() bool {
		st, err := os.Stat(partial(vault))
		return err == nil && st.Size() > 80000 // 2.5 s written; the header lags up to 1 s
	})
	a.cmd.Process.Signal(syscall.SIGKILL)
	a.cmd.Wait()
	d.launch(vault)
	d.screenshot("recovered.png")
	var recovered *persistence.Note
	for _, n := range notes(t, vault) {
		if n.Recovered {
			recovered = n
		}
	}
	if recovered == nil || recovered.Duration < time.Second || partial(vault) != "" {
		var got []string
		for _, n := range notes(t, vault) {
			got = append(got, fmt.Sprintf("%s %q recovered=%v %v", n.ID, n.Title, n.Recovered, n.Duration))
		}
		entries, _ := os.ReadDir(filepath.Join(vault, "recordings"))
		var files []string
		for _, e := range entries {
			files = append(files, e.Name())
		}
		t.Fatalf("no recovered recording after the kill (partial file %q)\nnotes: %v\nfiles: %v", partial(vault), got, files)
	}
}
