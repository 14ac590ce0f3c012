package audio_test

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/audiofixture"
	"github.com/voicenotes/voicenotes/internal/tempdir"
)

// TestNotAudio: a file ffmpeg cannot read either is refused with a reason
// and leaves nothing behind; one it can read leaves nothing once closed.
func TestNotAudio(t *testing.T) {
	audiofixture.NeedFFmpeg(t)
	dir := tempdir.New(t)
	tmp := tempdir.System(t)
	left := func(after string) {
		t.Helper()
		if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
			t.Errorf("after %s the temporary folder holds %s", after, entries[0].Name())
		}
	}
	path := filepath.Join(dir, "notes.mp3")
	os.WriteFile(path, []byte("this is text, not audio"), 0o600)
	_, done, err := audio.OpenAudio(context.Background(), path)
	if err == nil {
		done()
		t.Fatal("text opened as audio")
	}
	if !strings.Contains(err.Error(), "ffmpeg") {
		t.Errorf("error %q does not say what could not read it", err)
	}
	left("a refused file")
	m4a := audiofixture.Encode(t, dir, "a.m4a", "-c:a", "aac")
	r, done, err := audio.OpenAudio(context.Background(), m4a)
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 1 {
		t.Errorf("while an m4a is read, the temporary folder holds %d entries, want its decoding's folder", len(entries))
	}
	if r.Duration() < time.Second {
		t.Errorf("the m4a decoded to %v, want its 2 s", r.Duration())
	}
	done()
	left("an m4a read and closed")
}

// TestFLACInGo: FLAC files (16 and 24 bits, mono and stereo, 44.1 and
// 16 kHz; from ffmpeg, and from sox's libFLAC) decode in Go to exactly
// their samples with no ffmpeg on the PATH, in order and after a seek; a
// FLAC written to a pipe (its header without the length) is left to
// ffmpeg.
func TestFLACInGo(t *testing.T) {
	audiofixture.NeedFFmpeg(t)
	dir := tempdir.New(t)
	cases := map[string][]string{
		"16-bit mono 16 kHz":     {"-ar", "16000", "-ac", "1", "-sample_fmt", "s16"},
		"24-bit stereo 44.1 kHz": {"-ar", "44100", "-ac", "2", "-sample_fmt", "s32", "-bits_per_raw_sample", "24"},
	}
	type pair struct{ wav, flac string }
	files := map[string]pair{}
	for name, args := range cases {
		base := strings.ReplaceAll(name, " ", "_")
		codec := "pcm_s16le"
		if strings.HasPrefix(name, "24") {
			codec = "pcm_s24le"
		}
		files[name] = pair{audiofixture.Encode(t, dir, base+".wav", append(slices.Clone(args), "-c:a", codec)...), audiofixture.Encode(t, dir, base+".flac", append(slices.Clone(args), "-c:a", "flac")...)}
	}
	if _, err := exec.LookPath("sox"); err == nil {
		wav := files["16-bit mono 16 kHz"].wav
		flac := filepath.Join(dir, "sox.flac")
		if out, err := exec.Command("sox", wav, flac).CombinedOutput(); err != nil {
			t.Fatalf("sox: %v\n%s", err, out)
		}
		files["sox's libFLAC"] = pair{wav, flac}
	}
	piped := filepath.Join(dir, "piped.flac")
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000:duration=2", "-c:a", "flac", "-f", "flac", "-")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(piped, out, 0o600)
	if r, done, err := audio.OpenAudio(context.Background(), piped); err != nil {
		t.Errorf("a FLAC written to a pipe: %v", err)
	} else {
		if _, ok := r.(*audio.FLACReader); ok || r.Frames() < 31900 || r.Frames() > 32100 {
			t.Errorf("a FLAC written to a pipe: %T of %d frames; want ffmpeg's 2 s", r, r.Frames())
		}
		done()
	}
	t.Setenv("PATH", "") // no ffmpeg from here on
	for name, f := range files {
		want := readAll(t, f.wav)
		r, done, err := audio.OpenAudio(context.Background(), f.flac)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, ok := r.(*audio.FLACReader); !ok {
			t.Errorf("%s: not decoded in Go (%T)", name, r)
		}
		got := readFrom(t, r)
		if len(got) != len(want) {
			t.Fatalf("%s: %d samples, the WAV %d", name, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: sample %d is %v, the WAV's %v", name, i, got[i], want[i])
			}
		}
		// Seek to the middle, as the player does.
		mid := r.Frames() / 2
		r.SeekFrame(mid)
		ch := int64(r.Format().Channels)
		part, err := r.Read(nil, 1000)
		if err != nil || len(part) != 1000*int(ch) {
			t.Fatalf("%s: reading after a seek: %d samples, %v", name, len(part), err)
		}
		for i := range part {
			if part[i] != got[mid*ch+int64(i)] {
				t.Fatalf("%s: after seeking to frame %d, sample %d is %v, want %v", name, mid, i, part[i], got[mid*ch+int64(i)])
			}
		}
		done()
	}
	if _, _, err := audio.OpenAudio(context.Background(), piped); !errors.Is(err, audio.ErrNoFFmpeg) {
		t.Errorf("a FLAC only ffmpeg reads, without ffmpeg: %v", err)
	}
}

func readAll(t *testing.T, path string) []float32 {
	t.Helper()
	r, f, err := audio.OpenWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readFrom(t, r)
}

func readFrom(t *testing.T, r audio.Reader) []float32 {
	t.Helper()
	var all []float32
	for {
		var err error
		all, err = r.Read(all, 4096)
		if errors.Is(err, io.EOF) {
			return all
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
