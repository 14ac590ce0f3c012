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
	run := func(name string, args ...string) (time.Duration, int64) {
		cmd := exec.Command(name, args...)
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return time.Since(t0), cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss >> 10
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
				d, m := run(c.name, c.args...)
				*c.to = append(*c.to, d)
				if c.name == bin {
					rss = max(rss, m)
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
