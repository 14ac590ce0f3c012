package recording_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/faultfs"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
)

// speechMinute is a minute of real speech (the LibriVox clips, end to
// end, again and again) as a 16 kHz note of the vault, the way a
// recording is stored.
func speechMinute(tb testing.TB, v *persistence.Vault) *persistence.Note {
	tb.Helper()
	const dir = "/usr/share/pocketsphinx/test/data/librivox/"
	clips, _ := filepath.Glob(dir + "*.wav")
	if len(clips) == 0 {
		tb.Skip("the LibriVox clips are missing; make setup installs pocketsphinx-testdata")
	}
	var speech []int16
	for len(speech) < 60*audio.StoreRate {
		for _, c := range clips {
			if err := audio.ReadMonoFile(context.Background(), c, audio.StoreRate, audio.StoreRate, func(b []int16) error { speech = append(speech, b...); return nil }, nil); err != nil {
				tb.Fatal(err)
			}
		}
	}
	speech = speech[:60*audio.StoreRate]
	n := v.NewNote()
	n.Title, n.Body, n.TranscriptionStatus = "A minute", "words\n", persistence.StatusDone
	if err := audio.WritePCM16(filepath.Join(v.RecordingsPath(), n.ID+".wav"), audio.StoreRate, 1, speech); err != nil {
		tb.Fatal(err)
	}
	n.Audio, n.Duration = n.ID+".wav", time.Minute
	if err := v.Save(n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestCompact: a recording kept as FLAC decodes to exactly its samples in
// about half the space; as Opus, in about an eighth; the note points at
// the new file, its words kept, and the WAV and the marker are gone. An
// unknown format changes nothing.
func TestCompact(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
	for _, format := range []string{"flac", "opus"} {
		v, err := persistence.Open(tempdir.New(t), persistence.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		n := speechMinute(t, v)
		wav, _ := v.AudioPath(n)
		before := readSamples(t, wav)
		wavSize := fileSize(t, wav)
		if _, err := recording.Compact(context.Background(), v, n, "mp9"); err == nil {
			t.Error("an unknown format was accepted")
		}
		got, err := recording.Compact(context.Background(), v, n, format)
		if err != nil {
			t.Fatal(err)
		}
		path, ok := v.AudioPath(got)
		if !ok || filepath.Ext(path) != "."+format || got.Audio != n.ID+"."+format || got.Body != "words\n" {
			t.Fatalf("%s: the note points at %q (%v), body %q", format, got.Audio, ok, got.Body)
		}
		if _, err := os.Stat(wav); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: the WAV is still there (%v)", format, err)
		}
		if m, _ := filepath.Glob(filepath.Join(v.RecordingsPath(), "*"+recording.CompactingExt)); len(m) > 0 {
			t.Errorf("%s: the marker was left: %v", format, m)
		}
		ratio := float64(fileSize(t, path)) / float64(wavSize)
		after := readAny(t, path)
		t.Logf("%s: %.1f%% of the WAV's size", format, 100*ratio)
		switch format {
		case "flac":
			if len(after) != len(before) {
				t.Fatalf("flac: %d samples, the WAV %d", len(after), len(before))
			}
			for i := range before {
				if after[i] != before[i] {
					t.Fatalf("flac: sample %d is %d, was %d: not lossless", i, after[i], before[i])
				}
			}
			if ratio > 0.7 {
				t.Errorf("flac: %.0f%% of the WAV's size, want about half", 100*ratio)
			}
		case "opus":
			if d := len(after) - len(before); d < -160 || d > 160 {
				t.Errorf("opus: %d samples, the WAV %d", len(after), len(before))
			}
			if ratio > 0.15 { // 32 kb/s against 256 kb/s: an eighth, and the container
				t.Errorf("opus: %.0f%% of the WAV's size, want an eighth or so", 100*ratio)
			}
		}
		// Kept as it is: a second call changes nothing.
		if again, err := recording.Compact(context.Background(), v, got, format); err != nil || again.Audio != got.Audio {
			t.Errorf("%s: compacting again: %v, %q", format, err, again.Audio)
		}
	}
}

func fileSize(t testing.TB, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// BenchmarkCompact keeps a minute of real speech as FLAC and as Opus and
// reports each one's size against the WAV's and the time to convert it
// per minute of audio.
func BenchmarkCompact(b *testing.B) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		b.Skip("ffmpeg is not installed (make setup installs it)")
	}
	for _, format := range []string{"flac", "opus"} {
		b.Run(format, func(b *testing.B) {
			var took time.Duration
			var ratio float64
			for b.Loop() {
				v, err := persistence.Open(tempdir.New(b), persistence.Options{})
				if err != nil {
					b.Fatal(err)
				}
				n := speechMinute(b, v)
				wav, _ := v.AudioPath(n)
				size := fileSize(b, wav)
				t0 := time.Now()
				got, err := recording.Compact(context.Background(), v, n, format)
				took += time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				path, _ := v.AudioPath(got)
				ratio = float64(fileSize(b, path)) / float64(size)
				v.Close()
			}
			b.ReportMetric(100*ratio, "pct-of-wav")
			b.ReportMetric(float64((took / time.Duration(b.N)).Milliseconds()), "ms-per-audio-min")
		})
	}
}

// TestCompactionMarkerIsNeverFree: from the moment the conversion's
// marker has its name until the conversion ends, its lock is held, so no
// other process's recovery finishes or undoes the conversion under it.
// The marker's lock is tried at every file operation after it appears.
func TestCompactionMarkerIsNeverFree(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
	var marker string
	var visible atomic.Bool
	var tries, free atomic.Int32
	fsys := faultfs.New(persistence.OS, func(e faultfs.Event) error {
		if marker == "" {
			return nil
		}
		if e.Op == faultfs.OpRename && e.Path == marker {
			visible.Store(true) // the rename happens after this hook
			return nil
		}
		if visible.Load() {
			if _, err := os.Lstat(marker); err == nil {
				tries.Add(1)
				if l, err := persistence.LockExisting(marker); err == nil {
					free.Add(1)
					l.Unlock()
				}
			}
		}
		return nil
	})
	v, err := persistence.Open(tempdir.New(t), persistence.Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := speechMinute(t, v)
	marker = filepath.Join(v.RecordingsPath(), n.ID+recording.CompactingExt)
	if _, err := recording.Compact(context.Background(), v, n, "flac"); err != nil {
		t.Fatal(err)
	}
	if tries.Load() == 0 {
		t.Fatal("the marker was never seen: the test looked in the wrong place")
	}
	if free.Load() > 0 {
		t.Errorf("the marker's lock was free at %d of %d file operations while the conversion ran", free.Load(), tries.Load())
	}
}
