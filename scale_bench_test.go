package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// scaleVault writes a vault of count notes of about 1.5 KB (titles, tags,
// a transcript of twenty sentences), each with a short WAV beside it, as
// years of daily use leave one.
func scaleVault(b *testing.B, count int) string {
	b.Helper()
	root := b.TempDir()
	rec := filepath.Join(root, persistence.RecordingsDir)
	if err := os.MkdirAll(rec, 0o700); err != nil {
		b.Fatal(err)
	}
	wav := make([]byte, 44+3200) // 0.1 s of silence at 16 kHz
	copy(wav, "RIFF")
	words := []string{"guitar", "meeting", "groceries", "idea", "project", "call", "dentist", "music", "garden", "book"}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range count {
		at := base.Add(time.Duration(i) * 7 * time.Minute)
		id := persistence.NewID(at)
		n := &persistence.Note{ID: id, Title: fmt.Sprintf("Note %d about %s", i, words[i%10]), Timestamp: at, CreatedAt: at, UpdatedAt: at,
			TranscriptionStatus: persistence.StatusDone, Duration: 42 * time.Second, Audio: id + ".wav", Engine: "pocketsphinx", Language: "en",
			Tags: []string{words[(i*7)%10]}, Body: strings.Repeat("Some words that were said into the microphone about "+words[(i*3)%10]+". ", 20)}
		data, err := n.Marshal()
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(rec, id+persistence.NoteExt), data, 0o600); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(rec, id+".wav"), wav, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	// Files settle (see persistence's index) before they are indexed.
	old := time.Now().Add(-time.Minute)
	entries, _ := os.ReadDir(rec)
	for _, e := range entries {
		os.Chtimes(filepath.Join(rec, e.Name()), old, old)
	}
	return root
}

// measureEnv makes the test binary run the command its arguments name,
// its output dropped, and print that command's peak resident memory in
// KiB: the benchmark's own process cannot take it. Its children are
// started with vfork, and the kernel counts the peak of the memory a
// child shared until it ran the program as the program's: every command
// the benchmark ran reported the benchmark's own peak (99 MB for `help`
// beside a 100k-note vault it had just written). Started from this small
// process instead, a command's peak is its own.
const measureEnv = "VOICENOTES_TEST_PEAK_RSS"

func runMeasured() {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", strings.Join(os.Args[1:], " "), err)
		os.Exit(1)
	}
	fmt.Println(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
}

// peakRSS is the peak resident memory of one run of name args, in MB.
func peakRSS(b *testing.B, name string, args ...string) int64 {
	cmd := exec.Command(os.Args[0], append([]string{name}, args...)...)
	cmd.Env = append(os.Environ(), measureEnv+"=1")
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("%s %v: %v", name, args, err)
	}
	var kib int64
	if _, err := fmt.Sscan(string(out), &kib); err != nil {
		b.Fatalf("%s %v: its peak memory: %q", name, args, out)
	}
	return kib >> 10
}

// BenchmarkCommandsAtScale: `voicenotes show`, `edit` and `list` on vaults
// of 10,000 and 100,000 notes, each a new process timed from start to
// exit, against their floors run interleaved with them: `cat` of the note
// (show, edit) and `ls -l` of the folder (list), each plus the start of
// the program (`voicenotes help`). Medians; peak memory of the largest.
func BenchmarkCommandsAtScale(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "voicenotes")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(name string, args ...string) time.Duration {
		cmd := exec.Command(name, args...)
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return time.Since(t0)
	}
	median := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Microseconds()) / 1000
	}
	for _, count := range []int{10_000, 100_000} {
		root := scaleVault(b, count)
		rec := filepath.Join(root, persistence.RecordingsDir)
		names, _ := filepath.Glob(filepath.Join(rec, "*.md"))
		note := names[len(names)/2]
		id := strings.TrimSuffix(filepath.Base(note), persistence.NoteExt)
		// The first list after the notes were written reads them all and
		// writes the index; a person's vault has one from then on.
		run(bin, "list", "--vault", root)
		run(bin, "list", "--vault", root)
		var show, edit, list, cat, ls, start []time.Duration
		var rss int64
		for range 5 {
			for _, c := range []struct {
				to   *[]time.Duration
				name string
				args []string
			}{
				{&show, bin, []string{"show", id, "--vault", root}},
				{&edit, bin, []string{"edit", id, "--vault", root, "--tag", fmt.Sprintf("t%d", len(edit))}},
				{&list, bin, []string{"list", "--vault", root}},
				{&cat, "cat", []string{note}},
				{&ls, "ls", []string{"-l", rec}},
				{&start, bin, []string{"help"}},
			} {
				*c.to = append(*c.to, run(c.name, c.args...))
				if c.name == bin { // and its memory, in a run of its own
					args := slices.Clone(c.args)
					if args[0] == "edit" {
						args[len(args)-1] = fmt.Sprintf("p%d", len(edit)) // a tag not there yet
					}
					rss = max(rss, peakRSS(b, c.name, args...))
				}
			}
		}
		k := fmt.Sprintf("%dk", count/1000)
		s, e, l, c, f, st := median(show), median(edit), median(list), median(cat), median(ls), median(start)
		b.ReportMetric(s, "show-"+k+"-ms")
		b.ReportMetric(e, "edit-"+k+"-ms")
		b.ReportMetric(l, "list-"+k+"-ms")
		b.ReportMetric(c, "cat-"+k+"-ms")
		b.ReportMetric(f, "ls-"+k+"-ms")
		b.ReportMetric(s/(c+st), "show-"+k+"-x-floor")
		b.ReportMetric(e/(c+st), "edit-"+k+"-x-floor")
		b.ReportMetric(l/(f+st), "list-"+k+"-x-floor")
		b.ReportMetric(float64(rss), "rss-"+k+"-MB")
	}
}
