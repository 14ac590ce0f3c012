// Command benchtable turns `go test -bench` output into the table make bench
// prints: each benchmark's metrics, with the project's target beside those
// that have one. Ratios are measured side by side in one run, so a busy
// machine moves subject and floor alike.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
)

// target is a bound on one metric of one benchmark.
type target struct {
	bench, metric string
	max           float64
	what          string
}

var targets = []target{
	{"BenchmarkSave10KB", "x-floor", 1.2, "durable save within 1.2x of create+write+fsync+fsync dir (not atomic)"},
	{"BenchmarkSave10KB", "x-atomic-floor", 1.2, "durable save within 1.2x of a hand-written O_EXCL temp+write+fsync+rename+fsync dir"},
	{"BenchmarkSave10KB", "x-renameio", 1.0, "no slower than renameio + dir fsync"},
	{"BenchmarkOpenVault10k", "x-raw", 3, "vault open within 3x of reading the bytes raw"},
	{"BenchmarkCleanup10k", "cleanup-ms/op", 100, "startup cleanup under 100 ms"},
	{"BenchmarkCaptureHour", "cpu-%core-per-audio-s", 1, "capture under 1% of a core"},
	{"BenchmarkCaptureHour", "rss-growth-MB", 2, "memory flat over an hour of audio"},
	{"BenchmarkCaptureHour", "frames-dropped", 0, "no audio lost"},
	{"BenchmarkRealTimeFactor", "x-continuous", 1, "in process at least as fast as pocketsphinx_continuous"},
	{"BenchmarkLiveLatency", "median-ms", 500, "live words within half a second of being spoken"},
	{"BenchmarkUploadHour", "peak-rss-MB", 100, "an hour of audio uploaded in under 100 MB of memory"},
	{"BenchmarkSearchKeystroke", "p99-ms", 16, "the search filter alone (not what a person sees: BenchmarkSearchPainted) within one frame"},
	{"BenchmarkSearchPainted", "p99-over-floor-1k-ms", 50, "a key typed in search to its result painted in the real window (Xvfb, software GL), 1k notes: at most 50 ms more than any key costs (the floor: xdotool, frame ticks, painting)"},
	{"BenchmarkSearchPainted", "p99-over-floor-10k-ms", 50, "the same on 10k notes"},
	{"BenchmarkAlignHour", "ms/align", 50, "an edited hour-long transcript aligned with its timings in under 50 ms"},
	{"BenchmarkMergeHour", "ms/merge", 100, "an edited hour-long transcript merged with a new one (two alignments, 9,000 words) in under 100 ms"},
	{"BenchmarkTimingsHour", "pct-of-wav", 1, "an hour's word timings under 1% of its recording's size"},
	{"BenchmarkFollowHighlight", "pct-of-frame", 5, "moving the Follow mark under 5% of a 60 Hz frame per position report"},
	{"BenchmarkCompact/flac", "pct-of-wav", 60, "FLAC storage about half the WAV's size"},
	{"BenchmarkCompact/opus", "pct-of-wav", 15, "Opus storage about an eighth of the WAV's size"},
	{"BenchmarkStretch", "cpu-%core", 5, "playback at 1.5x (48 kHz stereo) under 5% of a core"},
	{"BenchmarkMeter", "cpu-%core", 1, "the level meter under 1% of a core while recording"},
	{"BenchmarkLaunch10k", "first-frame-ms", 1000, "launch to first frame under a second"},
	{"BenchmarkIdle", "idle-cpu-%core-empty", 0.3, "the window left alone a minute: under 0.3% of a core"},
	{"BenchmarkIdle", "idle-cpu-%core-10k", 0.3, "the same with 10k notes"},
	{"BenchmarkIdle", "rss-MiB-empty", 150, "resident memory after a minute idle, empty vault, under 150 MiB"},
	{"BenchmarkIdle", "rss-MiB-10k", 200, "the same with 10k notes, under 200 MiB"},
	{"BenchmarkRecordStart", "first-ms", 150, "Ctrl+R to first captured sample, first recording after launch"},
	{"BenchmarkRecordStart", "later-ms", 150, "Ctrl+R to first captured sample, later recordings"},
	{"BenchmarkRecordStart", "cli-ms", 400, "voicenotes record: process start to first captured sample"},
	{"BenchmarkRecordStart", "ui-gap-ms", 50, "longest UI-thread stall while a recording starts and stops: time between two input polls"},
	{"BenchmarkRecordStart", "ui-stall-ms", 50, "longest wait of work handed to the UI thread then (frames painted first count)"},
	{"BenchmarkRecordStart", "ui-work-ms", 16, "the window's own longest piece of UI-thread work then, within a frame"},
	{"BenchmarkMoments", "stop-keeps-ms", 150, "Stop keeps what was said up to the press, on a real microphone that starts late and a fast one"},
	{"BenchmarkMoments", "marker-error-ms", 150, "a marker lands within 150 ms of the sound of the moment it was dropped"},
	{"BenchmarkDictationToText", "fast-p50-ms", 500, "push-to-talk released to the last character typed in another app, 10 s of speech, offline (p50)"},
	{"BenchmarkDictationToText", "fast-p90-ms", 500, "the same, p90"},
	{"BenchmarkTransformSave", "last-token-to-saved-ms", 50, "a transformation's last streamed word to the note saved (1 MB of text, kept and written durably), under 50 ms"},
	{"BenchmarkTransformSave", "peak-heap-MB", 64, "a 1 MB transcript transformed in under 64 MB of heap (the fake server in the same process included)"},
	{"BenchmarkListStartup", "x-floor", 2, "voicenotes list on an empty vault within 2x of ls on it plus an empty Go program's start"},
	{"BenchmarkListStartup", "list-ms", 50, "voicenotes list start-up well under 50 ms"},
	{"BenchmarkCommandsAtScale", "show-10k-x-floor", 1.5, "show on 10k notes within 1.5x of cat of the note plus the program's start"},
	{"BenchmarkCommandsAtScale", "show-100k-x-floor", 1.5, "show on 100k notes within 1.5x of the same floor: it does not grow with the vault"},
	{"BenchmarkCommandsAtScale", "edit-100k-x-floor", 2, "edit on 100k notes within 2x of that floor (it writes the note durably)"},
	{"BenchmarkCommandsAtScale", "show-10k-ms", 50, "show on 10k notes under 50 ms"},
	{"BenchmarkCommandsAtScale", "show-100k-ms", 100, "show on 100k notes under 100 ms"},
	{"BenchmarkCommandsAtScale", "list-10k-ms", 300, "list on 10k notes under 300 ms"},
	{"BenchmarkCommandsAtScale", "rss-100k-MB", 100, "no command on 100k notes needs more than 100 MB"},
}

func main() {
	os.Exit(table(os.Stdin, os.Stdout, os.Stderr))
}

// table reads benchmark output from in and prints the table to out; it
// returns 1 when a target was missed, a benchmark failed, or a target's
// benchmark never reported (it did not run, or was renamed): a bench run
// that passes says every target was measured and met.
func table(in io.Reader, out, errs io.Writer) int {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\tmetric\tvalue\ttarget\t")
	missed := 0
	seen := map[target]bool{}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "Benchmark") {
			if strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "panic") || strings.Contains(line, "--- FAIL") {
				fmt.Fprintln(errs, line)
				missed++
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i] // drop the -GOMAXPROCS suffix
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil || f[i+1] == "ns/op" {
				continue
			}
			// Judged on the value as the table shows it, so a row never
			// reads "1 <= 1 MISSED".
			v = shown(v)
			goal := ""
			for _, t := range targets {
				if t.bench == name && t.metric == f[i+1] {
					seen[t] = true
					mark := "ok"
					if v > t.max {
						mark = "MISSED"
						missed++
					}
					goal = fmt.Sprintf("<= %g %s (%s)", t.max, mark, t.what)
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", name, f[i+1], strconv.FormatFloat(v, 'g', -1, 64), goal)
		}
	}
	for _, t := range targets {
		if !seen[t] {
			fmt.Fprintf(tw, "%s\t%s\t-\t<= %g NOT MEASURED (%s)\t\n", t.bench, t.metric, t.max, t.what)
			missed++
		}
	}
	tw.Flush()
	if missed > 0 {
		fmt.Fprintf(out, "\n%d targets missed, not measured, or benchmarks failed\n", missed)
		return 1
	}
	return 0
}

// shown is v to the three significant digits the table prints.
func shown(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return r
}
