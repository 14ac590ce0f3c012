// Package audiofixture makes the audio files tests feed the app: a tone
// encoded by ffmpeg in each format people bring.
package audiofixture

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// Encode makes a 2 s, 440 Hz tone in a format with ffmpeg.
func Encode(t testing.TB, dir, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	cmd := exec.Command("ffmpeg", append(append([]string{"-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2"}, args...), path)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", name, err, out)
	}
	return path
}

// NeedFFmpeg skips a test on a machine without ffmpeg.
func NeedFFmpeg(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
}

// EveryKind encodes the 2 s tone as each compressed kind Whispering and
// phones save, by kind.
func EveryKind(t testing.TB, dir string) map[string]string {
	return map[string]string{
		"opus": Encode(t, dir, "a.opus", "-c:a", "libopus"),
		"ogg":  Encode(t, dir, "a.ogg", "-c:a", "libvorbis"),
		"mp3":  Encode(t, dir, "a.mp3", "-c:a", "libmp3lame"),
		"m4a":  Encode(t, dir, "a.m4a", "-c:a", "aac"),
		"flac": Encode(t, dir, "a.flac", "-c:a", "flac"),
		"webm": Encode(t, dir, "a.webm", "-c:a", "libopus"),
	}
}
