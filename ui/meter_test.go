package ui

import (
	"math"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/session"
)

// dB is the amplitude of a level in dBFS.
func dB(db float64) float32 { return float32(math.Pow(10, db/20)) }

// TestMeterReadsLikeOne: at silence nothing but the track shows, and the
// track is not the colour of any fill; the fill runs -60..0 dBFS across the
// width, green, then amber above -12, red above -3; the peak tick holds a
// second, then falls 20 dB a second.
func TestMeterReadsLikeOne(t *testing.T) {
	test.NewTempApp(t)
	m := NewMeter()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return clock }
	m.Resize(fyne.NewSize(600, 20))
	r := test.TempWidgetRenderer(t, m).(*meterRenderer)
	r.Layout(m.Size())
	for _, z := range r.zones {
		if z.FillColor == r.track.FillColor {
			t.Fatalf("the track has a fill's colour %v: at silence the meter would look full", z.FillColor)
		}
	}
	shown := func(z int) (from, to float32, ok bool) {
		if !r.zones[z].Visible() {
			return 0, 0, false
		}
		return r.zones[z].Position().X, r.zones[z].Position().X + r.zones[z].Size().Width, true
	}
	near := func(a, b float32) bool { return math.Abs(float64(a-b)) < 0.5 }
	if _, _, ok := shown(0); ok || r.tick.Visible() || !r.track.Visible() || r.track.Size().Width != 600 {
		t.Fatal("at silence the meter shows a fill or a peak, or no track")
	}

	m.SetLevel(dB(-30)) // half way, green
	if from, to, ok := shown(0); !ok || from != 0 || !near(to, 300) {
		t.Errorf("-30 dBFS: green %v..%v, want 0..300", from, to)
	}
	if _, _, ok := shown(1); ok {
		t.Error("-30 dBFS shows amber")
	}

	m.SetLevel(dB(-6)) // amber: green to -12 (480), amber to -6 (540)
	if _, to, _ := shown(0); !near(to, 480) {
		t.Errorf("-6 dBFS: green ends at %v, want 480", to)
	}
	if from, to, ok := shown(1); !ok || !near(from, 480) || !near(to, 540) {
		t.Errorf("-6 dBFS: amber %v..%v, want 480..540", from, to)
	}
	if _, _, ok := shown(2); ok {
		t.Error("-6 dBFS shows red")
	}

	m.SetLevel(dB(-1)) // red from -3 (570) to -1 (590)
	if from, to, ok := shown(2); !ok || !near(from, 570) || !near(to, 590) {
		t.Errorf("-1 dBFS: red %v..%v, want 570..590", from, to)
	}
	tickAt := func() float32 { return r.tick.Position().X + r.tick.Size().Width }

	// Quiet again: the fill drops, the peak tick stays at -1 for a second.
	clock = clock.Add(500 * time.Millisecond)
	m.SetLevel(dB(-50))
	if _, to, _ := shown(0); !near(to, 100) {
		t.Errorf("-50 dBFS: green ends at %v, want 100", to)
	}
	if !r.tick.Visible() || !near(tickAt(), 590) || r.tick.FillColor != meterRedC {
		t.Errorf("half a second after -1 dBFS the peak tick is at %v (visible %v), want a red tick at 590", tickAt(), r.tick.Visible())
	}
	// 1.5 s after the peak: held 1 s, then fallen 10 dB, to -11 (490).
	clock = clock.Add(time.Second)
	m.SetLevel(dB(-50))
	if !near(tickAt(), 490) || r.tick.FillColor != meterAmberC {
		t.Errorf("1.5 s after the peak the tick is at %v, want 490 (amber)", tickAt())
	}
	m.Reset()
	if _, _, ok := shown(0); ok || r.tick.Visible() {
		t.Error("Reset left a fill or a peak")
	}
}

// gatedSource is a microphone that delivers scripted stretches of audio
// as fast as it is read; between stretches it holds the last one's sound,
// in real time, until the test lets it go on; after the script, a
// moderate tone in real time.
type gatedSource struct {
	script []stretch
	gate   chan struct{}
	i, pos int
	tone   toneSource
}

type stretch struct {
	samples int
	value   int16 // alternating +value, -value
}

func (s *gatedSource) Format() (int, int) { return 16000, 1 }
func (s *gatedSource) Close() error       { return nil }
func (s *gatedSource) Read(buf []int16) error {
	if s.i < len(s.script) && s.pos == s.script[s.i].samples {
		if s.i+1 < len(s.script) {
			// Waiting for the test, the microphone goes on with more of the
			// same, in real time, as a real one would: a device that gave
			// nothing would (rightly) raise the stalled-device warning.
			select {
			case <-s.gate:
			case <-time.After(time.Duration(len(buf)) * time.Second / 16000):
				s.fill(buf, s.script[s.i].value, 0)
				return nil
			}
		}
		s.i, s.pos = s.i+1, 0
	}
	if s.i == len(s.script) {
		return s.tone.Read(buf)
	}
	st := s.script[s.i]
	s.fill(buf, st.value, s.pos)
	s.pos = min(st.samples, s.pos+len(buf))
	return nil
}

// fill writes a full-swing square wave of value into buf.
func (s *gatedSource) fill(buf []int16, value int16, pos int) {
	for k := range buf {
		buf[k] = value
		if (pos+k)%2 == 1 {
			buf[k] = -value
		}
	}
}

// TestWatchdogBanner: five seconds of silence and then clipping show a
// banner by the meter that says so, and it goes when the input is fine.
func TestWatchdogBanner(t *testing.T) {
	w, _ := newTestWindow(t, nil)
	src := &gatedSource{gate: make(chan struct{}), script: []stretch{
		{6 * 16000, 0},               // digital silence
		{16000 / 2, 32767},           // full scale
		{3 * 16000, 3000},            // fine again: clipping clears after 2 s
		{16000 / 2, int16(3000 / 2)}, // and still fine
	}}
	w.svc.OpenInput = func() (audio.Source, error) { return src, nil }
	if w.banner.Visible() {
		t.Fatal("a banner shows before anything happened")
	}
	test.Tap(w.recordButton)
	eventually(t, "the silence warning", func() bool { return w.banner.Visible() && w.banner.Text() == session.WarnSilence })
	src.gate <- struct{}{}
	eventually(t, "the clipping warning", func() bool { return w.banner.Visible() && w.banner.Text() == session.WarnClipping })
	src.gate <- struct{}{}
	src.gate <- struct{}{}
	eventually(t, "the banner gone once the input is fine", func() bool { return !w.banner.Visible() && w.banner.Text() == "" })
	test.Tap(w.recordButton)
	eventually(t, "the recording saved", func() bool { return len(w.notes) == 1 })
}

// TestTooltipsNameShortcuts: resting the pointer on a button shows what
// it does and its shortcut; moving away hides it; every toolbar and note
// button has one.
func TestTooltipsNameShortcuts(t *testing.T) {
	w, _ := newTestWindow(t, nil)
	w.win.Resize(fyne.NewSize(1100, 700))
	for _, b := range []*TipButton{w.recordButton, w.pauseButton, w.settingsButton, w.playButton, w.retryButton, w.copyButton, w.revealButton, w.exportButton, w.deleteButton} {
		if b.Tip == "" {
			t.Errorf("button %q has no tip", b.Text)
		}
	}
	c := w.win.Canvas()
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(w.recordButton).Add(fyne.NewPos(5, 5))
	test.MoveMouse(c, at)
	eventually(t, "the tip", func() bool { return w.recordButton.TipShown() != "" })
	if got := w.recordButton.TipShown(); got != "Start or stop recording (Ctrl+R)" {
		t.Errorf("tip %q", got)
	}
	test.MoveMouse(c, fyne.NewPos(600, 400))
	if w.recordButton.TipShown() != "" {
		t.Error("the tip stayed after the pointer left")
	}
}
