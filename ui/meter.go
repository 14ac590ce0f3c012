package ui

import (
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The meter's scale and zones, in dBFS.
const (
	meterFloor = -60.0 // the left end: quieter than this shows nothing
	meterAmber = -12.0 // loud: above this the fill turns amber
	meterRed   = -3.0  // about to clip: red
	// The peak tick holds for peakHold, then falls at peakFall dB a second.
	peakHold = time.Second
	peakFall = 20.0
)

var (
	meterGreen   = color.NRGBA{R: 0x3f, G: 0xb9, B: 0x50, A: 0xff}
	meterAmberC  = color.NRGBA{R: 0xf0, G: 0xa8, B: 0x20, A: 0xff}
	meterRedC    = color.NRGBA{R: 0xe5, G: 0x3e, B: 0x3e, A: 0xff}
	meterTrackC  = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0x40} // visible on light and dark themes
	meterHeight  = float32(8)
	meterMinWide = float32(120)
)

// Meter is a thin horizontal level meter in dBFS, -60 to 0: a faint track,
// a fill that is green, amber above -12 dBFS and red above -3 dBFS, and a
// peak tick that holds a second, then falls. The toolbar and the Settings
// microphone test use it. Its methods run on the UI thread.
type Meter struct {
	widget.BaseWidget
	level  float64 // dBFS now
	peak   float64 // dBFS of the peak tick
	peakAt time.Time
	now    func() time.Time
}

// NewMeter is a meter at silence.
func NewMeter() *Meter {
	m := &Meter{level: math.Inf(-1), peak: math.Inf(-1), now: time.Now}
	m.ExtendBaseWidget(m)
	return m
}

// SetLevel shows a peak amplitude (0 to 1).
func (m *Meter) SetLevel(amplitude float32) {
	db := 20 * math.Log10(float64(amplitude))
	now := m.now()
	m.level = db
	if held := m.heldPeak(now); db >= held {
		m.peak, m.peakAt = db, now
	}
	m.Refresh()
}

// Reset shows silence and drops the peak.
func (m *Meter) Reset() {
	m.level, m.peak = math.Inf(-1), math.Inf(-1)
	m.Refresh()
}

// heldPeak is where the peak tick is now.
func (m *Meter) heldPeak(now time.Time) float64 {
	since := now.Sub(m.peakAt)
	if since <= peakHold {
		return m.peak
	}
	return m.peak - peakFall*(since-peakHold).Seconds()
}

// frac is where db lies on the scale, 0 to 1.
func frac(db float64) float32 {
	if math.IsInf(db, -1) || db <= meterFloor {
		return 0
	}
	return float32(min(1, (db-meterFloor)/-meterFloor))
}

func (m *Meter) CreateRenderer() fyne.WidgetRenderer {
	r := &meterRenderer{m: m,
		track: canvas.NewRectangle(meterTrackC),
		zones: [3]*canvas.Rectangle{canvas.NewRectangle(meterGreen), canvas.NewRectangle(meterAmberC), canvas.NewRectangle(meterRedC)},
		tick:  canvas.NewRectangle(theme.Color(theme.ColorNameForeground)),
	}
	return r
}

type meterRenderer struct {
	m     *Meter
	size  fyne.Size
	track *canvas.Rectangle
	zones [3]*canvas.Rectangle // green, amber, red parts of the fill
	tick  *canvas.Rectangle
}

func (r *meterRenderer) Layout(size fyne.Size) {
	r.size = size
	r.Refresh()
}

func (r *meterRenderer) MinSize() fyne.Size { return fyne.NewSize(meterMinWide, meterHeight) }

func (r *meterRenderer) Refresh() {
	size := r.size
	y := (size.Height - meterHeight) / 2
	r.track.Move(fyne.NewPos(0, y))
	r.track.Resize(fyne.NewSize(size.Width, meterHeight))
	fill := frac(r.m.level) * size.Width
	bounds := [4]float32{0, frac(meterAmber) * size.Width, frac(meterRed) * size.Width, size.Width}
	for i, z := range r.zones {
		from, to := bounds[i], min(bounds[i+1], fill)
		if to <= from {
			z.Hide()
			continue
		}
		z.Show()
		z.Move(fyne.NewPos(from, y))
		z.Resize(fyne.NewSize(to-from, meterHeight))
	}
	if p := frac(r.m.heldPeak(r.m.now())); p > 0 {
		r.tick.FillColor = r.zones[zoneOf(r.m.heldPeak(r.m.now()))].FillColor
		r.tick.Show()
		r.tick.Move(fyne.NewPos(max(0, p*size.Width-2), y))
		r.tick.Resize(fyne.NewSize(2, meterHeight))
	} else {
		r.tick.Hide()
	}
	for _, o := range r.Objects() {
		canvas.Refresh(o)
	}
}

// zoneOf is the zone (0 green, 1 amber, 2 red) a level falls in.
func zoneOf(db float64) int {
	switch {
	case db > meterRed:
		return 2
	case db > meterAmber:
		return 1
	}
	return 0
}

func (r *meterRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.zones[0], r.zones[1], r.zones[2], r.tick}
}

func (r *meterRenderer) Destroy() {}

// Banner is a warning that stands out by the meter: an icon and a line
// of text on the theme's warning colour; hidden when there is none.
type Banner struct {
	widget.BaseWidget
	label *widget.Label
	bg    *canvas.Rectangle
	icon  *widget.Icon
}

// NewBanner is a hidden banner.
func NewBanner() *Banner {
	b := &Banner{label: widget.NewLabel(""), icon: widget.NewIcon(theme.WarningIcon())}
	b.label.Truncation = fyne.TextTruncateEllipsis
	b.bg = canvas.NewRectangle(color.NRGBA{R: 0xf0, G: 0xa8, B: 0x20, A: 0x50})
	b.bg.CornerRadius = 4
	b.ExtendBaseWidget(b)
	b.Hide()
	return b
}

// Say shows text.
func (b *Banner) Say(text string) {
	b.label.SetText(text)
	b.Show()
}

// Clear hides the banner and forgets its text.
func (b *Banner) Clear() {
	b.label.SetText("")
	b.Hide()
}

// Text is what the banner says ("" when hidden).
func (b *Banner) Text() string { return b.label.Text }

func (b *Banner) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(b.bg, container.NewBorder(nil, nil, b.icon, nil, b.label)))
}
