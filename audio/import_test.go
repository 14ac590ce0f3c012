package audio_test

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
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
	n, err := audio.Import(v, src, "")
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
	if _, err := audio.Import(v, bad, ""); err == nil || !errors.Is(err, audio.ErrDamaged) && !errors.Is(err, audio.ErrNoFFmpeg) {
		t.Errorf("importing a broken MP3: %v", err)
	}
	if entries, _ := os.ReadDir(v.RecordingsPath()); len(entries) != 2 {
		t.Errorf("recordings holds %d files, want the one note and its audio", len(entries))
	}
}
