package audio

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/voicenotes/voicenotes/internal/tempdir"
)

// sine returns n samples of a sine at freq Hz sampled at rate.
func sine(freq, rate float64, n int, amp float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = amp * float32(math.Sin(2*math.Pi*freq*float64(i)/rate))
	}
	return out
}

// toneLevel is the amplitude of the component at freq in x (a single-bin
// DFT over whole periods is not needed: x is long and windowed).
func toneLevel(x []float32, freq, rate float64) float64 {
	var re, im, wsum float64
	for i, v := range x {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(x)-1)) // Hann
		a := 2 * math.Pi * freq * float64(i) / rate
		re += w * float64(v) * math.Cos(a)
		im += w * float64(v) * math.Sin(a)
		wsum += w
	}
	return 2 * math.Hypot(re, im) / wsum
}

func TestResamplerKeepsToneAndRejectsAliases(t *testing.T) {
	for _, in := range []int{44100, 48000, 22050, 8000} {
		rs := NewResampler(in, StoreRate)
		src := sine(1000, float64(in), in*2, 0.5) // 2 s
		var out []float32
		for i := 0; i < len(src); i += 441 { // odd-sized chunks, as a device delivers
			out = rs.Process(src[i:min(i+441, len(src))], out)
		}
		out = rs.Flush(out)
		wantLen := len(src) * StoreRate / in
		if d := len(out) - wantLen; d < -2 || d > 2 {
			t.Errorf("%d Hz: %d samples out, want %d", in, len(out), wantLen)
		}
		mid := out[len(out)/4 : 3*len(out)/4]
		level := toneLevel(mid, 1000, StoreRate)
		if math.Abs(20*math.Log10(level/0.5)) > 0.1 {
			t.Errorf("%d Hz: 1 kHz tone came out at %.4f, want 0.5 within 0.1 dB", in, level)
		}
		// Energy at other frequencies (distortion, wrong pitch) stays tiny.
		if other := toneLevel(mid, 1010, StoreRate); other > 0.5*0.01 {
			t.Errorf("%d Hz: the tone moved: %.4f at 1010 Hz", in, other)
		}
		if in <= StoreRate {
			continue
		}
		// A tone above the new Nyquist frequency must not fold back.
		for _, f := range []float64{9000, 11000, 15000} {
			if f >= float64(in)/2 {
				continue
			}
			rs := NewResampler(in, StoreRate)
			out := rs.Flush(rs.Process(sine(f, float64(in), in*2, 0.5), nil))
			mid := out[len(out)/4 : 3*len(out)/4]
			alias := float64(StoreRate) - f // where it would fold to
			if alias < 0 {
				alias = -alias
			}
			var rms float64
			for _, v := range mid {
				rms += float64(v) * float64(v)
			}
			rms = math.Sqrt(rms / float64(len(mid)))
			if db := 20 * math.Log10(rms/(0.5/math.Sqrt2)); db > -40 {
				t.Errorf("%d Hz: a %.0f Hz tone is only %.1f dB down after resampling (alias at %.0f Hz); want at least 40 dB", in, f, -db, alias)
			}
		}
	}
}

func TestDownmix(t *testing.T) {
	got := Downmix([]float32{1, 0, 0.5, 0.5, -1, 1}, 2, nil)
	want := []float32{0.5, 0.5, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Downmix = %v, want %v", got, want)
		}
	}
}

func TestRingConcurrent(t *testing.T) {
	r := NewRing(1000, 2)
	const total = 2_000_000
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]int16, 64)
		next := 0
		for next < total {
			for i := range buf {
				buf[i] = int16(next + i)
			}
			n := r.Write(buf[:min(len(buf), total-next)])
			if n%2 != 0 {
				t.Errorf("wrote %d samples: not whole frames", n)
			}
			// Retry what did not fit: the test wants every sample through.
			next += n
		}
	})
	got := 0
	buf := make([]int16, 100)
	for got < total {
		n := r.Read(buf)
		for i := range n {
			if buf[i] != int16(got+i) {
				t.Fatalf("sample %d = %d, want %d", got+i, buf[i], int16(got+i))
			}
		}
		got += n
	}
	wg.Wait()
	if r.Len() != 0 {
		t.Errorf("ring holds %d after draining", r.Len())
	}
}

func TestRingCountsOverflow(t *testing.T) {
	r := NewRing(8, 2)
	if n := r.Write(make([]int16, 6)); n != 6 {
		t.Fatal(n)
	}
	if n := r.Write(make([]int16, 6)); n != 2 || r.Dropped() != 4 {
		t.Errorf("wrote %d, dropped %d; want 2 written (one whole frame), 4 dropped", n, r.Dropped())
	}
	if n := r.Write(make([]int16, 3)); n != 0 || r.Dropped() != 7 {
		t.Errorf("full ring: wrote %d, dropped %d", n, r.Dropped())
	}
}

func TestWAVReadBack(t *testing.T) {
	samples := make([]int16, 3000)
	for i := range samples {
		samples[i] = int16(rand.IntN(65536) - 32768)
	}
	data := EncodePCM16(44100, 2, samples)
	r, err := NewWAVReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Format(); f.SampleRate != 44100 || f.Channels != 2 || f.Bits != 16 || r.Frames() != 1500 {
		t.Fatalf("format %+v, %d frames", f, r.Frames())
	}
	var got []float32
	for {
		got, err = r.Read(got, 333)
		if err == io.EOF {
			break
		}
	}
	for i, s := range samples {
		if Clip(got[i]) != s {
			t.Fatalf("sample %d = %v, want %d", i, got[i], s)
		}
	}
	for _, bad := range [][]byte{nil, []byte("RIFF1234WAVE"), []byte("RIFX\x00\x00\x00\x00WAVEfmt "), append([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x02\x00"), make([]byte, 30)...)} {
		if _, err := NewWAVReader(bytes.NewReader(bad), int64(len(bad))); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// TestRepairAtEveryOffset cuts a recording at every byte and repairs it:
// the result is a valid WAV holding exactly the whole frames that survived,
// whatever the header claimed (a recording's header lags its samples).
func TestRepairAtEveryOffset(t *testing.T) {
	samples := make([]int16, 200)
	for i := range samples {
		samples[i] = int16(i*97 - 5000)
	}
	full := EncodePCM16(StoreRate, 2, samples)
	dir := tempdir.New(t)
	for cut := 0; cut <= len(full); cut++ {
		for _, claim := range []int64{int64(2 * len(samples)), 0, 100} {
			data := append([]byte(nil), full[:cut]...)
			if cut >= WAVHeaderSize {
				binary.LittleEndian.PutUint32(data[40:], uint32(claim))
			}
			path := filepath.Join(dir, "r.wav.partial")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			n, _, _, err := RepairWAV(f, int64(len(data)))
			f.Close()
			if err != nil {
				t.Fatalf("cut %d: %v", cut, err)
			}
			want := max(0, int64(cut-WAVHeaderSize))
			channels := 2
			if cut < WAVHeaderSize {
				channels = 1 // no header survived: the stored format is assumed
			}
			want -= want % int64(2*channels)
			if n != want {
				t.Fatalf("cut %d claim %d: repaired to %d bytes, want %d", cut, claim, n, want)
			}
			fixed, _ := os.ReadFile(path)
			r, err := NewWAVReader(bytes.NewReader(fixed), int64(len(fixed)))
			if err != nil || int64(len(fixed)) != WAVHeaderSize+want {
				t.Fatalf("cut %d: repaired file of %d bytes does not parse: %v", cut, len(fixed), err)
			}
			if r.Frames() != want/int64(2*channels) || (cut >= WAVHeaderSize && !bytes.Equal(fixed[WAVHeaderSize:], full[WAVHeaderSize:WAVHeaderSize+want])) {
				t.Fatalf("cut %d: samples changed", cut)
			}
		}
	}
}
