//go:build e2e

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// benchVault writes a vault of count notes, a few hours apart over the
// last years, some about the guitar.
func benchVault(b *testing.B, count int) string {
	b.Helper()
	vault := filepath.Join(b.TempDir(), "vault")
	rec := filepath.Join(vault, persistence.RecordingsDir)
	if err := os.MkdirAll(rec, 0o700); err != nil {
		b.Fatal(err)
	}
	words := strings.Fields("budget meeting groceries idea travel call doctor garden book music project guitar")
	base := time.Now().UTC().Add(-time.Duration(count) * 3 * time.Hour)
	for i := range count {
		at := base.Add(time.Duration(i) * 3 * time.Hour)
		n := &persistence.Note{ID: persistence.NewID(at), Title: fmt.Sprintf("Note %d about %s", i, words[i%len(words)]), CreatedAt: at, Timestamp: at, UpdatedAt: at,
			TranscriptionStatus: persistence.StatusDone, Duration: 42 * time.Second, Engine: "pocketsphinx",
			Body: strings.Repeat("Some words that were said into the microphone about "+words[(i*7)%len(words)]+". ", 20)}
		data, _ := n.Marshal()
		path := filepath.Join(rec, n.ID+".md")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		// Written when it was recorded, as a vault kept over the years
		// is: files all written a moment ago are what a sync tool
		// catching up leaves, which the app reads again once it is up.
		if err := os.Chtimes(path, at, at); err != nil {
			b.Fatal(err)
		}
	}
	return vault
}

// BenchmarkSearchPainted types "guitar" into the search field of the real
// window, one key at a time as a person does, on vaults of 1,000 and
// 10,000 notes, and times each key from just before xdotool is started to
// the frame that shows its result painted (the app's trace, at most a
// frame late: see ui's tracePainted). Its floor is the same for a space
// typed after the word, which changes the field and no result: xdotool's
// start, the frame ticks and the painting any key costs here. over-floor
// is what searching adds. search-filter-only in ui's
// BenchmarkSearchKeystroke is the filter alone.
func BenchmarkSearchPainted(b *testing.B) {
	d := startXvfb(b)
	d.t = b
	for _, count := range []int{1000, 10000} {
		a := d.launch(benchVault(b, count))
		d.key("ctrl+f")
		var lat, floor []time.Duration
		typeKey := func(key, typed string) time.Duration {
			t0 := time.Now()
			d.key(key)
			a.awaitPrefix(b, "the search result painted", 20*time.Second, fmt.Sprintf("voicenotes: search painted %q ", typed))
			return time.Since(t0)
		}
		for range 3 {
			typed := ""
			for _, c := range "guitar" {
				typed += string(c)
				lat = append(lat, typeKey(string(c), typed))
			}
			floor = append(floor, typeKey("space", typed+" "))
			d.key("ctrl+a", "BackSpace")
			a.awaitPrefix(b, "the search cleared", 20*time.Second, `voicenotes: search painted "" `)
			a.forget()
		}
		a.cmd.Process.Kill()
		a.wait()
		slices.Sort(lat)
		slices.Sort(floor)
		k := fmt.Sprintf("%dk", count/1000)
		p50, p99, f := lat[len(lat)/2], lat[len(lat)*99/100], floor[len(floor)/2]
		b.ReportMetric(float64(p50.Milliseconds()), "p50-"+k+"-ms")
		b.ReportMetric(float64(p99.Milliseconds()), "p99-"+k+"-ms")
		b.ReportMetric(float64(f.Milliseconds()), "floor-"+k+"-ms")
		b.ReportMetric(float64((p99 - f).Milliseconds()), "p99-over-floor-"+k+"-ms")
	}
}

// buildBareFyne builds e2e/barefyne, the bare Fyne window the window's
// figures are compared with.
func buildBareFyne(b *testing.B) string {
	b.Helper()
	bare := filepath.Join(b.TempDir(), "barefyne")
	if out, err := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", bare, "./barefyne").CombinedOutput(); err != nil {
		b.Fatalf("building the bare Fyne window: %v\n%s", err, out)
	}
	return bare
}

// BenchmarkIdle leaves the real window alone for a minute after launch, on
// an empty vault and on 10,000 notes, and reports the share of a core it
// used meanwhile (its CPU time over the wall time) and its resident memory
// at the end: what an app that stays open all day costs when nobody uses
// it. The minute begins once the launch's deferred work is done (memory
// given back at 5 s, the rescan's first listing at 10 s: see desktop and
// ui/background.go), whose CPU time is reported apart (settle-cpu-ms): a
// cost paid once per launch, not every minute. Beside the empty vault's
// minute, a bare Fyne window (e2e/barefyne, on the same patched Fyne) is
// measured the same way: the toolkit's own floor, which the differences
// compare against.
func BenchmarkIdle(b *testing.B) {
	d := startXvfb(b)
	d.t = b
	bare := buildBareFyne(b)
	// idle runs cmd, waits for its window, lets it settle, and measures a
	// minute of it doing nothing.
	type usage struct {
		cpu    float64 // % of a core
		rss    float64 // MiB
		settle float64 // CPU ms from 5 s to 15 s after the window showed
	}
	idle := func(cmd *exec.Cmd, title string) <-chan usage {
		cmd.Env = d.env()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		if err := d.xdotool("search", "--sync", "--name", title); err != nil {
			b.Fatalf("the window %q never showed: %v", title, err)
		}
		got := make(chan usage, 1)
		go func() {
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			time.Sleep(5 * time.Second) // the start's own work settles
			cpuS, _ := procStat(b, cmd.Process.Pid)
			time.Sleep(10 * time.Second) // the launch's deferred work
			cpu0, _ := procStat(b, cmd.Process.Pid)
			t0 := time.Now()
			time.Sleep(60 * time.Second) // the measured minute of doing nothing
			cpu1, rss := procStat(b, cmd.Process.Pid)
			got <- usage{100 * float64(cpu1-cpu0) / float64(time.Since(t0)), float64(rss) / (1 << 20), float64((cpu0 - cpuS).Milliseconds())}
		}()
		return got
	}
	var peer usage
	for _, v := range []struct {
		name  string
		count int
	}{{"empty", 0}, {"10k", 10000}} {
		// Without VOICENOTES_TRACE, whose frame-tick probes would keep
		// Fyne's loop busy: the window is awaited by its title.
		ours := idle(exec.Command(binary, "--vault", benchVault(b, v.count)), "Voice Notes")
		var bareUse <-chan usage
		if v.name == "empty" {
			bareUse = idle(exec.Command(bare), "bare Fyne")
		}
		u := <-ours
		b.ReportMetric(u.cpu, "idle-cpu-%core-"+v.name)
		b.ReportMetric(u.rss, "rss-MiB-"+v.name)
		b.ReportMetric(u.settle, "settle-cpu-ms-"+v.name)
		if bareUse != nil {
			peer = <-bareUse
			b.ReportMetric(peer.cpu, "idle-cpu-%core-bare-fyne")
			b.ReportMetric(peer.rss, "rss-MiB-bare-fyne")
		}
		b.ReportMetric(u.cpu-peer.cpu, "idle-cpu-%core-over-bare-fyne-"+v.name)
		b.ReportMetric(u.rss-peer.rss, "rss-MiB-over-bare-fyne-"+v.name)
	}
}

// procStat is a process's CPU time so far (user and system) and its
// resident memory, from /proc.
func procStat(b *testing.B, pid int) (time.Duration, int64) {
	b.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the command's name, which is in parentheses.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	var utime, stime, rssPages int64
	fmt.Sscan(f[11], &utime)
	fmt.Sscan(f[12], &stime)
	fmt.Sscan(f[21], &rssPages)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks, rssPages * int64(os.Getpagesize())
}

// BenchmarkLaunch10k starts the real binary under Xvfb on a vault of
// 10,000 notes and measures the time from exec to its first frame: the
// first launch on the vault (first-frame-cold-ms: every note is read, and
// the note index written), then the launches a person makes every day
// (first-frame-ms, with the index). Beside each of those, a bare Fyne
// window of the same size is launched the same way (first-frame-bare-fyne-
// ms): Fyne's own start, its GL context and first painting, which no app
// on it can go below; first-frame-over-bare-fyne-ms is what is Voice
// Notes' own. A slow listing does not hold the first frame back: the
// window opens saying it is reading, and listed-ms (listed-cold-ms) is
// when the list of 10,000 notes is on the screen.
func BenchmarkLaunch10k(b *testing.B) {
	vault := benchVault(b, 10000)
	d := startXvfb(b)
	bare := buildBareFyne(b)
	index := filepath.Join(vault, persistence.StateDir, "index")
	var listedTimes []time.Duration // to the list of 10,000 notes painted
	start := func(name string, args ...string) time.Duration {
		cmd := exec.Command(name, args...)
		cmd.Env = append(d.env(), "VOICENOTES_TRACE=1", "BAREFYNE_TRACE=1")
		stderr, _ := cmd.StderrPipe()
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		var frame, listed time.Duration
		for sc.Scan() {
			switch l := sc.Text(); {
			case l == "voicenotes: first frame":
				frame = time.Since(t0)
			case strings.HasPrefix(l, "voicenotes: vault listed "):
				if l != "voicenotes: vault listed 10000" {
					b.Fatalf("%s: %q, want 10000 notes", name, l)
				}
				listed = time.Since(t0)
			}
			if frame > 0 && (listed > 0 || name != binary) {
				break
			}
		}
		if frame == 0 || (listed == 0 && name == binary) {
			b.Fatalf("%s never reported its first frame (after %v) or its list (after %v)", name, frame, listed)
		}
		if name == binary {
			listedTimes = append(listedTimes, listed)
			// The index is written in the background after the first list.
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
				if _, err := os.Stat(index); err == nil || time.Now().After(deadline) {
					break
				}
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		return frame
	}
	launch := func() time.Duration { return start(binary, "--vault", vault) }
	cold := launch()
	coldListed := listedTimes[0]
	listedTimes = nil
	start(bare) // its first launch, like the app's, is not an everyday one
	var times, bareTimes []time.Duration
	for b.Loop() {
		times = append(times, launch())
		bareTimes = append(bareTimes, start(bare))
	}
	median := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Milliseconds())
	}
	b.ReportMetric(median(times), "first-frame-ms")
	b.ReportMetric(float64(cold.Milliseconds()), "first-frame-cold-ms")
	b.ReportMetric(median(listedTimes), "listed-ms")
	b.ReportMetric(float64(coldListed.Milliseconds()), "listed-cold-ms")
	b.ReportMetric(median(bareTimes), "first-frame-bare-fyne-ms")
	b.ReportMetric(median(times)-median(bareTimes), "first-frame-over-bare-fyne-ms")
}

// BenchmarkRecordStart measures, with the timing signal played through the
// virtual microphone, how long after Ctrl+R the window's capture begins
// (the first recording after each launch, and the next one), how long
// after its start `voicenotes record` begins, and how the UI thread fared
// while a recording started and stopped: ui-gap-ms, the longest time
// between two of its frame ticks, where Fyne polls input (what a keypress
// could wait); ui-stall-ms, the longest a function handed to it waited
// (the window's work and Fyne's layout and painting, and frames Fyne's
// loop chose to paint first); ui-work-ms, the longest single piece of the
// window's own work. Each figure is
// the worst of the runs; the press is taken before xdotool is started, so
// its own start is counted against the app.
func BenchmarkRecordStart(b *testing.B) {
	d := startDesktop(b)
	clk, delay := startClock(b, d.pulse)
	vault := filepath.Join(b.TempDir(), "vault")
	var first, later, cli, stall, gap, work time.Duration
	for b.Loop() {
		a := d.launch(vault)
		// The recordings are analysed after the window quits: the
		// analysis is the bench's own work, and on two cores it would
		// compete with the window it measures.
		var made [2]*persistence.Note
		var pressed [2]time.Time
		for i := range made {
			p := d.pressRecord(b, a, vault, 1500*time.Millisecond)
			made[i], pressed[i] = p.note, p.at
			stall, gap, work = max(stall, p.stall), max(gap, p.gap), max(work, p.work)
		}
		a.cmd.Process.Signal(syscall.SIGTERM)
		a.wait()
		for i, n := range made {
			began, _ := captureBegan(b, clk, delay, filepath.Join(vault, persistence.RecordingsDir, n.ID+".wav"), pressed[i])
			if i == 0 {
				first = max(first, began.Sub(pressed[i]))
			} else {
				later = max(later, began.Sub(pressed[i]))
			}
		}
		lag, _ := cliRecord(b, d, clk, &delay, vault, "1")
		cli = max(cli, lag)
	}
	if err := clk.Err(); err != nil {
		b.Fatalf("the timing signal stopped: %v", err)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(first), "first-ms")
	b.ReportMetric(ms(later), "later-ms")
	b.ReportMetric(ms(cli), "cli-ms")
	b.ReportMetric(ms(stall), "ui-stall-ms")
	b.ReportMetric(ms(gap), "ui-gap-ms")
	b.ReportMetric(ms(work), "ui-work-ms")
}

// BenchmarkDictationToText is what a dictating person waits for: from
// letting go of the push-to-talk shortcut to the last character of the
// text in the app that has the keyboard (a terminal writing what it is
// typed to a file, watched every 2 ms), for a 10 s dictation of real
// speech transcribed offline with PocketSphinx. p50 and p90 over the
// runs, on a fast input (speech played with a 20 ms buffer) and, with
// fewer runs, a slow one (paplay's own buffer: the microphone delivers
// in blocks of up to two seconds, and the last block must arrive before
// the recording can end).
func BenchmarkDictationToText(b *testing.B) {
	clip := dictationTools(b)
	d := startDesktop(b)
	speech := filepath.Join(b.TempDir(), "ten-seconds.wav")
	join := exec.Command("ffmpeg", "-v", "error", "-i", clip, "-i", strings.Replace(clip, "-0880", "-0870", 1),
		"-filter_complex", "[1:a][0:a]concat=n=2:v=0:a=1", speech)
	if out, err := join.CombinedOutput(); err != nil {
		b.Fatalf("joining the speech: %v\n%s", err, out)
	}
	vault := filepath.Join(b.TempDir(), "vault")
	writePrefs(b, d, map[string]any{"settingsSaved": true, "engine": "pocketsphinx", "sampleRate": 16000, "storeAs": "wav",
		"dictationKey": "Ctrl+Alt+Space", "dictationHold": true, "dictationTypes": true})
	a := d.launch(vault)
	a.await(b, "the shortcut grabbed", 20*time.Second, "voicenotes: dictation shortcut Ctrl+Alt+Space ready")
	out := focusedTerminal(b, d)
	typed := regexp.MustCompile(`^voicenotes: dictated \S+ (typed|copied|failed|nothing)$`)
	dictate := func(options ...string) time.Duration {
		from := a.lineCount()
		if err := d.xdotool("keydown", "ctrl+alt+space"); err != nil {
			b.Fatal(err)
		}
		a.awaitLine(b, "the dictation started", from, 10*time.Second, regexp.MustCompile(`^voicenotes: dictating into "target"$`))
		if err := d.pulse.PlayWith(b, speech, options...).Wait(); err != nil {
			b.Fatal(err)
		}
		// The terminal's file is watched from before the release: the
		// last moment it grew is when the text was all there.
		var last time.Time
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			var size int64 = -1
			for {
				if st, err := os.Stat(out); err == nil && st.Size() != size {
					if size >= 0 {
						last = time.Now()
					}
					size = st.Size()
				}
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
		}()
		if err := d.xdotool("keyup", "ctrl+alt+space"); err != nil {
			b.Fatal(err)
		}
		release := time.Now() // the key went out just before xdotool exited
		a.awaitLine(b, "the dictation saved", from, 60*time.Second, regexp.MustCompile(`^voicenotes: saved recording `))
		saved := time.Now()
		m := a.awaitLine(b, "the dictation's text", from, 60*time.Second, typed)
		said := time.Now()
		time.Sleep(50 * time.Millisecond) // the terminal writes what it was sent
		close(stop)
		<-done
		if m[1] != "typed" || last.IsZero() {
			b.Fatalf("the dictation was %s, not typed; the app said:\n%s", m[1], a.stderr())
		}
		b.Logf("release to: saved %v, typed said %v, last character %v", saved.Sub(release).Round(time.Millisecond), said.Sub(release).Round(time.Millisecond), last.Sub(release).Round(time.Millisecond))
		return last.Sub(release)
	}
	percentiles := func(runs []time.Duration) (p50, p90 time.Duration) {
		slices.Sort(runs)
		return runs[len(runs)/2], runs[min(len(runs)-1, len(runs)*9/10)]
	}
	var fast, slow []time.Duration
	for b.Loop() {
		fast = append(fast, dictate("--latency-msec=20"))
	}
	for range 3 {
		slow = append(slow, dictate())
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	p50, p90 := percentiles(fast)
	b.Logf("release to text, fast input: %v; slow input: %v", fast, slow)
	b.ReportMetric(ms(p50), "fast-p50-ms")
	b.ReportMetric(ms(p90), "fast-p90-ms")
	p50, p90 = percentiles(slow)
	b.ReportMetric(ms(p50), "slow-p50-ms")
	b.ReportMetric(ms(p90), "slow-p90-ms")
}
