//go:build e2e

package e2e

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

// followWord is a word of the Follow tab where the window says it laid it
// out (in pixels of the window, which sits at the screen's corner: there
// is no window manager here).
type followWord struct {
	text       string
	x, y, w, h int
}

var (
	followWordLine = regexp.MustCompile(`^voicenotes: follow word (\d+) "(.*)" at (-?\d+),(-?\d+) size (\d+)x(\d+)$`)
	markedLine     = regexp.MustCompile(`^voicenotes: follow marked (-?\d+) at (-?\d+) ms$`)
	playingLine    = regexp.MustCompile(`^voicenotes: playing at (\d+) ms$`)
)

// followLayout is the Follow tab's words as last laid out.
func (a *app) followLayout() map[int]followWord {
	a.mu.Lock()
	defer a.mu.Unlock()
	words := map[int]followWord{}
	for _, l := range a.lines {
		if m := followWordLine.FindStringSubmatch(l); m != nil {
			i, _ := strconv.Atoi(m[1])
			n := func(k int) int { v, _ := strconv.Atoi(m[k]); return v }
			words[i] = followWord{m[2], n(3), n(4), n(5), n(6)}
		}
	}
	return words
}

// linesFrom is what the app said from line from on.
func (a *app) linesFrom(from int) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.lines[from:]...)
}

// awaitLine waits until a line from line from on matches re, and returns
// its submatches.
func (a *app) awaitLine(t testing.TB, what string, from int, limit time.Duration, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(limit)
	for {
		for _, l := range a.linesFrom(from) {
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		}
		select {
		case <-a.notify:
		case <-deadline:
			t.Fatalf("timed out after %v waiting for %s; the app said:\n%s", limit, what, a.stderr())
		}
	}
}

// TestFollowAndSeekInTheWindow: a LibriVox clip imported and transcribed
// offline, opened in the real window: the Follow tab shows its timed
// words; clicking one plays from within 100 ms of its start and marks it
// (the mark seen on screen); while it plays the word marked is the one
// being said at the player's position, at several points.
func TestFollowAndSeekInTheWindow(t *testing.T) {
	if _, err := os.Stat(clip); err != nil {
		t.Skipf("%s is missing (make setup installs pocketsphinx-testdata)", clip)
	}
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	imp := exec.Command(binary, "import", clip, "--vault", vault)
	imp.Env = d.env()
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	ns := notes(t, vault)
	if len(ns) != 1 {
		t.Fatalf("%d notes after importing one clip", len(ns))
	}
	n := ns[0]
	f, err := os.Open(filepath.Join(vault, persistence.RecordingsDir, n.ID+".vtt"))
	if err != nil {
		t.Fatalf("the imported clip has no word timings: %v", err)
	}
	cues, err := timeline.ParseVTT(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	timed := timeline.Align(timeline.Words(cues), n.Body)
	if len(timed) < 8 {
		t.Fatalf("only %d timed words in %q", len(timed), n.Body)
	}

	a := d.launch(vault)
	d.click(175, 140) // the first row
	a.await(t, "the note shown", 10*time.Second, "voicenotes: shown "+n.ID)
	// The tab comes once the word timings are read, after the note is
	// shown (on a loaded machine a click as soon as the note was shown
	// found no tab there).
	a.await(t, "the Follow tab", 10*time.Second, "voicenotes: follow tab for "+n.ID)
	from := a.lineCount()
	d.click(followTabX, tabsY)
	// The whole layout: its last word said.
	a.awaitLine(t, "the Follow tab's words laid out", from, 10*time.Second, regexp.MustCompile(fmt.Sprintf(`^voicenotes: follow word %d "`, len(timed)-1)))
	layout := a.followLayout()
	if len(layout) != len(timed) {
		d.screenshot("follow-missing.png")
		t.Fatalf("the Follow tab laid out %d words, the transcript has %d", len(layout), len(timed))
	}
	for i, w := range timed {
		if layout[i].text != w.Text {
			t.Fatalf("Follow word %d is %q, the transcript's is %q", i, layout[i].text, w.Text)
		}
	}

	// Click a word in the second half: playback starts from its start
	// and it is marked. Space pauses, so the mark can be seen standing.
	k := len(timed) * 2 / 3
	from = a.lineCount()
	w := layout[k]
	d.click(w.x+w.w/2, w.y+w.h/2)
	m := a.awaitLine(t, "the clicked word marked", from, 10*time.Second, regexp.MustCompile(fmt.Sprintf(`^voicenotes: follow marked %d at (\d+) ms$`, k)))
	if at, _ := strconv.Atoi(m[1]); time.Duration(at)*time.Millisecond != timed[k].Start {
		t.Errorf("clicking %q (said at %v) marked it at %v ms", timed[k].Text, timed[k].Start, at)
	}
	p := a.awaitLine(t, "the player's position", from, 10*time.Second, playingLine)
	pos, _ := strconv.Atoi(p[1])
	if got := time.Duration(pos) * time.Millisecond; got < timed[k].Start || got > timed[k].Start+100*time.Millisecond {
		t.Errorf("clicking %q (said at %v) played from %v", timed[k].Text, timed[k].Start, got)
	}
	d.key("space")
	a.await(t, "the pause", 10*time.Second, "voicenotes: paused")
	// The screen marks the word the window last said it marked (playback
	// went on from word k until the pause: on a loaded machine the key
	// arrives a few words later), or the next, if a position reported
	// before the pause is still being shown.
	said := k
	for _, l := range a.linesFrom(from) {
		if m := markedLine.FindStringSubmatch(l); m != nil {
			said, _ = strconv.Atoi(m[1])
		}
	}
	shot := filepath.Join(d.shots, "follow.png")
	d.screenshot("follow.png")
	marked := markedWord(t, shot, layout)
	if said < k || marked != said && marked != said+1 {
		t.Errorf("after clicking word %d (%q) and pausing, the window says it marks word %d and the screen marks word %d", k, timed[k].Text, said, marked)
	}

	// From the start: the mark moves with the player's position.
	from = a.lineCount()
	d.click(layout[0].x+layout[0].w/2, layout[0].y+layout[0].h/2)
	a.await(t, "the end of the clip", 30*time.Second, "voicenotes: played to the end")
	checked := 0
	var last time.Duration
	for _, l := range a.linesFrom(from) {
		if m := playingLine.FindStringSubmatch(l); m != nil {
			ms, _ := strconv.Atoi(m[1])
			last = time.Duration(ms) * time.Millisecond
		}
		if m := markedLine.FindStringSubmatch(l); m != nil && last > 0 {
			i, _ := strconv.Atoi(m[1])
			if want := timeline.Position(timed, last); i != want {
				t.Errorf("at %v the window marks word %d, the word being said is %d", last, i, want)
			}
			checked++
		}
	}
	if checked < len(timed)/2 {
		t.Errorf("the mark moved %d times while %d words played", checked, len(timed))
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	a.wait()
}

// The Follow tab's title, where the right-hand tabs are (Transcript,
// Preview, Follow) in the 1100×700 window.
const followTabX, tabsY = 555, 190

// markedWord is the word whose box holds the most of the mark's colour
// (Fyne's primary colour behind the word being said) in a screenshot.
func markedWord(t *testing.T, shot string, layout map[int]followWord) int {
	t.Helper()
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	best, bestCount := -1, 0
	for i, w := range layout {
		count := 0
		for y := w.y; y < w.y+w.h; y++ {
			for x := w.x; x < w.x+w.w; x++ {
				if isPrimary(img, x, y) {
					count++
				}
			}
		}
		if count > bestCount {
			best, bestCount = i, count
		}
	}
	return best
}

// isPrimary: Fyne's default primary colour is a bright blue (the Record
// button's); a selected list row's dark blue is not it.
func isPrimary(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	r, g, b = r>>8, g>>8, b>>8
	return b > 180 && r < 100 && b > g+60
}

// TestMarkersInTheWindow: Ctrl+M while recording puts a marker at the
// moment of the press (±200 ms, timed by the signal in the recording
// itself); a recording killed after a marker was dropped is recovered
// with it.
// The signal's reading of the recording is a span (see captureSpan), and
// so is the press: the key reaches the X server somewhere between the
// start of xdotool and its end (on a loaded machine starting it took
// more than 200 ms). A marker must be within 200 ms of some moment in
// the two together.
func TestMarkersInTheWindow(t *testing.T) {
	d := startDesktop(t)
	clk, delay := startClock(t, d.pulse)
	vault := filepath.Join(t.TempDir(), "vault")
	rec := filepath.Join(vault, persistence.RecordingsDir)
	a := d.launch(vault)
	type keySpan struct{ sent, done time.Time } // xdotool started and ended
	markKey := func() keySpan {
		var k keySpan
		k.sent = time.Now()
		d.key("ctrl+m")
		k.done = time.Now()
		return k
	}
	checkMarkers := func(which string, n *persistence.Note, press time.Time, marks []keySpan) {
		t.Helper()
		beganEarly, beganLate, _ := captureSpan(t, clk, &delay, filepath.Join(rec, n.ID+".wav"), press)
		if len(n.Markers) != len(marks) {
			t.Fatalf("%s: the note has %d markers, %d were dropped: %+v", which, len(n.Markers), len(marks), n.Markers)
		}
		for i, m := range marks {
			// A later beginning puts the press earlier in the recording.
			lo, hi := m.sent.Sub(beganLate), m.done.Sub(beganEarly)
			xdo := m.done.Sub(m.sent).Round(time.Millisecond)
			if at := n.Markers[i].At; outside(at-hi, at-lo, 200*time.Millisecond) > 0 {
				t.Errorf("%s: marker %d is at %v of the recording; Ctrl+M was pressed at %v to %v (xdotool ran %v)", which, i, at, lo.Round(time.Millisecond), hi.Round(time.Millisecond), xdo)
			} else {
				t.Logf("%s: marker %d at %v, pressed at %v to %v (xdotool ran %v)", which, i, at, lo.Round(time.Millisecond), hi.Round(time.Millisecond), xdo)
			}
		}
	}

	press := time.Now()
	d.key("ctrl+r")
	var marks []keySpan
	for _, at := range []time.Duration{1500 * time.Millisecond, 2700 * time.Millisecond} {
		time.Sleep(time.Until(press.Add(at))) // the person speaks, then marks
		marks = append(marks, markKey())
	}
	time.Sleep(time.Until(press.Add(3500 * time.Millisecond)))
	d.key("ctrl+r")
	var n *persistence.Note
	waitFor(t, "the note", 30*time.Second, func() bool {
		if ns := notes(t, vault); len(ns) == 1 {
			n = ns[0]
		}
		return n != nil
	})
	// The note is written as the audio is finished, its markers moved
	// into it after: read it once the window has it.
	a.await(t, "the saved recording on screen", 30*time.Second, "voicenotes: saved recording "+n.ID)
	if ns := notes(t, vault); len(ns) == 1 {
		n = ns[0]
	}
	checkMarkers("saved", n, press, marks)

	// Record again, mark, and kill the app once the marker is on disk.
	press = time.Now()
	d.key("ctrl+r")
	time.Sleep(time.Until(press.Add(1200 * time.Millisecond)))
	mark := markKey()
	waitFor(t, "the marker on disk", 10*time.Second, func() bool {
		m, _ := filepath.Glob(filepath.Join(rec, "*.markers"))
		if len(m) != 1 {
			return false
		}
		data, _ := os.ReadFile(m[0])
		return strings.Count(string(data), "\n") == 1
	})
	waitFor(t, "two seconds recorded", 10*time.Second, func() bool {
		st, err := os.Stat(partial(vault))
		return err == nil && st.Size() > 2*32000
	})
	a.cmd.Process.Signal(syscall.SIGKILL)
	a.wait()
	a = d.launch(vault)
	var recovered *persistence.Note
	waitFor(t, "the recovered recording", 10*time.Second, func() bool {
		for _, n := range notes(t, vault) {
			if n.Recovered {
				recovered = n
			}
		}
		return recovered != nil
	})
	checkMarkers("recovered after a kill", recovered, press, []keySpan{mark})
	if m, _ := filepath.Glob(filepath.Join(rec, "*.markers")); len(m) != 0 {
		t.Errorf("the markers file stayed after recovery: %v", m)
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	a.wait()
}
