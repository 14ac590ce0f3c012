// Package pulsetest starts a private PulseAudio daemon for tests: a null
// sink whose monitor is the default source, so a file played with paplay
// reaches PortAudio's default input through ALSA's pulse plugin.
package pulsetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is a running daemon.
type Server struct {
	Dir string // its XDG_RUNTIME_DIR
	cmd *exec.Cmd
}

// Start runs a daemon for the test and points this process's environment
// (XDG_RUNTIME_DIR) at it; call it before the audio system is initialized.
// Its sink runs at 48 kHz stereo, like most sound cards. It skips the test
// only where PulseAudio is not installed.
func Start(t testing.TB) *Server { return StartAt(t, 48000, 2) }

// StartAt is Start with a sink (and so a microphone) of the given format.
func StartAt(t testing.TB, rate, channels int) *Server {
	t.Helper()
	for _, tool := range []string{"pulseaudio", "pactl", "paplay"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed, so there is no virtual microphone (make setup installs pulseaudio and pulseaudio-utils)", tool)
		}
	}
	dir, err := os.MkdirTemp("", "pulse")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", dir)
	t.Setenv("PULSE_SERVER", "")
	os.Unsetenv("PULSE_SERVER")
	// soxr-vhq: the daemon's own resampling (file rate to sink rate to the
	// rate PortAudio asks for) must not be what limits a fidelity test.
	cmd := exec.Command("pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit", "--resample-method=soxr-vhq",
		"--load=module-native-protocol-unix", fmt.Sprintf("--load=module-null-sink sink_name=spk rate=%d channels=%d", rate, channels))
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+dir)
	logf, err := os.Create(filepath.Join(dir, "pulseaudio.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting pulseaudio: %v", err)
	}
	s := &Server{Dir: dir, cmd: cmd}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
		os.RemoveAll(dir)
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		if err := s.pactl("info"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("pulseaudio did not answer within 15 s:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := s.pactl("set-default-sink", "spk"); err != nil {
		t.Fatal(err)
	}
	if err := s.pactl("set-default-source", "spk.monitor"); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *Server) pactl(args ...string) error {
	cmd := exec.Command("pactl", args...)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+s.Dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return &exec.ExitError{ProcessState: cmd.ProcessState, Stderr: out}
	}
	return nil
}

// Play starts playing a sound file into the sink (and so the microphone)
// and returns the running command; Wait on it to know it finished.
func (s *Server) Play(t testing.TB, file string) *exec.Cmd {
	t.Helper()
	return s.PlayWith(t, file)
}

// PlayWith is Play with paplay's options: --latency-msec=20 makes the
// microphone a fast input (small blocks), where paplay's own large
// buffer makes it a slow one (blocks of up to two seconds).
func (s *Server) PlayWith(t testing.TB, file string, options ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("paplay", append(options, file)...)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+s.Dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("paplay %s: %v", file, err)
	}
	return cmd
}

// Env is the environment a child process needs to use this daemon.
func (s *Server) Env() []string { return append(os.Environ(), "XDG_RUNTIME_DIR="+s.Dir) }
