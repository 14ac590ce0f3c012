package recording_test

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/cputime"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
)

// fastSource is a 48 kHz stereo device that delivers speedup times faster
// than real time, so an hour of audio passes through the real capture
// pipeline (ring, downmix, resampling, WAV writes and syncs) in minutes.
type fastSource struct {
	genSource
	speedup float64
	limit   int64 // frames, then it fails like an unplugged device to end the run
}

func (f *fastSource) Read(buf []int16) error {
	frames := int64(len(buf) / f.channels)
	if f.pos+frames > f.limit {
		return errStop
	}
	if f.start.IsZero() {
		f.start = time.Now()
	}
	due := f.start.Add(time.Duration(float64(f.pos+frames) / float64(f.rate) / f.speedup * float64(time.Second)))
	time.Sleep(time.Until(due))
	for i := range frames {
		s := genSample(f.pos + i)
		buf[2*i], buf[2*i+1] = s, s
	}
	f.pos += frames
	return nil
}

var errStop = &os.PathError{Op: "read", Path: "synthetic device", Err: syscall.ENODEV}

// procStatus reads a kB field of /proc/self/status as bytes.
func procStatus(field string) int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func BenchmarkCaptureHour(b *testing.B) {
	const hour = 3600 * 48000
	for b.Loop() {
		v, err := persistence.Open(tempdir.New(b), persistence.Options{})
		if err != nil {
			b.Fatal(err)
		}
		src := &fastSource{genSource: genSource{rate: 48000, channels: 2}, speedup: 60, limit: hour}
		r, err := recording.Start(recording.Options{Vault: v, Source: src})
		if err != nil {
			b.Fatal(err)
		}
		// Measure from 10 s of audio on, once buffers are warm.
		for r.Elapsed() < 10*time.Second {
			time.Sleep(10 * time.Millisecond)
		}
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		cpu0, rss0 := cputime.Bench(b), procStatus("VmRSS")
		start := r.Elapsed()
		<-r.Done()
		n, _ := r.Result()
		audioSecs := (n.Duration - start).Seconds()
		used := cputime.Bench(b) - cpu0
		b.ReportMetric(float64(used.Milliseconds())/audioSecs/10, "cpu-%core-per-audio-s")
		b.ReportMetric(float64(procStatus("VmRSS")-rss0)/(1<<20), "rss-growth-MB")
		b.ReportMetric(float64(procStatus("VmHWM"))/(1<<20), "peak-rss-MB")
		b.ReportMetric(float64(r.Dropped()), "frames-dropped")
		runtime.ReadMemStats(&ms1)
		b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/audioSecs, "allocs-per-audio-s")
		b.ReportMetric(n.Duration.Minutes(), "audio-min")
		v.Close()
	}
}
