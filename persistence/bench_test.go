package persistence_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// Benchmarks for make bench. Each measures the subject and its floor or peer
// in the same loop, interleaved, and reports their ratio, so a noisy shared
// machine moves both alike.

// floorWrite is the least it costs to put new content durably in a folder:
// create a file, write, fsync it, fsync the folder. It is not atomic (a
// crash can leave a partial file); it is the physical floor of a save.
func floorWrite(path string, data []byte) error {
	if err := createSynced(path, data); err != nil {
		return err
	}
	return persistence.SyncDir(persistence.OS, filepath.Dir(path))
}

// createSynced makes a new file (O_EXCL) with data, fsynced and closed.
func createSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// floorAtomic is the least an atomic replace can cost, hand-written with
// nothing else: a new temp file (O_EXCL) beside the target, write, fsync,
// rename over the target, fsync the folder.
func floorAtomic(path string, data []byte) error {
	tmp := path + ".floor.tmp"
	if err := createSynced(tmp, data); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return persistence.SyncDir(persistence.OS, filepath.Dir(path))
}

func BenchmarkSave10KB(b *testing.B) {
	if renameioWrite == nil {
		b.Skip("the peer, renameio, does not support this system")
	}
	dir := tempdir.New(b)
	n := &persistence.Note{ID: "bench", Title: "A benchmark note", TranscriptionStatus: persistence.StatusDone,
		Body: strings.Repeat("Ten kilobytes of transcript, more or less. ", 240)}
	data, err := n.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	var durable, floor, atomicFloor, peer time.Duration
	i := 0
	for b.Loop() {
		i++
		t0 := time.Now()
		if err := persistence.WriteFile(persistence.OS, filepath.Join(dir, "durable.md"), data, persistence.FilePerm); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := floorWrite(filepath.Join(dir, fmt.Sprintf("floor%d.md", i)), data); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if err := renameioWrite(filepath.Join(dir, "renameio.md"), data); err != nil {
			b.Fatal(err)
		}
		if err := persistence.SyncDir(persistence.OS, dir); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		if err := floorAtomic(filepath.Join(dir, "atomic.md"), data); err != nil {
			b.Fatal(err)
		}
		t4 := time.Now()
		durable, floor, peer, atomicFloor = durable+t1.Sub(t0), floor+t2.Sub(t1), peer+t3.Sub(t2), atomicFloor+t4.Sub(t3)
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	b.ReportMetric(per(durable), "durable-µs/op")
	b.ReportMetric(per(floor), "floor-µs/op")
	b.ReportMetric(per(peer), "renameio-µs/op")
	b.ReportMetric(per(atomicFloor), "atomic-floor-µs/op")
	b.ReportMetric(float64(durable)/float64(floor), "x-floor")
	b.ReportMetric(float64(durable)/float64(atomicFloor), "x-atomic-floor")
	b.ReportMetric(float64(durable)/float64(peer), "x-renameio")
}

// benchVault builds (once per run) a vault of count notes of about 1 KB.
func benchVault(b *testing.B, count int) string {
	b.Helper()
	root := filepath.Join(os.TempDir(), fmt.Sprintf("voicenotes-bench-%d-%d", count, os.Getpid()))
	rec := filepath.Join(root, persistence.RecordingsDir)
	if _, err := os.Stat(filepath.Join(root, "complete")); err == nil {
		return root
	}
	if err := os.MkdirAll(rec, 0o700); err != nil {
		b.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range count {
		t := base.Add(time.Duration(i) * time.Minute)
		n := &persistence.Note{ID: persistence.NewID(t), Title: fmt.Sprintf("Note %d", i), Timestamp: t, CreatedAt: t, UpdatedAt: t,
			TranscriptionStatus: persistence.StatusDone, Duration: 42 * time.Second, Audio: "x.wav", Engine: "pocketsphinx", Language: "en",
			Body: strings.Repeat("Some words that were said into the microphone. ", 20)}
		data, err := n.Marshal()
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(rec, n.ID+".md"), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "complete"), nil, 0o600)
	b.Cleanup(func() { os.RemoveAll(root) })
	return root
}

// readRaw reads every note's bytes without parsing: the floor of opening.
func readRaw(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return 0, err
		}
		total += len(data)
	}
	return total, nil
}

func BenchmarkOpenVault10k(b *testing.B) {
	root := benchVault(b, 10000)
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	var list, raw time.Duration
	for b.Loop() {
		t0 := time.Now()
		notes, bad, err := v.List()
		if err != nil || len(bad) > 0 || len(notes) != 10000 {
			b.Fatalf("List: %d notes, %v, %v", len(notes), bad, err)
		}
		t1 := time.Now()
		if _, err := readRaw(v.RecordingsPath()); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		list, raw = list+t1.Sub(t0), raw+t2.Sub(t1)
	}
	b.ReportMetric(float64(list.Milliseconds())/float64(b.N), "open-ms/op")
	b.ReportMetric(float64(raw.Milliseconds())/float64(b.N), "raw-ms/op")
	b.ReportMetric(float64(list)/float64(raw), "x-raw")
}

func BenchmarkCleanup10k(b *testing.B) {
	root := benchVault(b, 10000)
	rec := filepath.Join(root, persistence.RecordingsDir)
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	old := time.Now().Add(-2 * time.Hour)
	var spent time.Duration
	for b.Loop() {
		b.StopTimer()
		for i := range 1000 {
			p := filepath.Join(rec, fmt.Sprintf(".orphan%d.md.abcdefghijkl.tmp", i))
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				b.Fatal(err)
			}
			os.Chtimes(p, old, old)
		}
		b.StartTimer()
		t0 := time.Now()
		removed, err := v.Cleanup(persistence.DefaultCleanupAge)
		spent += time.Since(t0)
		if err != nil || len(removed) != 1000 {
			b.Fatalf("removed %d, %v", len(removed), err)
		}
	}
	b.ReportMetric(float64(spent.Microseconds())/1e3/float64(b.N), "cleanup-ms/op")
}
