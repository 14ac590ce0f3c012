//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/pulsetest"
	"github.com/voicenotes/voicenotes/persistence"
)

// startClock plays the timing signal into the virtual microphone and
// measures the sound server's delay; a spread of more than 20 ms across
// the three best of seven measurements means the generator (or the recorder that measures
// it) was starved and no figure could be trusted. On a loaded machine a
// moment's starvation passes: they are taken again, up to five times,
// and only a signal unreliable every time ends the test. The 20 ms bound
// is unchanged.
func startClock(t testing.TB, pulse *pulsetest.Server) (*pulsetest.Clock, time.Duration) {
	t.Helper()
	clk := pulse.StartClock(t)
	var spreads []time.Duration
	for range 5 {
		delay, spread := clk.Calibrate(t, 7)
		if spread <= 20*time.Millisecond {
			if len(spreads) > 0 {
				t.Logf("the sound server's delay was steady at the %d%s try (spreads before: %v)", len(spreads)+1, ordinal(len(spreads)+1), spreads)
			}
			return clk, delay
		}
		spreads = append(spreads, spread)
	}
	t.Fatalf("the sound server's delay varied by %v across the best three of seven measurements, five times over: the timing signal is unreliable on this run", spreads)
	return nil, 0
}

func ordinal(n int) string {
	switch n {
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

// captureBegan is when the recording in wav began capturing: when the
// clock signal its first sample holds was played, plus the server's delay.
func captureBegan(t testing.TB, clk *pulsetest.Clock, delay time.Duration, wav string, near time.Time) (time.Time, time.Duration) {
	t.Helper()
	var s []int16
	err := audio.ReadMonoFile(context.Background(), wav, audio.StoreRate, audio.StoreRate, func(b []int16) error {
		s = append(s, b...)
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	played, err := clk.Locate(s, audio.StoreRate, near.Add(-delay))
	if err != nil {
		t.Fatalf("%s: %v", wav, err)
	}
	return played.Add(delay), time.Duration(len(s)) * time.Second / audio.StoreRate
}

// captureSpan is when the recording in wav began capturing, by the sound
// server's delay measured before it (*delay) and again now, after it: on
// a loaded machine the server can change its delay in between. In a make
// test run beside a build, the delay measured before a recording put its
// capture 248 ms before Ctrl+R was even sent, while the app's own timings
// sat where they do in quiet runs. A longer delay makes the beginning
// later: by the shorter of the two it is early, by the longer late. The
// new measure becomes *delay for the next recording. A delay that moved
// by more than a second leaves nothing to time, and the test fails so.
func captureSpan(t testing.TB, clk *pulsetest.Clock, delay *time.Duration, wav string, near time.Time) (early, late time.Time, length time.Duration) {
	t.Helper()
	after, spread := clk.Calibrate(t, 3)
	if spread > 50*time.Millisecond {
		after, _ = clk.Calibrate(t, 3)
	}
	short, long := min(*delay, after), max(*delay, after)
	if long-short > time.Second {
		t.Fatalf("%s: the sound server's delay moved from %v to %v during the recording: the timing signal cannot time it", filepath.Base(wav), *delay, after)
	}
	if long-short > 20*time.Millisecond {
		t.Logf("%s: the sound server's delay moved from %v to %v during the recording", filepath.Base(wav), delay.Round(time.Millisecond), after.Round(time.Millisecond))
	}
	early, length = captureBegan(t, clk, short, wav, near)
	*delay = after
	return early, early.Add(long - short), length
}

// outside is how far the span [lo, hi] lies outside ±limit around 0:
// zero when some moment in it is within the limit.
func outside(lo, hi, limit time.Duration) time.Duration {
	switch {
	case lo > limit:
		return lo - limit
	case hi < -limit:
		return -limit - hi
	}
	return 0
}

var (
	stallLine = regexp.MustCompile(`^voicenotes: ui stall (\d+) ms$`)
	workLine  = regexp.MustCompile(`^voicenotes: ui work (\d+) ms$`)
	gapLine   = regexp.MustCompile(`^voicenotes: ui gap (\d+) ms$`)
)

// stallsFrom is the longest UI-thread stall the app reported after line
// from: the event loop busy, with the window's work and Fyne's layout
// and painting alike.
func (a *app) stallsFrom(from int) time.Duration { return a.longestFrom(from, stallLine) }

// workFrom is the longest piece of the window's own work on the UI thread
// after line from.
func (a *app) workFrom(from int) time.Duration { return a.longestFrom(from, workLine) }

// gapFrom is the longest time between two of the UI thread's frame ticks
// (where Fyne polls input) after line from.
func (a *app) gapFrom(from int) time.Duration { return a.longestFrom(from, gapLine) }

func (a *app) longestFrom(from int, re *regexp.Regexp) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	var longest time.Duration
	for _, l := range a.lines[from:] {
		if m := re.FindStringSubmatch(l); m != nil {
			ms, _ := strconv.Atoi(m[1])
			longest = max(longest, time.Duration(ms)*time.Millisecond)
		}
	}
	return longest
}

func (a *app) lineCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.lines)
}

// pressed is what pressRecord saw: the note saved, when Ctrl+R was first
// pressed, and from then to the note on screen the UI thread's longest
// stall (a function handed to it waiting), longest gap between frame
// ticks (input waiting) and longest piece of the window's own work.
type pressed struct {
	note             *persistence.Note
	at               time.Time
	stall, gap, work time.Duration
}

// pressRecord presses Ctrl+R twice, gap apart, as a person who speaks for
// gap would.
func (d *desktop) pressRecord(t testing.TB, a *app, vault string, gap time.Duration) pressed {
	t.Helper()
	before := map[string]bool{}
	for _, n := range notes(t, vault) {
		before[n.ID] = true
	}
	from := a.lineCount()
	press := time.Now()
	d.key("ctrl+r")
	// The person talks for gap: this wait is the scenario, not a guess at
	// how long something takes.
	time.Sleep(time.Until(press.Add(gap)))
	d.key("ctrl+r")
	var n *persistence.Note
	waitFor(t, "the note", 30*time.Second, func() bool {
		for _, m := range notes(t, vault) {
			if !before[m.ID] {
				n = m
			}
		}
		return n != nil
	})
	a.await(t, "the saved recording on screen", 30*time.Second, "voicenotes: saved recording "+n.ID)
	return pressed{note: n, at: press, stall: a.stallsFrom(from), gap: a.gapFrom(from), work: a.workFrom(from)}
}

// TestRecordStartsAtThePress: a sound 200 ms after Ctrl+R is in the
// recording, the first time after launch and later, and 4 s between the
// two presses keep at least 3.8 s. The signal that tells the time is a
// tone burst every 100 ms, played through the virtual microphone.
func TestRecordStartsAtThePress(t *testing.T) {
	d := startDesktop(t)
	clk, delay := startClock(t, d.pulse)
	vault := filepath.Join(t.TempDir(), "vault")
	a := d.launch(vault)
	for _, which := range []string{"the first recording after launch", "a later recording"} {
		p := d.pressRecord(t, a, vault, 4*time.Second)
		early, late, length := captureSpan(t, clk, &delay, filepath.Join(vault, persistence.RecordingsDir, p.note.ID+".wav"), p.at)
		lag, lagLate := early.Sub(p.at), late.Sub(p.at)
		t.Logf("%s: capture began %v to %v after Ctrl+R; %v kept of 4 s; longest UI stall %v, gap between frames %v, of the window's own work %v", which, lag.Round(time.Millisecond), lagLate.Round(time.Millisecond), length.Round(time.Millisecond), p.stall, p.gap, p.work)
		if lag > 200*time.Millisecond {
			t.Errorf("%s: a sound 200 ms after Ctrl+R is not in the recording: capture began %v after the press", which, lag.Round(time.Millisecond))
		}
		if length < 3800*time.Millisecond {
			t.Errorf("%s: 4 s between the two presses kept only %v of audio", which, length.Round(time.Millisecond))
		}
	}
	if err := clk.Err(); err != nil {
		t.Fatalf("the timing signal stopped: %v", err)
	}
}

// TestCLIRecordStartsAtLaunch: `voicenotes record` captures from soon
// after it is started.
func TestCLIRecordStartsAtLaunch(t *testing.T) {
	d := startDesktop(t)
	clk, delay := startClock(t, d.pulse)
	vault := filepath.Join(t.TempDir(), "vault")
	bare := buildBareCapture(t)
	before := bareCapture(t, d, clk, &delay, bare)
	lag, length := cliRecord(t, d, clk, &delay, vault, "2")
	after := bareCapture(t, d, clk, &delay, bare)
	floor := max(before, after)
	t.Logf("capture began %v after the process started; %v kept; a bare PortAudio program's began %v after its start before, and %v after", lag.Round(time.Millisecond), length.Round(time.Millisecond), before.Round(time.Millisecond), after.Round(time.Millisecond))
	// The promise is 300 ms on top of what any program recording with
	// PortAudio takes on this machine now, measured beside it
	// (e2e/barecapture): the process start, PortAudio probing every
	// device and the sound server answering, which no app using them can
	// take back. Unloaded that floor is 90-115 ms and record's capture
	// begins 150-195 ms after its start (the bound is then about 410 ms,
	// where it was 460: 400 over `voicenotes help`). On a loaded machine
	// PortAudio's start alone grows by 100-200 ms, and the old bound
	// failed twice by 10-30 ms with nothing of Voice Notes' own grown.
	// The floor is measured before and after the recording, and the
	// larger taken: the load can rise between the two.
	if lag > 300*time.Millisecond+floor {
		t.Errorf("a sound 300 ms after `voicenotes record` started (beyond the %v a bare PortAudio program's capture takes to begin now) is not in the recording: capture began %v after", floor.Round(time.Millisecond), lag.Round(time.Millisecond))
	}
}

// buildBareCapture builds e2e/barecapture, the least a program does to
// record with PortAudio.
func buildBareCapture(t testing.TB) string {
	t.Helper()
	bare := filepath.Join(t.TempDir(), "barecapture")
	if out, err := exec.Command("go", "build", "-o", bare, "./barecapture").CombinedOutput(); err != nil {
		t.Fatalf("building the bare PortAudio program: %v\n%s", err, out)
	}
	return bare
}

// bareCapture runs the bare PortAudio program for a second and measures
// when its capture began after it was started, as cliRecord does for
// `voicenotes record`.
func bareCapture(t testing.TB, d *desktop, clk *pulsetest.Clock, delay *time.Duration, bare string) time.Duration {
	t.Helper()
	wav := filepath.Join(t.TempDir(), "bare.wav")
	cmd := exec.Command(bare, wav, "1s")
	cmd.Env = d.env()
	started := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the bare PortAudio program: %v\n%s", err, out)
	}
	began, _, _ := captureSpan(t, clk, delay, wav, started)
	return began.Sub(started)
}

// cliRecord runs `voicenotes record --duration dur` and measures when its
// capture began after the process was started (at the earliest the
// sound server's delay allows: see captureSpan).
func cliRecord(t testing.TB, d *desktop, clk *pulsetest.Clock, delay *time.Duration, vault, dur string) (lag, length time.Duration) {
	t.Helper()
	cmd := exec.Command(binary, "record", "--vault", vault, "--duration", dur, "--title", "timed")
	cmd.Env = d.env()
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	started := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("voicenotes record: %v\n%s", err, out.String())
	}
	var n *persistence.Note
	for _, m := range notes(t, vault) {
		if n == nil || m.CreatedAt.After(n.CreatedAt) {
			n = m
		}
	}
	if n == nil {
		t.Fatalf("voicenotes record saved no note:\n%s", out.String())
	}
	wav := filepath.Join(vault, persistence.RecordingsDir, n.ID+".wav")
	began, _, length := captureSpan(t, clk, delay, wav, started)
	os.Remove(wav)
	os.Remove(filepath.Join(vault, persistence.RecordingsDir, n.ID+".md"))
	return began.Sub(started), length
}
