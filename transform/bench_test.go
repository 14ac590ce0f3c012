package transform

import (
	"context"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/fakechat"
)

// BenchmarkTransformSave: Clean up on a note of 1 MB of text (hours of
// speech) against the fake server, answered in 200 pieces: from the last
// piece sent to the note saved (the text before kept, the note written
// durably), and the peak heap while it runs, against the text's size.
func BenchmarkTransformSave(b *testing.B) {
	text := strings.Repeat("and then we walked along the river for a while ", 1<<20/48)
	var last atomic.Int64
	f := &fakechat.Server{Pieces: 200, Answer: func(fakechat.Request) string { return text }, LastSent: func() { last.Store(time.Now().UnixNano()) }}
	base := fakechat.Start(b, f)
	c, err := NewChat(base, "")
	if err != nil {
		b.Fatal(err)
	}
	var lags []time.Duration
	var peak uint64
	for b.Loop() {
		b.StopTimer()
		v := openVault(b)
		n := machineNote(b, v, text)
		r := &Runner{Vault: v, Chat: c, Model: "m"}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := make(chan struct{})
		var top atomic.Uint64
		go func() {
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Millisecond):
					runtime.ReadMemStats(&m)
					if m.HeapInuse > top.Load() {
						top.Store(m.HeapInuse)
					}
				}
			}
		}()
		b.StartTimer()
		if _, err := r.Run(context.Background(), n.ID, []*Transformation{shippedOne(b, "clean-up")}, "", false, nil); err != nil {
			b.Fatal(err)
		}
		saved := time.Now()
		b.StopTimer()
		close(stop)
		lags = append(lags, saved.Sub(time.Unix(0, last.Load())))
		if p := top.Load(); p > before.HeapInuse {
			peak = max(peak, p-before.HeapInuse)
		}
		v.Close()
		b.StartTimer()
	}
	var worst time.Duration
	for _, l := range lags {
		worst = max(worst, l)
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "last-token-to-saved-ms")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peak)/float64(len(text)), "x-text")
}
