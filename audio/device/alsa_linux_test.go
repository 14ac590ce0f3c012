//go:build linux && cgo

package device_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicenotes/voicenotes/audio/device"
	"github.com/voicenotes/voicenotes/internal/pulsetest"
)

// alsaModules returns the ALSA plugin libraries mapped into this process.
func alsaModules(t *testing.T) []string {
	t.Helper()
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var mods []string
	for _, line := range strings.Split(string(maps), "\n") {
		i := strings.Index(line, "/")
		if i < 0 {
			continue
		}
		name := filepath.Base(line[i:])
		if strings.HasPrefix(name, "libasound_module_") && !seen[name] {
			seen[name] = true
			mods = append(mods, name)
		}
	}
	return mods
}

// TestInitUnloadsWhatTheProbeLoaded: PortAudio opens every ALSA device to
// probe it, loading each plugin's library and its dependencies (10 MiB
// resident here). After Init none of them is left, and a stream opened
// afterwards loads the one plugin it goes through and records.
func TestInitUnloadsWhatTheProbeLoaded(t *testing.T) {
	installed, _ := filepath.Glob("/usr/lib/*/alsa-lib/libasound_module_pcm_*.so")
	if len(installed) < 2 {
		t.Skip("fewer than two ALSA PCM plugins are installed (Debian: libasound2-plugins), so the probe loads nothing to unload")
	}
	pulsetest.Start(t)
	if err := device.Init(); err != nil {
		t.Fatal(err)
	}
	defer device.Terminate()
	if mods := alsaModules(t); len(mods) > 0 {
		t.Errorf("after Init, with no stream open, ALSA plugins probed by PortAudio are still loaded: %s", strings.Join(mods, ", "))
	}
	src, err := device.OpenInput("")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rate, channels := src.Format()
	buf := make([]int16, rate/10*channels)
	if err := src.Read(buf); err != nil {
		t.Fatalf("reading from the microphone after the probe's plugins were unloaded: %v", err)
	}
	mods := alsaModules(t)
	if len(mods) != 1 || mods[0] != "libasound_module_pcm_pulse.so" {
		t.Errorf("a stream through the sound server has loaded %v; want only libasound_module_pcm_pulse.so", mods)
	}
}
