package session_test

import (
	"errors"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/audio/device"
	"github.com/voicenotes/voicenotes/internal/pulsetest"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/session"
)

// TestDeviceLoss: the sound server's sink (and so the microphone, its
// monitor) goes away mid-recording: the recording ends, what was
// captured is saved, and the person is told.
func TestDeviceLoss(t *testing.T) {
	pulsetest.Start(t)
	if err := device.Init(); err != nil {
		t.Fatal(err)
	}
	defer device.Terminate()
	v, err := persistence.Open(t.TempDir(), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var mu sync.Mutex
	var warned []string
	listening := make(chan struct{})
	var once sync.Once
	s, err := session.Start(session.Config{Vault: v, Open: func() (audio.Source, error) { return device.OpenInput("") },
		OnEvent: func(e session.Event) {
			switch e.Kind {
			case session.Listening:
				once.Do(func() { close(listening) })
			case session.Warning:
				mu.Lock()
				warned = append(warned, e.Warning)
				mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	<-listening
	for s.Elapsed() < time.Second {
		time.Sleep(50 * time.Millisecond)
	}
	// What the audio libraries say about the loss goes to the log, not
	// into the terminal the person started us from.
	stderr := pulsetest.CaptureStderr(t)
	if out, err := exec.Command("pactl", "unload-module", "module-null-sink").CombinedOutput(); err != nil {
		t.Fatalf("unloading the sink: %v %s", err, out)
	}
	select {
	case <-s.Ended():
	case <-time.After(20 * time.Second):
		mu.Lock()
		t.Logf("warnings: %q", warned)
		mu.Unlock()
		s.Stop()
		t.Fatal("the recording did not end when its device went away")
	}
	n, err := s.Result()
	if out := stderr(); out != "" {
		t.Errorf("the device's loss printed to standard error:\n%s", out)
	}
	if n == nil || !errors.Is(err, device.ErrDeviceGone) || !strings.Contains(err.Error(), "saved") {
		t.Fatalf("Result = %v, %v; want the note saved and the device's loss said", n, err)
	}
	if n.Duration < time.Second {
		t.Errorf("saved %v; at least the second before the loss was captured", n.Duration)
	}
}
