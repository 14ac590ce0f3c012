package audio_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// encode makes a 2 s, 440 Hz tone in a format with ffmpeg.
func encode(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	cmd := exec.Command("ffmpeg", append(append([]string{"-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2"}, args...), path)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", name, err, out)
	}
	return path
}

func needFFmpeg(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
}

// everyKind encodes the 2 s tone as each compressed kind Whispering and
// phones save, by kind.
func everyKind(t *testing.T, dir string) map[string]string {
	return map[string]string{
		"opus": encode(t, dir, "a.opus", "-c:a", "libopus"),
		"ogg":  encode(t, dir, "a.ogg", "-c:a", "libvorbis"),
		"mp3":  encode(t, dir, "a.mp3", "-c:a", "libmp3lame"),
		"m4a":  encode(t, dir, "a.m4a", "-c:a", "aac"),
		"flac": encode(t, dir, "a.flac", "-c:a", "flac"),
		"webm": encode(t, dir, "a.webm", "-c:a", "libopus"),
	}
}

// TestImportEveryFormat: the formats Whispering and phones save (Opus,
// Ogg Vorbis, MP3, M4A/AAC, FLAC, WebM, and WebM under a .wav name, as
// Whispering writes it from Chromium) import as 16 kHz notes of the same
// length and pitch, and as the same sound (SNR against the source tone).
func TestImportEveryFormat(t *testing.T) {
	needFFmpeg(t)
	dir := tempdir.New(t)
	files := everyKind(t, dir)
	webmAsWAV := filepath.Join(dir, "chromium.wav")
	data, _ := os.ReadFile(files["webm"])
	os.WriteFile(webmAsWAV, data, 0o600)
	files["webm-as-wav"] = webmAsWAV
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for kind, path := range files {
		n, err := audio.Import(v, path, kind)
		if err != nil {
			t.Errorf("%s: %v", kind, err)
			continue
		}
		// Encoders pad the start (Opus 6.5 ms, AAC 21 ms, MP3 up to 50 ms):
		// the length is 2 s within 60 ms.
		if d := n.Duration - 2*time.Second; d < -60*time.Millisecond || d > 60*time.Millisecond {
			t.Errorf("%s: imported %v of a 2 s tone", kind, n.Duration)
		}
		stored, _ := v.AudioPath(n)
		got := readSamples(t, stored)
		mid := got[len(got)/4 : 3*len(got)/4]
		crossings := 0
		for i := 1; i < len(mid); i++ {
			if (mid[i-1] < 0) != (mid[i] < 0) {
				crossings++
			}
		}
		if f := float64(crossings) / 2 / (float64(len(mid)) / audio.StoreRate); math.Abs(f-440) > 3 {
			t.Errorf("%s: the tone is at %.1f Hz, want 440", kind, f)
		}
		// Compared with the source: the 440 Hz tone's share of the decoded
		// sound (its projection on the tone) against everything else.
		var sn, cs, total float64
		for i, v := range mid {
			x := float64(v)
			ph := 2 * math.Pi * 440 * float64(i) / audio.StoreRate
			sn, cs, total = sn+x*math.Sin(ph), cs+x*math.Cos(ph), total+x*x
		}
		tone := 2 * (sn*sn + cs*cs) / float64(len(mid))
		if snr := 10 * math.Log10(tone/math.Max(total-tone, 1e-9)); snr < 25 {
			t.Errorf("%s: decoded with an SNR of %.1f dB against the source tone, want at least 25", kind, snr)
		} else {
			t.Logf("%s: SNR %.1f dB", kind, snr)
		}
	}
	if kind, _ := audio.Sniff(webmAsWAV); kind != "webm" || audio.UploadName(webmAsWAV) != "audio.webm" {
		t.Errorf("WebM under a .wav name sniffed as %q, uploaded as %q", kind, audio.UploadName(webmAsWAV))
	}
}

// TestNotAudio: a file ffmpeg cannot read either is refused with a reason
// and leaves nothing behind.
func TestNotAudio(t *testing.T) {
	needFFmpeg(t)
	path := filepath.Join(tempdir.New(t), "notes.mp3")
	os.WriteFile(path, []byte("this is text, not audio"), 0o600)
	_, done, err := audio.OpenAudio(context.Background(), path)
	if err == nil {
		done()
		t.Fatal("text opened as audio")
	}
	if !strings.Contains(err.Error(), "ffmpeg") {
		t.Errorf("error %q does not say what could not read it", err)
	}
	left, _ := filepath.Glob(filepath.Join(os.TempDir(), "voicenotes-decoded-*"))
	for _, l := range left {
		if st, err := os.Stat(l); err == nil && time.Since(st.ModTime()) < time.Minute {
			t.Errorf("a decoded temp file was left: %s", l)
		}
	}
}

// TestDamagedFilesAreRefused: each kind of file, cut short (60% of it)
// or with 300 bytes overwritten in the middle, is refused on import with
// what is wrong, and nothing is written to the vault; the intact file
// imports. (A WAV's PCM has nothing to check its samples by: only its
// being cut short is found.) Video files are imported by their sound.
func TestDamagedFilesAreRefused(t *testing.T) {
	needFFmpeg(t)
	dir := tempdir.New(t)
	files := everyKind(t, dir)
	files["wav"] = encode(t, dir, "a.wav", "-c:a", "pcm_s16le")
	files["mp4 video"] = encode(t, dir, "v.mp4", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=2",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest")
	files["mkv video"] = encode(t, dir, "v.mkv", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=2",
		"-c:v", "libvpx", "-c:a", "libvorbis", "-shortest")
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	recordings := func() int {
		entries, _ := os.ReadDir(v.RecordingsPath())
		return len(entries)
	}
	for kind, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		damaged := map[string][]byte{"cut short": data[:len(data)*6/10]}
		if kind != "wav" {
			corrupt := slices.Clone(data)
			copy(corrupt[len(data)/2:], bytes.Repeat([]byte("Z"), 300))
			damaged["corrupt"] = corrupt
		}
		for how, bad := range damaged {
			p := filepath.Join(dir, strings.ReplaceAll(how, " ", "-")+"-"+filepath.Base(path))
			if err := os.WriteFile(p, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			before := recordings()
			_, err := audio.Import(v, p, "")
			if err == nil {
				t.Errorf("%s, %s: imported", kind, how)
				continue
			}
			if !errors.Is(err, audio.ErrDamaged) || !strings.HasPrefix(err.Error(), p+" is ") || !strings.HasSuffix(err.Error(), "; nothing was imported") {
				t.Errorf("%s, %s: the error does not say the file is damaged and nothing was imported: %v", kind, how, err)
			}
			t.Logf("%s, %s: %v", kind, how, strings.TrimPrefix(err.Error(), p+" "))
			if after := recordings(); after != before {
				t.Errorf("%s, %s: the refused import left %d files in the vault", kind, how, after-before)
			}
		}
		n, err := audio.Import(v, path, "")
		if err != nil {
			t.Errorf("%s, intact: %v", kind, err)
			continue
		}
		if d := n.Duration - 2*time.Second; d < -60*time.Millisecond || d > 60*time.Millisecond {
			t.Errorf("%s, intact: imported %v of 2 s", kind, n.Duration)
		}
	}
	// A VBR MP3 without its frame count says no length of its own (ffprobe
	// only guesses one from the bit rate): whole, it is never refused.
	vbr := encode(t, dir, "vbr.mp3", "-c:a", "libmp3lame", "-q:a", "2", "-write_xing", "0")
	if _, err := audio.Import(v, vbr, ""); err != nil {
		t.Errorf("a whole VBR MP3 without a Xing header: %v", err)
	}
}

// TestFLACInGo: FLAC files (16 and 24 bits, mono and stereo, 44.1 and
// 16 kHz; from ffmpeg, and from sox's libFLAC) decode in Go to exactly
// their samples with no ffmpeg on the PATH, in order and after a seek; a
// FLAC written to a pipe (its header without the length) is left to
// ffmpeg.
func TestFLACInGo(t *testing.T) {
	needFFmpeg(t)
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
		files[name] = pair{encode(t, dir, base+".wav", append(slices.Clone(args), "-c:a", codec)...), encode(t, dir, base+".flac", append(slices.Clone(args), "-c:a", "flac")...)}
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
