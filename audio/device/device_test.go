package device_test

import (
	"math"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/audio/device"
	"github.com/voicenotes/voicenotes/internal/pulsetest"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
)

const clip = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav"

// loadWAV decodes a file to mono float32 at its own rate.
func loadWAV(t *testing.T, path string) ([]float32, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	r, err := audio.NewWAVReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.Read(nil, int(r.Frames()))
	return audio.Downmix(s, r.Format().Channels, nil), r.Format().SampleRate
}

// align finds the lag (in samples, 0..maxLag) at which ref best matches
// inside rec; it returns the correlation coefficient there and the
// signal-to-noise ratio of rec against ref after fitting the gain.
func align(ref, rec []float32, maxLag int) (lag int, corr, snrDB float64) {
	best := -1.0
	for l := 0; l <= maxLag && l+len(ref) <= len(rec); l += 1 {
		var dot, rr float64
		for i := 0; i < len(ref); i += 4 { // coarse
			dot += float64(ref[i]) * float64(rec[l+i])
			rr += float64(rec[l+i]) * float64(rec[l+i])
		}
		if rr > 0 && dot/math.Sqrt(rr) > best {
			best, lag = dot/math.Sqrt(rr), l
		}
	}
	var dot, ee float64
	for i := range ref {
		dot += float64(ref[i]) * float64(rec[lag+i])
		ee += float64(ref[i]) * float64(ref[i])
	}
	gain := dot / ee
	var sig, noise, rr float64
	for i := range ref {
		e := float64(rec[lag+i]) - gain*float64(ref[i])
		sig += gain * gain * float64(ref[i]) * float64(ref[i])
		noise += e * e
		rr += float64(rec[lag+i]) * float64(rec[lag+i])
	}
	return lag, dot / math.Sqrt(ee*rr), 10 * math.Log10(sig/noise)
}

// TestRecordFromVirtualMicrophone plays real speech into PulseAudio and
// records it through PortAudio and the recorder: the recording must hold
// the clip, clean, and be as long as the time it ran.
func TestRecordFromVirtualMicrophone(t *testing.T) {
	if _, err := os.Stat(clip); err != nil {
		t.Skipf("%s is missing (make setup installs pocketsphinx-testdata)", clip)
	}
	// At the clip's own 16 kHz nothing resamples: the recording must be
	// the clip, nearly to the bit. At a sound card's 48 kHz stereo the
	// sound server resamples twice with its own filters (not linear phase),
	// which bounds the SNR of a sample-by-sample comparison.
	t.Run("16kHz-mono", func(t *testing.T) { recordClip(t, 16000, 1, 0.999, 35) })
	t.Run("48kHz-stereo", func(t *testing.T) { recordClip(t, 48000, 2, 0.95, 8) })
}

func recordClip(t *testing.T, rate, channels int, minCorr, minSNR float64) {
	pulse := pulsetest.StartAt(t, rate, channels)
	if err := device.Init(); err != nil {
		t.Fatal(err)
	}
	defer device.Terminate()
	inputs, outputs, err := device.List()
	if err != nil || len(inputs) == 0 || len(outputs) == 0 {
		t.Fatalf("devices: %v %v %v", inputs, outputs, err)
	}
	src, err := device.OpenInput("")
	if err != nil {
		t.Fatal(err)
	}
	v, err := persistence.Open(t.TempDir(), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	stored := storedAudio()
	r, err := recording.Start(recording.Options{Vault: v, Source: src, OnLevel: stored.onLevel})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.Started():
	case <-time.After(10 * time.Second):
		t.Fatal("the microphone delivered no audio within 10 s")
	}
	started := time.Now()
	stored.atLeast(t, 300*time.Millisecond)
	play := pulse.Play(t, clip)
	if err := play.Wait(); err != nil {
		t.Fatalf("paplay: %v", err)
	}
	stored.atLeast(t, stored.now()+500*time.Millisecond)
	// The recording runs to the press of Stop: Stop then waits for the
	// audio of that moment, still on its way from the device (up to a
	// block of the sound server's), and keeps nothing after it.
	ran := time.Since(started)
	n, err := r.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if d := n.Duration - ran; d > 100*time.Millisecond || d < -250*time.Millisecond {
		t.Errorf("recorded %v while recording ran %v; want them within 100 ms (plus stream start-up)", n.Duration, ran)
	}
	ref, _ := loadWAV(t, clip)
	rec, rate := loadWAV(t, filepath.Join(v.RecordingsPath(), n.Audio))
	if d := os.Getenv("VOICENOTES_KEEP_RECORDING"); d != "" {
		b, _ := os.ReadFile(filepath.Join(v.RecordingsPath(), n.Audio))
		os.WriteFile(d, b, 0o600)
	}
	if rate != audio.StoreRate || len(rec) < len(ref) {
		t.Fatalf("recording at %d Hz with %d samples, the clip has %d", rate, len(rec), len(ref))
	}
	lag, corr, snr := align(ref, rec, len(rec)-len(ref))
	t.Logf("clip found %.0f ms into the recording: correlation %.4f, SNR %.1f dB", float64(lag)*1000/audio.StoreRate, corr, snr)
	if corr < minCorr || snr < minSNR {
		t.Errorf("the recording matches the clip with correlation %.4f and SNR %.1f dB; want at least %.3f and %.0f dB", corr, snr, minCorr, minSNR)
	}
	if r.Dropped() != 0 {
		t.Errorf("%d frames dropped", r.Dropped())
	}
}

// TestPlayback plays a tone through PortAudio into the null sink while
// recording the sink's monitor: the tone must come out at its pitch.
func TestPlayback(t *testing.T) {
	pulsetest.Start(t)
	if err := device.Init(); err != nil {
		t.Fatal(err)
	}
	defer device.Terminate()
	dir := t.TempDir()
	tone := filepath.Join(dir, "tone.wav")
	writeTone(t, tone, 22050, 2, 440, 1.5)
	f, _ := os.Open(tone)
	defer f.Close()
	st, _ := f.Stat()
	wr, err := audio.NewWAVReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	sink, err := device.OpenOutput(22050, 2)
	if err != nil {
		t.Fatal(err)
	}
	src, err := device.OpenInput("")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := persistence.Open(t.TempDir(), persistence.Options{})
	defer v.Close()
	stored := storedAudio()
	rec, err := recording.Start(recording.Options{Vault: v, Source: src, OnLevel: stored.onLevel})
	if err != nil {
		t.Fatal(err)
	}
	<-rec.Started()
	var last atomic.Int64
	ended := make(chan struct{}, 1)
	p := audio.NewPlayer(wr, sink, func(pos, length time.Duration) {
		last.Store(int64(pos))
		if pos == length {
			ended <- struct{}{}
		}
	})
	p.Play()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("playback of 1.5 s did not end within 10 s")
	}
	// What the device still holds reaches the monitor within its latency;
	// two seconds of recording after the end take all of it.
	stored.atLeast(t, stored.now()+2*time.Second)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	n, err := rec.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(last.Load()) != p.Length() {
		t.Errorf("last position %v, want the end %v", time.Duration(last.Load()), p.Length())
	}
	got, _ := loadWAV(t, filepath.Join(v.RecordingsPath(), n.Audio))
	// Find the loud part and count its zero crossings.
	var loud []float32
	for _, s := range got {
		if len(loud) > 0 || math.Abs(float64(s)) > 0.05 {
			loud = append(loud, s)
		}
	}
	if len(loud) < audio.StoreRate {
		t.Fatalf("only %d loud samples reached the microphone", len(loud))
	}
	loud = loud[1000:audio.StoreRate]
	crossings := 0
	for i := 1; i < len(loud); i++ {
		if (loud[i-1] < 0) != (loud[i] < 0) {
			crossings++
		}
	}
	freq := float64(crossings) / 2 / (float64(len(loud)) / audio.StoreRate)
	if math.Abs(freq-440) > 5 {
		t.Errorf("played 440 Hz, heard %.1f Hz", freq)
	}
}

func writeTone(t *testing.T, path string, rate, channels int, freq, seconds float64) {
	t.Helper()
	n := int(float64(rate) * seconds)
	samples := make([]int16, 0, n*channels)
	for i := range n {
		v := int16(12000 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
		for range channels {
			samples = append(samples, v)
		}
	}
	if err := audio.WritePCM16(path, rate, channels, samples); err != nil {
		t.Fatal(err)
	}
}

// stored follows how much audio a recording holds, through its level
// updates, so a test can wait for an amount of recording, not a time.
type stored struct {
	elapsed atomic.Int64
	notify  chan struct{}
}

func storedAudio() *stored { return &stored{notify: make(chan struct{}, 1)} }

func (s *stored) onLevel(l audio.Level) {
	s.elapsed.Store(int64(l.Elapsed))
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

func (s *stored) now() time.Duration { return time.Duration(s.elapsed.Load()) }

func (s *stored) atLeast(t *testing.T, d time.Duration) {
	t.Helper()
	for s.now() < d {
		select {
		case <-s.notify:
		case <-time.After(time.Minute):
			t.Fatalf("the recording stopped growing at %v, waiting for %v", s.now(), d)
		}
	}
}
