package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/voicenotes/voicenotes/internal/cputime"
	"github.com/voicenotes/voicenotes/persistence"
)

// BenchmarkSearchKeystroke types a query into the search box of a window
// on 10,000 notes, one key at a time, and reports how long each keystroke
// takes to filter and refresh the list: the 99th percentile must fit in
// one frame (16 ms).
func BenchmarkSearchKeystroke(b *testing.B) {
	a := test.NewTempApp(b)
	v, err := persistence.Open(b.TempDir(), persistence.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	words := strings.Fields("budget meeting groceries idea travel call doctor garden book music project family")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10000 {
		t := base.Add(time.Duration(i) * time.Minute)
		n := &persistence.Note{ID: persistence.NewID(t), Title: fmt.Sprintf("Note %d about %s", i, words[i%len(words)]),
			CreatedAt: t, TranscriptionStatus: persistence.StatusDone, Duration: time.Minute,
			Body: strings.Repeat("Some words that were said about "+words[(i*7)%len(words)]+" and other things. ", 20)}
		data, _ := n.Marshal()
		if err := persistence.WriteFile(persistence.OS, v.NotePath(n.ID), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	w := New(a, Services{Vault: v})
	w.Win.Resize(w.Win.Canvas().Size().Max(w.Win.Content().MinSize()))
	if len(w.notes) != 10000 {
		b.Fatalf("%d notes loaded", len(w.notes))
	}
	var lat []time.Duration
	for b.Loop() {
		w.Search.SetText("")
		for _, r := range "about garden" {
			t0 := time.Now()
			test.Type(w.Search, string(r))
			lat = append(lat, time.Since(t0))
		}
		if len(w.shown) == 0 || len(w.shown) == 10000 {
			b.Fatalf("the search found %d notes", len(w.shown))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkMeter moves the level meter as a recording does, twenty times
// a second, and reports the share of one core that costs, in CPU time (so
// other load on the machine does not count): the meter's own work (level
// to geometry), and the same with the window drawn each time by Fyne's
// software painter (which paints the whole window, slower than the GPU a
// real window draws with: an upper bound, not the meter's own cost).
func BenchmarkMeter(b *testing.B) {
	if _, ok := cputime.Used(); !ok {
		b.Skip("this system gives no CPU time to measure with")
	}
	cpuTime := func() time.Duration { d, _ := cputime.Used(); return d }
	test.NewTempApp(b)
	m := NewMeter()
	win := test.NewWindow(m)
	defer win.Close()
	win.Resize(fyne.NewSize(700, 24))
	levels := []float32{0.001, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 1}
	i, painted := 0, 0
	var own, paint time.Duration
	for b.Loop() {
		t0 := cpuTime()
		for range 100 {
			m.SetLevel(levels[i%len(levels)])
			i++
		}
		t1 := cpuTime()
		win.Canvas().Capture()
		painted++
		own, paint = own+t1-t0, paint+cpuTime()-t1
	}
	perUpdate := own / time.Duration(i)
	b.ReportMetric(perUpdate.Seconds()*20*100, "cpu-%core")
	b.ReportMetric((perUpdate+paint/time.Duration(painted)).Seconds()*20*100, "painted-sw-%core")
}
