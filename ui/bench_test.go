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
	w.win.Resize(w.win.Canvas().Size().Max(w.win.Content().MinSize()))
	if len(w.notes) != 10000 {
		b.Fatalf("%d notes loaded", len(w.notes))
	}
	var lat []time.Duration
	for b.Loop() {
		w.search.SetText("")
		for _, r := range "about garden" {
			t0 := time.Now()
			test.Type(w.search, string(r))
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

// BenchmarkFollowHighlight plays through the Follow tab of the longest
// transcript it lays out word by word (maxFollowWords), a word every
// 300 ms, and reports the UI thread's work to move the mark for each
// position report (20 a second), as a share of one core and of a 60 Hz
// frame; and, for scale, the time Fyne's software painter takes to draw
// the whole tab once.
func BenchmarkFollowHighlight(b *testing.B) {
	if _, ok := cputime.Used(); !ok {
		b.Skip("this system gives no CPU time to measure with")
	}
	cpuTime := func() time.Duration { d, _ := cputime.Used(); return d }
	a := test.NewTempApp(b)
	v, err := persistence.Open(b.TempDir(), persistence.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	n := v.NewNote()
	var words []string
	var vtt strings.Builder
	vtt.WriteString("WEBVTT\n")
	stamp := func(d time.Duration) string {
		return fmt.Sprintf("%02d:%02d:%02d.%03d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60, d.Milliseconds()%1000)
	}
	for i := range maxFollowWords {
		words = append(words, fmt.Sprintf("word%d", i))
		at := time.Duration(i) * 300 * time.Millisecond
		fmt.Fprintf(&vtt, "\n%s --> %s\nword%d\n", stamp(at), stamp(at+250*time.Millisecond), i)
	}
	n.Body, n.TranscriptionStatus, n.Duration = strings.Join(words, " "), persistence.StatusDone, maxFollowWords*300*time.Millisecond
	if err := v.Save(n); err != nil {
		b.Fatal(err)
	}
	if err := persistence.WriteFile(persistence.OS, v.TimingsPath(n), []byte(vtt.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	w := New(a, Services{Vault: v})
	w.win.Resize(fyne.NewSize(1100, 700))
	w.selectByID(n.ID)
	for deadline := time.After(30 * time.Second); w.follow == nil; {
		select {
		case f := <-uiQueue:
			f()
		case <-deadline:
			b.Fatal("the timings were not read")
		}
	}
	w.tabs.Select(w.followTab)
	if len(w.follow.chips) != maxFollowWords {
		b.Fatalf("%d words in Follow", len(w.follow.chips))
	}
	pos, updates, painted := time.Duration(0), 0, 0
	var own, paint time.Duration
	for b.Loop() {
		pos = time.Duration(painted) * 997 * time.Second % n.Duration // somewhere else each round
		// The UI thread's own work, on one goroutine: its wall time.
		t0 := time.Now()
		for range 100 { // 5 s of playback
			pos = (pos + 50*time.Millisecond) % n.Duration
			w.markAt(pos)
			updates++
		}
		ownT := time.Since(t0)
		t1 := cpuTime()
		w.win.Canvas().Capture()
		painted++
		own, paint = own+ownT, paint+cpuTime()-t1
	}
	if w.follow.marked < 0 {
		b.Fatal("no word was marked")
	}
	per := own / time.Duration(updates)
	b.ReportMetric(float64(per.Nanoseconds())/1000, "us/update")
	b.ReportMetric(per.Seconds()*20*100, "cpu-%core")
	b.ReportMetric(100*per.Seconds()/(time.Second/60).Seconds(), "pct-of-frame")
	b.ReportMetric(float64((paint/time.Duration(painted)).Microseconds())/1000, "painted-sw-ms")
}
