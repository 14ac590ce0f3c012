package recording_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/audiofixture"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
)

// floatWAV writes a 32-bit float WAV (format 3) by hand.
func floatWAV(t *testing.T, path string, rate, channels int, samples []float32) {
	t.Helper()
	b := make([]byte, 44+4*len(samples))
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+4*len(samples)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 3)
	binary.LittleEndian.PutUint16(b[22:], uint16(channels))
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(rate*channels*4))
	binary.LittleEndian.PutUint16(b[32:], uint16(channels*4))
	binary.LittleEndian.PutUint16(b[34:], 32)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(4*len(samples)))
	for i, s := range samples {
		binary.LittleEndian.PutUint32(b[44+4*i:], math.Float32bits(s))
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestImport(t *testing.T) {
	v := openVault(t, persistence.Options{})
	dir := tempdir.New(t)
	src := filepath.Join(dir, "Meeting notes.wav")
	s := make([]float32, 2*44100*2) // 2 s stereo at 44.1 kHz
	for i := range s {
		s[i] = float32(0.25 * math.Sin(2*math.Pi*440*float64(i/2)/44100))
	}
	floatWAV(t, src, 44100, 2, s)
	n, err := recording.Import(v, src, "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Title != "Meeting notes" || n.TranscriptionStatus != persistence.StatusUnprocessed || n.Duration < 1990*time.Millisecond || n.Duration > 2010*time.Millisecond {
		t.Errorf("imported note %+v", n)
	}
	got := readSamples(t, filepath.Join(v.RecordingsPath(), n.Audio))
	var peak int16
	for _, x := range got[1000 : len(got)-1000] {
		peak = max(peak, x)
	}
	if peak < 8000 || peak > 8400 { // 0.25 of full scale
		t.Errorf("imported level peaks at %d, want about 8192", peak)
	}
	// A file that claims to be MP3 and holds no audio is refused as
	// damaged, saying what ffmpeg found.
	bad := filepath.Join(dir, "song.mp3")
	os.WriteFile(bad, []byte("ID3\x03\x00\x00\x00\x00\x00\x00"), 0o600)
	if _, err := recording.Import(v, bad, ""); err == nil || !errors.Is(err, audio.ErrDamaged) && !errors.Is(err, audio.ErrNoFFmpeg) {
		t.Errorf("importing a broken MP3: %v", err)
	}
	if entries, _ := os.ReadDir(v.RecordingsPath()); len(entries) != 2 {
		t.Errorf("recordings holds %d files, want the one note and its audio", len(entries))
	}
}

// TestImportEveryFormat: the formats Whispering and phones save (Opus,
// Ogg Vorbis, MP3, M4A/AAC, FLAC, WebM, and WebM under a .wav name, as
// Whispering writes it from Chromium) import as 16 kHz notes of the same
// length and pitch, and as the same sound (SNR against the source tone).
func TestImportEveryFormat(t *testing.T) {
	audiofixture.NeedFFmpeg(t)
	dir := tempdir.New(t)
	files := audiofixture.EveryKind(t, dir)
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
		n, err := recording.Import(v, path, kind)
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

// TestDamagedFilesAreRefused: each kind of file, cut short (60% of it)
// or with 300 bytes overwritten in the middle, is refused on import with
// what is wrong, and nothing is written to the vault; the intact file
// imports. (A WAV's PCM has nothing to check its samples by: only its
// being cut short is found.) Video files are imported by their sound.
func TestDamagedFilesAreRefused(t *testing.T) {
	audiofixture.NeedFFmpeg(t)
	dir := tempdir.New(t)
	files := audiofixture.EveryKind(t, dir)
	files["wav"] = audiofixture.Encode(t, dir, "a.wav", "-c:a", "pcm_s16le")
	files["mp4 video"] = audiofixture.Encode(t, dir, "v.mp4", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=2",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest")
	files["mkv video"] = audiofixture.Encode(t, dir, "v.mkv", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=2",
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
			_, err := recording.Import(v, p, "")
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
		n, err := recording.Import(v, path, "")
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
	vbr := audiofixture.Encode(t, dir, "vbr.mp3", "-c:a", "libmp3lame", "-q:a", "2", "-write_xing", "0")
	if _, err := recording.Import(v, vbr, ""); err != nil {
		t.Errorf("a whole VBR MP3 without a Xing header: %v", err)
	}
}
