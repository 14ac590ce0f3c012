package session_test

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
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
	for s.Recorded() < time.Second {
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

// TestMomentsOnARealMicrophone: through PortAudio and a PulseAudio
// daemon, a marker lands on the sound that reached the microphone when
// it was dropped, and Stop keeps the sound up to the moment it was
// pressed and no more than a little after; a microphone that starts late
// is said to have. Once on the daemon's first capture stream, which
// begins a second or two after it is opened (the null sink's monitor
// starts a stream at its next block, as a source waking from suspend
// does), and once on a later one, which starts at once. What reached the
// microphone when is told by the timing signal in the recording (a tone
// burst every 100 ms, each naming its moment) and the server's own
// delay, measured afterwards.
func TestMomentsOnARealMicrophone(t *testing.T) {
	pulse := pulsetest.Start(t)
	clk := pulse.StartClock(t)
	if err := device.Init(); err != nil {
		t.Fatal(err)
	}
	defer device.Terminate()
	v, err := persistence.Open(t.TempDir(), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	type take struct {
		name          string
		pressed, stop time.Time
		marks         []time.Time
		note          *persistence.Note
		warned        []string
	}
	var takes []*take
	for _, name := range []string{"the server's first capture stream", "a later one"} {
		tk := &take{name: name}
		var mu sync.Mutex
		listening := make(chan struct{})
		var once sync.Once
		levels := make(chan time.Duration, 100)
		tk.pressed = time.Now()
		s, err := session.Start(session.Config{Vault: v, Open: func() (audio.Source, error) { return device.OpenInput("") },
			OnEvent: func(e session.Event) {
				switch e.Kind {
				case session.Listening:
					once.Do(func() { close(listening) })
				case session.Level:
					select {
					case levels <- e.Level.Elapsed:
					default:
					}
				case session.Warning:
					mu.Lock()
					tk.warned = append(tk.warned, e.Warning)
					mu.Unlock()
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		<-listening
		// Two markers, then Stop, each after the recording has run a
		// little longer (the level reports tell).
		for i := range 3 {
			for e := range levels {
				if e >= time.Duration(i+1)*800*time.Millisecond {
					break
				}
			}
			if i < 2 {
				tk.marks = append(tk.marks, time.Now())
				if _, err := s.Mark(""); err != nil {
					t.Fatal(err)
				}
			}
		}
		tk.stop = time.Now()
		if tk.note, err = s.Stop(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		takes = append(takes, tk)
		mu.Unlock()
	}
	delay, spread := clk.Calibrate(t, 3)
	if spread > 20*time.Millisecond {
		t.Fatalf("the sound server's delay varied by %v across three measurements: the timing signal is unreliable on this run", spread)
	}
	const within = 150 * time.Millisecond
	for _, tk := range takes {
		var s []int16
		err := audio.ReadMonoFile(context.Background(), filepath.Join(v.RecordingsPath(), tk.note.Audio), audio.StoreRate, audio.StoreRate, func(b []int16) error {
			s = append(s, b...)
			return nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		// captured is when the sound at sample i reached the microphone.
		captured := func(i int, near time.Time) time.Time {
			played, err := clk.Locate(s[i:], audio.StoreRate, near.Add(-delay))
			if err != nil {
				t.Fatalf("%s: at %v: %v", tk.name, time.Duration(i)*time.Second/audio.StoreRate, err)
			}
			return played.Add(delay)
		}
		at := func(d time.Duration) int { return int(d.Seconds() * audio.StoreRate) }
		first := captured(0, tk.pressed)
		late := first.Sub(tk.pressed)
		warnedLate := slices.ContainsFunc(tk.warned, func(w string) bool { return strings.Contains(w, "to start") })
		if late >= session.LateStart+within && !warnedLate {
			t.Errorf("%s: the microphone's first sound was %v after Record, and nobody was told (warnings %q)", tk.name, late, tk.warned)
		}
		if late < session.LateStart-within && warnedLate {
			t.Errorf("%s: the microphone started %v after Record, yet it was called late", tk.name, late)
		}
		n := tk.note
		if len(n.Markers) != len(tk.marks) {
			t.Fatalf("%s: the note has markers %v, want %d", tk.name, n.Markers, len(tk.marks))
		}
		for i, m := range n.Markers {
			if d := captured(at(m.At), tk.marks[i]).Sub(tk.marks[i]); d > within || d < -within {
				t.Errorf("%s: marker %d is at the sound of %v after it was dropped (±%v allowed)", tk.name, i+1, d, within)
			}
		}
		// The end: the sound of the last half second, where it falls.
		tail := len(s) - at(500*time.Millisecond)
		end := captured(tail, tk.stop).Add(500 * time.Millisecond)
		if d := end.Sub(tk.stop); d < -within || d > within {
			t.Errorf("%s: the recording ends with the sound of %v after Stop (±%v allowed): what was said before Stop must be kept", tk.name, d, within)
		}
		t.Logf("%s: began %v after Record, ends %v after Stop, %v long", tk.name, late.Round(time.Millisecond), end.Sub(tk.stop).Round(time.Millisecond), tk.note.Duration)
	}
}
