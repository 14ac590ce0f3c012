package ui

import (
	"context"
	"image"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
)

// playerView is the selected note's audio: the waveform, play and seek,
// the speed, and the Follow tab (the transcript word by word, for notes
// with word timings; follow.go).
type playerView struct {
	playButton   *TipButton
	seek         *widget.Slider
	position     *widget.Label
	waveform     *Waveform
	speedSelect  *widget.Select // playback speed, pitch kept
	followTab    *container.TabItem
	followFlow   *fyne.Container
	followScroll *container.Scroll
	followAt     *widget.Label
	follow       *follow
	playPos      time.Duration // where the player last said it was
	player       *playback
}

// playback is the selected note's audio being played.
type playback struct {
	id     string
	done   func() // closes the audio (and removes a decoded copy)
	player *audio.Player
}

// TogglePlay plays or pauses the selected note's audio.
func (w *Window) TogglePlay() {
	n := w.selected
	if n == nil {
		return
	}
	if w.player != nil && w.player.id == n.ID {
		if w.player.player.Playing() {
			w.player.player.Pause()
			w.playButton.SetIcon(theme.MediaPlayIcon())
			w.trace("paused")
		} else {
			w.player.player.Play()
			w.playButton.SetIcon(theme.MediaPauseIcon())
		}
		return
	}
	w.startPlayer(-1)
}

// startPlayer plays the selected note from at (-1: from where the slider
// is), seeking before the first sound.
func (w *Window) startPlayer(at time.Duration) {
	w.stopPlayback()
	p, err := w.openPlayer(w.selected)
	if err != nil {
		w.showError(err)
		return
	}
	w.player = p
	if at < 0 && w.seek.Value > 0 && w.seek.Value < 1 {
		at = time.Duration(w.seek.Value * float64(p.player.Length()))
	}
	if at > 0 {
		p.player.Seek(at)
	}
	p.player.Play()
	w.playButton.SetIcon(theme.MediaPauseIcon())
}

func (w *Window) openPlayer(n *persistence.Note) (*playback, error) {
	if w.svc.OpenOutput == nil {
		return nil, errNoOutput
	}
	path, ok := w.svc.Vault.AudioTarget(n)
	if !ok {
		return nil, errNoAudio
	}
	r, done, err := audio.OpenAudio(context.Background(), path)
	if err != nil {
		return nil, err
	}
	sink, err := w.svc.OpenOutput(r.Format().SampleRate, r.Format().Channels)
	if err != nil {
		done()
		return nil, err
	}
	id := n.ID
	p := &playback{id: id, done: done}
	defer func() { p.player.SetSpeed(w.speed()) }()
	p.player = audio.NewPlayer(r, sink, func(pos, length time.Duration) {
		w.do(func() {
			if w.player != p {
				return
			}
			w.playPos = pos
			w.trace("playing at %d ms", pos.Milliseconds())
			w.markAt(pos)
			if length > 0 {
				w.showSeek(float64(pos) / float64(length))
				w.waveform.SetPosition(float64(pos) / float64(length))
			}
			w.position.SetText(audio.FormatDuration(pos) + " / " + audio.FormatDuration(length))
			if pos >= length {
				w.playButton.SetIcon(theme.MediaPlayIcon())
				w.trace("played to the end")
			}
		})
	})
	return p, nil
}

// showSeek moves the position slider to f without seeking: Fyne's
// Slider.SetValue calls OnChangeEnded, which would seek the player back
// to the (rounded) position it just reported, twenty times a second.
func (w *Window) showSeek(f float64) {
	if w.seek.Value != f {
		w.seek.Value = f
		w.seek.Refresh()
	}
}

func (w *Window) seekTo(f float64) {
	if w.player != nil {
		w.player.player.Seek(time.Duration(f * float64(w.player.player.Length())))
	}
	w.waveform.SetPosition(f)
}

func (w *Window) stopPlayback() {
	if w.player == nil {
		return
	}
	p := w.player
	w.player = nil
	w.playButton.SetIcon(theme.MediaPlayIcon())
	go func() {
		p.player.Close()
		p.done()
	}()
}

// loadWaveform computes the selected note's waveform in the background.
func (w *Window) loadWaveform(n *persistence.Note) {
	w.waveform.SetPeaks(nil)
	path, ok := w.svc.Vault.AudioTarget(n)
	if !ok {
		return
	}
	id := n.ID
	go func() {
		peaks, err := Peaks(path, 400)
		if err != nil {
			return // not a WAV we can read: no waveform, playback reports why
		}
		w.do(func() {
			if w.selected != nil && w.selected.ID == id {
				w.waveform.SetPeaks(peaks)
				if w.svc.Trace != nil {
					w.traceBox("waveform of "+id, w.app.Driver().AbsolutePositionForObject(w.waveform), w.waveform.Size())
				}
			}
		})
	}()
}

// Peaks reads an audio file and returns the loudest |sample| in each of n
// equal stretches, 0 to 1.
func Peaks(path string, n int) ([]float32, error) {
	r, done, err := audio.OpenAudio(context.Background(), path)
	if err != nil {
		return nil, err
	}
	defer done()
	peaks := make([]float32, n)
	per := max(1, int(math.Ceil(float64(r.Frames())/float64(n))))
	var buf []float32
	for i := 0; i < n; i++ {
		buf, err = r.Read(buf[:0], per)
		if err != nil {
			break
		}
		for _, v := range buf {
			peaks[i] = max(peaks[i], float32(math.Abs(float64(v))))
		}
	}
	return peaks, nil
}

// Waveform draws a recording's peaks; a tap seeks there.
type Waveform struct {
	widget.BaseWidget
	peaks  []float32
	marks  []float64 // markers, as fractions of the length
	pos    float64
	onSeek func(float64)
	raster *canvas.Raster
	// painted, if set, hears the play head of each drawing of peaks
	// (on the painting goroutine).
	painted func(pos float64)
}

// NewWaveform makes an empty waveform; onSeek gets the tapped fraction.
func NewWaveform(onSeek func(float64)) *Waveform {
	w := &Waveform{onSeek: onSeek}
	w.raster = canvas.NewRaster(w.draw)
	w.ExtendBaseWidget(w)
	return w
}

// SetPeaks shows new peaks (nil for none).
func (w *Waveform) SetPeaks(p []float32) { w.peaks = p; w.raster.Refresh() }

// SetPosition moves the play head (0 to 1).
func (w *Waveform) SetPosition(f float64) { w.pos = f; w.raster.Refresh() }

// SetMarkers shows markers (fractions of the length) as ticks.
func (w *Waveform) SetMarkers(f []float64) { w.marks = f; w.raster.Refresh() }

// Markers are the ticks shown.
func (w *Waveform) Markers() []float64 { return w.marks }

// Tapped seeks to where the user clicked.
func (w *Waveform) Tapped(e *fyne.PointEvent) {
	if len(w.peaks) == 0 || w.Size().Width <= 0 {
		return
	}
	f := math.Max(0, math.Min(1, float64(e.Position.X/w.Size().Width)))
	if w.onSeek != nil {
		w.onSeek(f)
	}
}

// MinSize is a strip 60 px tall.
func (w *Waveform) MinSize() fyne.Size { return fyne.NewSize(100, 60) }

func (w *Waveform) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(w.raster) }

// unplayedColor is the waveform not yet played: the text colour toward the
// background, at least 3:1 against it in both themes as WCAG asks of a
// graphic a person must see (the theme's disabled grey was 1.3:1 in the
// light theme and 1.6:1 in the dark, the waveform nearly invisible).
func unplayedColor(th fyne.Theme, v fyne.ThemeVariant) color.Color {
	fg, bg := th.Color(theme.ColorNameForeground, v), th.Color(theme.ColorNameBackground, v)
	return mix(fg, bg, 0.65)
}

// mix is a weighted f of a and 1-f of b, opaque.
func mix(a, b color.Color, f float64) color.Color {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	m := func(x, y uint32) uint8 { return uint8((f*float64(x) + (1-f)*float64(y)) / 257) }
	return color.NRGBA{m(ar, br), m(ag, bg), m(ab, bb), 0xff}
}

func (w *Waveform) draw(width, height int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	if len(w.peaks) == 0 || width == 0 {
		return img
	}
	th := fyne.CurrentApp().Settings().Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	played := th.Color(theme.ColorNamePrimary, v)
	rest := unplayedColor(th, v)
	head := int(w.pos * float64(width))
	mid := height / 2
	for x := 0; x < width; x++ {
		p := w.peaks[x*len(w.peaks)/width]
		h := int(p * float32(height) / 2)
		var c color.Color = rest
		if x <= head {
			c = played
		}
		for y := mid - h; y <= mid+h; y++ {
			img.Set(x, y, c)
		}
	}
	// Markers: a full-height tick in the warning colour, two pixels wide.
	tick := th.Color(theme.ColorNameWarning, v)
	for _, f := range w.marks {
		x := int(f * float64(width-1))
		for dx := 0; dx < 2 && x+dx < width; dx++ {
			for y := 0; y < height; y++ {
				img.Set(x+dx, y, tick)
			}
		}
	}
	if w.painted != nil {
		w.painted(w.pos)
	}
	return img
}

// Playback speeds offered, and the preference that remembers the choice.
var speeds = []string{"0.5×", "0.75×", "1×", "1.25×", "1.5×", "2×"}

const speedPref = "playbackSpeed"

// speed is the playback speed the person chose last (1 at first).
func (w *Window) speed() float64 {
	return w.app.Preferences().FloatWithFallback(speedPref, 1)
}

// buildSpeed makes the speed choice beside the player: 0.5× to 2×, the
// pitch kept, remembered.
func (w *Window) buildSpeed() *widget.Select {
	sel := widget.NewSelect(speeds, nil)
	sel.SetSelected(strconv.FormatFloat(w.speed(), 'f', -1, 64) + "×")
	if sel.Selected == "" || !slices.Contains(speeds, sel.Selected) {
		sel.SetSelected("1×")
	}
	sel.OnChanged = func(s string) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, "×"), 64)
		if err != nil {
			return
		}
		w.app.Preferences().SetFloat(speedPref, v)
		if w.player != nil {
			w.player.player.SetSpeed(v)
		}
	}
	return sel
}

// buildPlayer makes the player's widgets (the waveform, play, seek,
// speed) and the Follow tab's; it returns the waveform over the controls.
func (w *Window) buildPlayer() fyne.CanvasObject {
	flow := &flowLayout{}
	w.followFlow = container.New(flow)
	w.followScroll = container.NewVScroll(w.followFlow)
	flow.relayout = w.followScroll.Refresh
	flow.laidOut = w.traceFollowLayout
	w.followAt = widget.NewLabel("Tap a word to play from it")
	w.followTab = container.NewTabItem("Follow", container.NewBorder(nil, w.followAt, nil, nil, w.followScroll))
	w.playButton = w.newTipButton("", theme.MediaPlayIcon(), "Play or pause (Space)", w.TogglePlay)
	w.seek = widget.NewSlider(0, 1)
	w.seek.Step = 0.001
	w.seek.OnChangeEnded = func(v float64) { w.seekTo(v) }
	w.position = widget.NewLabel("0:00 / 0:00")
	w.waveform = NewWaveform(func(f float64) { w.showSeek(f); w.seekTo(f) })
	if w.svc.Trace != nil {
		w.waveform.painted = func(pos float64) { w.trace("waveform painted at %.3f", pos) }
	}
	w.speedSelect = w.buildSpeed()
	controls := inScreenOrder(nil, nil, w.playButton, container.NewHBox(w.position, w.speedSelect), w.seek)
	return container.NewVBox(w.waveform, controls)
}
