//go:build pocketsphinx

package transcribe

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/audio/device"
	"github.com/voicenotes/voicenotes/internal/pulsetest"
	"github.com/voicenotes/voicenotes/persistence"
)

// TestRecordingPathKeepsAccuracy plays the LibriVox clips into the virtual
// microphone, records them through the app's capture path and transcribes
// the recordings: the WER must be within 5 points of transcribing the
// files directly. The virtual microphone runs at the clips' 16 kHz so that
// the sound server's resampling (not the app's) is out of the measurement.
func TestRecordingPathKeepsAccuracy(t *testing.T) {
	clips := librivoxClips(t)
	pulse := pulsetest.StartAt(t, 16000, 1)
	if err := device.Init(); err != nil {
		t.Fatal(err)
	}
	defer device.Terminate()
	v, err := persistence.Open(t.TempDir(), persistence.Options{})
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
		r, err := audio.Start(audio.Options{Vault: v, Source: src})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-r.Started():
		case <-time.After(10 * time.Second):
			t.Fatal("the microphone delivered no audio")
		}
		time.Sleep(300 * time.Millisecond)
		if err := pulse.Play(t, c.path).Wait(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(700 * time.Millisecond)
		n, err := r.Stop()
		if err != nil {
			t.Fatal(err)
		}
		if r.Dropped() != 0 {
			t.Errorf("%s: %d frames dropped while recording", filepath.Base(c.path), r.Dropped())
		}
		got, err := e.Transcribe(context.Background(), filepath.Join(v.RecordingsPath(), n.Audio), Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := e.Transcribe(context.Background(), c.path, Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		refs, direct, recorded = append(refs, c.ref), append(direct, want.Text), append(recorded, got.Text)
		t.Logf("%s\n  file:     %s\n  recorded: %s", filepath.Base(c.path), want.Text, got.Text)
	}
	d, r := corpusWER(refs, direct), corpusWER(refs, recorded)
	t.Logf("WER transcribing the files %.1f%%, through the microphone %.1f%%", 100*d, 100*r)
	if r > d+0.05 {
		t.Errorf("recording costs %.1f points of WER (%.1f%% against %.1f%%); want at most 5", 100*(r-d), 100*r, 100*d)
	}
}
