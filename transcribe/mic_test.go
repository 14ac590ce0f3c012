//go:build pocketsphinx

package transcribe

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/wer"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/audio/device"
	"github.com/voicenotes/voicenotes/internal/pulsetest"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
)

// TestRecordingPathKeepsAccuracy plays the LibriVox clips into the virtual
// microphone, records them through the app's capture path and transcribes
// the recordings: the WER must be within 5 points of transcribing the
// files directly. The virtual microphone runs at the clips' 16 kHz so that
// the sound server's resampling (not the app's) is out of the measurement,
// and the files are given the same silence around them as the recordings
// have (PocketSphinx's running normalisation depends on it).
func TestRecordingPathKeepsAccuracy(t *testing.T) {
	clips := librivoxClips(t)
	pulse := pulsetest.StartAt(t, 16000, 1)
	if err := device.Init(); err != nil {
		t.Fatal(err)
	}
	defer device.Terminate()
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	e := newPocketSphinx(t)
	var refs, direct, recorded []string
	for _, c := range clips {
		src, err := device.OpenInput("")
		if err != nil {
			t.Fatal(err)
		}
		// The recording's levels carry how much audio is stored: the test
		// waits on them for the silence it wants before and after the clip.
		var stored atomic.Int64
		levels := make(chan struct{}, 1)
		r, err := recording.Start(recording.Options{Vault: v, Source: src, OnLevel: func(l audio.Level) {
			stored.Store(int64(l.Elapsed))
			select {
			case levels <- struct{}{}:
			default:
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		storedAtLeast := func(d time.Duration) {
			for time.Duration(stored.Load()) < d {
				select {
				case <-levels:
				case <-time.After(time.Minute):
					t.Fatalf("the microphone delivered no audio past %v", time.Duration(stored.Load()))
				}
			}
		}
		storedAtLeast(300 * time.Millisecond)
		if err := pulse.Play(t, c.path).Wait(); err != nil {
			t.Fatal(err)
		}
		storedAtLeast(time.Duration(stored.Load()) + 700*time.Millisecond)
		n, err := r.Stop()
		if err != nil {
			t.Fatal(err)
		}
		if r.Dropped() != 0 {
			t.Errorf("%s: %d frames dropped while recording", filepath.Base(c.path), r.Dropped())
		}
		recPath := filepath.Join(v.RecordingsPath(), n.Audio)
		got, err := e.Transcribe(context.Background(), recPath, Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The file, with the same silence before and after it as the
		// recording has: the only difference left is the capture path.
		padded := padLike(t, c.path, recPath)
		want, err := e.Transcribe(context.Background(), padded, Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		refs, direct, recorded = append(refs, c.ref), append(direct, want.Text), append(recorded, got.Text)
		t.Logf("%s\n  file, padded: %s\n  recorded:     %s", filepath.Base(c.path), want.Text, got.Text)
	}
	d, r := wer.Corpus(refs, direct), wer.Corpus(refs, recorded)
	t.Logf("WER transcribing the files (padded alike) %.1f%%, through the microphone %.1f%%", 100*d, 100*r)
	if r > d+0.05 {
		t.Errorf("recording costs %.1f points of WER (%.1f%% against %.1f%%); want at most 5", 100*(r-d), 100*r, 100*d)
	}
}

// padLike writes clip with zeros before and after so that it lines up with
// where it sits in the recording, and returns the new file's path.
func padLike(t *testing.T, clip, recording string) string {
	t.Helper()
	load := func(p string) []int16 {
		var s []int16
		if err := decodeFile(context.Background(), p, func(b []int16) error { s = append(s, b...); return nil }, nil); err != nil {
			t.Fatal(err)
		}
		return s
	}
	ref, rec := load(clip), load(recording)
	if len(rec) < len(ref) {
		t.Fatalf("the recording (%d samples) is shorter than the clip (%d)", len(rec), len(ref))
	}
	best, lag := -1.0, 0
	for l := 0; l+len(ref) <= len(rec); l++ {
		var dot float64
		for i := 0; i < len(ref); i += 8 {
			dot += float64(ref[i]) * float64(rec[l+i])
		}
		if dot > best {
			best, lag = dot, l
		}
	}
	out := make([]int16, len(rec))
	copy(out[lag:], ref)
	path := filepath.Join(tempdir.New(t), "padded.wav")
	if err := audio.WritePCM16(path, 16000, 1, out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	return path
}
