// Package ui is the Voice Notes window: record, watch the words arrive,
// edit, play and find notes. It knows the rest of the app through Services,
// so its tests run without audio hardware; background work reaches widgets
// only through fyne.Do in bridge.go.
package ui

import (
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/keyboard"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/session"
	"github.com/voicenotes/voicenotes/transcribe"
)

// Services are the app's working parts, supplied by main (or a test).
type Services struct {
	Vault      *persistence.Vault
	OpenInput  func() (audio.Source, error)
	OpenOutput func(rate, channels int) (audio.Sink, error)
	// Engine returns the transcription engine to use now; nil means none.
	Engine    func() (transcribe.Engine, transcribe.Options, error)
	Recovered []*persistence.Note // rebuilt after a crash, to tell the user
	// For Settings: the input devices, opening one by name, and switching
	// to another vault (which opens it with its lock and releases the old).
	ListInputs     func() ([]string, error)
	OpenInputNamed func(name string) (audio.Source, error)
	SwitchVault    func(root string) (*persistence.Vault, error)
	// Trace, when set, hears on the UI thread what the window has done, so
	// an end-to-end test can wait for it: "shown ID" once a note's text is
	// in the editor, "edited ID BYTES" after each change to its text.
	Trace func(event string)
	// RescueDir is a folder outside the vault where an edit that could
	// not be saved as the app closed is kept when the vault cannot be
	// written ("" for none: then only inside the vault).
	RescueDir string
	// GrabKey takes a key combination for the whole desktop: down and up
	// run (on their own goroutine) when it is pressed and let go in any
	// app (keyboard.Grab; nil: none, as in tests).
	GrabKey func(combo string, down, up func()) (io.Closer, error)
	// ListWait is how long New waits for the vault's listing once the
	// widgets are built, before it opens the window with the list still
	// reading (0: until it is read, as tests that look at the notes at
	// once want).
	ListWait time.Duration
}

// Window is the main window, made of its parts: the toolbar, the note
// list, the recording in progress, the selected note's pane, its player,
// and the status bar. Each part is a struct of its own, declared beside
// its code and embedded here.
//
// Which goroutine may touch what: every field of the window and of its
// parts belongs to the UI thread (Fyne's event loop, which runs widget
// callbacks, shortcuts and what fyne.Do hands it). Work that must not run
// there (reading the vault, saving, transcribing, playing) runs on other
// goroutines with copies of what it needs, and comes back only through
// w.do (bridge.go), which does nothing once Shutdown has run. The saver,
// the player and the transcription queue say in their own docs what they
// guard for themselves.
type Window struct {
	toolbar
	noteList
	recordingView
	notePane
	transformView
	autoRun autoRun
	playerView
	statusBar

	app fyne.App
	win fyne.Window
	svc Services

	// painted ticks with every frame under VOICENOTES_TRACE; the events
	// of paintedNext are painted this frame, those of paintedNow were.
	painted                 *fyne.Animation
	paintedNow, paintedNext []func()

	// watchFallback is why the vault is polled rather than watched (nil
	// while it is watched).
	watchFallback error

	uiMu    sync.Mutex // held while background work runs on the UI thread (see do)
	ended   bool       // set by Shutdown: background work no longer runs
	closing bool       // Close is saving before the window closes
	// switching is the dialog shown while another vault opens (nil
	// otherwise): nothing starts meanwhile.
	switching dialog.Dialog

	now   func() time.Time
	queue *transcribe.Queue
	stop  chan struct{}

	ownKeys map[string]func() // the window's shortcuts by name, for text fields to pass on

	trayMenu   *fyne.Menu
	trayState  *fyne.MenuItem
	trayRecord *fyne.MenuItem
	trayMark   *fyne.MenuItem
	trayIcon   fyne.Resource
}

// toolbar is the strip along the top: Record, Pause, the time, the level
// meter with the watchdog's banner and the newest live words, Settings.
type toolbar struct {
	recordButton   *TipButton
	pauseButton    *TipButton
	elapsed        *widget.Label
	level          *Meter
	banner         *Banner // what the recording's watchdog says, by the meter
	liveText       *widget.Label
	settingsButton *TipButton
}

// statusBar is the line along the bottom: what the app says, with Undo
// after a delete.
type statusBar struct {
	status *widget.Label
	undo   *widget.Button
	// statusHeld: until when a message that matters stays; statusNext is
	// the routine status that waits for it.
	statusHeld time.Time
	statusNext string
	undos      []func() error // what Undo takes back (a delete, a transformation), newest last
	// dictWaiting are dictations saved without their words yet, by the
	// note's id: the queue's transcript delivers them.
	dictWaiting map[string]*dictation
	// transcribing are the notes the queue is transcribing now, for the
	// tray's state.
	transcribing map[string]bool
	dictKey      dictationKey
}

// New builds the window on an open vault.
func New(a fyne.App, svc Services) *Window {
	w := &Window{app: a, svc: svc, win: a.NewWindow("Voice Notes"), stop: make(chan struct{}), now: time.Now}
	w.progress, w.headings, w.conflictOpen, w.rescuing = map[string]float64{}, map[int]string{}, map[string]bool{}, map[string]*persistence.Note{}
	w.declined, w.machine = map[transcribe.Rule]bool{}, map[string]machineCache{}
	w.transcribing, w.hay = map[string]bool{}, map[*persistence.Note]haystack{}
	w.saver = newSaver(svc.Vault, w.do, w.onSaved)
	// The vault is listed while the widgets are made (fonts parsed,
	// icons drawn): each took about a tenth of a second of a launch on
	// 10k notes, one after the other.
	listed := make(chan listing, 1)
	go func() { listed <- listVault(svc.Vault) }()
	w.build()
	w.bindKeys()
	w.setupTray()
	w.awaitListing(listed)
	w.startBackground()
	w.grabDictationKey(nil)
	w.standby = transcribe.NewStandby(liveEngine(a, svc.Engine))
	w.standby.IdleAfter = transcribe.DefaultIdleAfter // nothing loaded before the first Record
	w.win.SetCloseIntercept(w.Close)
	w.win.SetOnDropped(w.onDrop)
	if len(svc.Recovered) > 0 {
		w.tellRecovered(svc.Recovered)
	}
	w.offerRescued()
	return w
}

func (w *Window) build() {
	toolbar := w.buildToolbar()
	w.buildLive()
	left := w.buildList()
	right := w.buildNotePane(w.buildPlayer())
	status := w.buildStatus()
	split := container.NewHSplit(left, right)
	split.Offset = 0.32
	// In a scroll: on a screen smaller than the window's layout needs (a
	// laptop at twice the scale) the window still fits, and its content
	// scrolls instead of pushing the window past the screen's edges.
	w.win.SetContent(container.NewScroll(inScreenOrder(toolbar, status, nil, nil, split)))
	w.win.Resize(fyne.NewSize(1100, 700))
	w.showNote(nil)
}

// buildToolbar makes the toolbar's widgets and lays them out.
func (w *Window) buildToolbar() fyne.CanvasObject {
	w.recordButton = w.newTipButton("Record", theme.MediaRecordIcon(), "Start or stop recording (Ctrl+R)", w.ToggleRecording)
	w.recordButton.Importance = widget.HighImportance
	w.pauseButton = w.newTipButton("Pause", theme.MediaPauseIcon(), "Pause or resume the recording", w.TogglePause)
	w.pauseButton.Disable()
	w.elapsed = widget.NewLabel("0:00")
	w.level = NewMeter()
	w.banner = NewBanner()
	w.liveText = widget.NewLabel("")
	w.liveText.Truncation = fyne.TextTruncateClip
	w.settingsButton = w.newTipButton("", theme.SettingsIcon(), "Settings: vault, microphone, transcription", func() { w.ShowSettings() })
	return inScreenOrder(nil, nil,
		container.NewHBox(w.recordButton, w.pauseButton, w.elapsed),
		w.settingsButton, container.NewVBox(w.level, w.banner, w.liveText))
}

// buildStatus makes the status bar.
func (w *Window) buildStatus() fyne.CanvasObject {
	w.status = widget.NewLabel("")
	w.status.Truncation = fyne.TextTruncateEllipsis
	w.undo = widget.NewButton("Undo", w.Undo)
	w.undo.Hide()
	return inScreenOrder(nil, nil, nil, w.undo, w.status)
}

// tracePainted says, under VOICENOTES_TRACE, that what the UI thread just
// changed is on the screen (make bench times a keystroke to it). Each
// frame tick of Fyne's loop handles input, ticks animations, then paints:
// the change is painted at the end of the next tick after this call, and
// said at the tick after that, which comes at most a frame later.
func (w *Window) tracePainted(format string, a ...any) {
	if w.svc.Trace == nil {
		return
	}
	e := fmt.Sprintf(format, a...)
	w.afterPaint(func() { w.trace("%s", e) })
}

// afterPaint runs f, under VOICENOTES_TRACE, once what the UI thread just
// changed is on the screen (see tracePainted): where things are laid out
// is known then.
func (w *Window) afterPaint(f func()) {
	if w.svc.Trace == nil {
		return
	}
	if w.painted == nil {
		w.painted = fyne.NewAnimation(time.Hour, func(float32) {
			for _, f := range w.paintedNow {
				f()
			}
			w.paintedNow, w.paintedNext = w.paintedNext, w.paintedNow[:0]
		})
		w.painted.RepeatCount = fyne.AnimationRepeatForever
		w.painted.Start()
	}
	w.paintedNext = append(w.paintedNext, f)
}

// traceBox says, under VOICENOTES_TRACE, where a thing is on the window
// in pixels (what then "at X,Y size WxH"), as the e2e tests click it.
func (w *Window) traceBox(what string, p fyne.Position, sz fyne.Size) {
	scale := w.win.Canvas().Scale()
	w.trace("%s at %d,%d size %dx%d", what, int(p.X*scale), int(p.Y*scale), int(sz.Width*scale), int(sz.Height*scale))
}

func (w *Window) trace(format string, a ...any) {
	if w.svc.Trace != nil {
		w.svc.Trace(fmt.Sprintf(format, a...))
	}
}

// statusHold is how long a message that matters stays in the status bar
// before routine status (a save, a count) may replace it.
const statusHold = 6 * time.Second

// setStatus shows routine status: it waits while a message that matters
// is held (and is shown then, if nothing newer came).
func (w *Window) setStatus(s string) {
	if w.now().Before(w.statusHeld) {
		w.statusNext = s
		w.trace("status %q waits", s)
		return
	}
	w.status.SetText(s)
	w.trace("status %q", s)
}

// tell shows a message that matters (a refusal, a conflict resolved, a
// marker, a warning): routine status does not replace it for statusHold.
func (w *Window) tell(s string) {
	w.status.SetText(s)
	w.trace("told %q", s)
	w.statusHeld, w.statusNext = w.now().Add(statusHold), ""
	held := w.statusHeld
	time.AfterFunc(statusHold, func() {
		w.do(func() {
			if w.statusHeld.Equal(held) {
				w.releaseStatus()
			}
		})
	})
}

// releaseStatus ends the hold, showing the routine status that waited.
func (w *Window) releaseStatus() {
	w.statusHeld = time.Time{}
	if w.statusNext != "" {
		w.status.SetText(w.statusNext)
		w.trace("status %q", w.statusNext)
		w.statusNext = ""
	}
}

// Close flushes unsaved edits, stops recording (saving it) and quits.
func (w *Window) Close() {
	if w.closing {
		return // already saving to close
	}
	log.Printf("ui: closing the window")
	w.closing = true
	// Stopping a recording (its last audio, the final transcript, a
	// conversion) and the last save (the vault's write lock may be held
	// for seconds) run off the UI thread; the window says so meanwhile.
	var stopping *session.Session
	if w.rec != nil {
		stopping = w.rec.s // nil while the microphone opens: it stops once open
		w.stopRecording(false)
	}
	w.stopPlayback()
	if w.selected != nil {
		w.saver.flush(w.selected)
	}
	w.setStatus("Saving before closing…")
	go func() {
		if stopping != nil {
			stopping.Stop() // its own events report what went wrong
		}
		err := w.saver.wait()
		w.do(func() {
			w.closing = false
			if err != nil {
				w.showError(fmt.Errorf("your last edit could not be saved (%w); it is still in the editor. Fix the problem and close again", err))
				return
			}
			select {
			case <-w.stop:
			default:
				close(w.stop)
			}
			w.win.Close()
		})
	}()
}

// HandleCommand answers a command from outside the window (instance
// package): toggle recording, or come to the front. Any goroutine.
func (w *Window) HandleCommand(cmd string) string {
	reply := make(chan string, 1)
	switch cmd {
	case "toggle":
		w.do(func() {
			w.ToggleRecording()
			if w.rec != nil {
				reply <- "recording"
			} else {
				reply <- "stopped"
			}
		})
	case "dictate":
		// Which window has the keyboard is asked now, before anything
		// of this app moves: the words go there.
		target, _ := keyboard.Focused()
		title := keyboard.Title(target)
		w.do(func() { reply <- w.Dictate(target, title) })
	case "show":
		w.do(func() {
			w.win.Show()
			w.win.RequestFocus()
			reply <- "ok"
		})
	default:
		label, ok := strings.CutPrefix(cmd, "mark")
		if !ok || label != "" && label[0] != ' ' {
			return "unknown command " + cmd
		}
		w.do(func() { reply <- w.MarkRecording(strings.TrimSpace(label)) })
	}
	select {
	case r := <-reply:
		return r
	case <-time.After(5 * time.Second):
		return "busy"
	}
}

// Shutdown saves what is left when the app ends by a route that skips
// Close (SIGTERM and the tray's Quit stop the event loop directly): the
// recording in progress and unsaved edits. Call it after the event loop
// returned; it touches no widgets.
func (w *Window) Shutdown() error {
	w.end()
	var errs []error
	if rec := w.rec; rec != nil {
		w.rec = nil
		w.recOn.Store(false)
		_, err := w.saveRecording(rec)
		errs = append(errs, err)
	}
	if w.selected != nil {
		w.saver.flush(w.selected)
	}
	if err := w.saver.wait(); err != nil {
		// Nothing more can be tried now: what could not be saved is kept
		// for the next start.
		errs = append(errs, err, w.rescueUnsaved())
	}
	w.saver.close()
	w.standby.Close()
	keyboard.Finish() // the keys a dictation typed through, given back
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	return errors.Join(errs...)
}

// ShowAndRun shows the window and runs the app until it quits.
func (w *Window) ShowAndRun() { w.win.ShowAndRun() }

func (w *Window) tellRecovered(notes []*persistence.Note) {
	var titles []string
	for _, n := range notes {
		titles = append(titles, "• "+displayTitle(n)+" ("+audio.FormatDuration(n.Duration)+")")
	}
	msg := fmt.Sprintf("Voice Notes stopped while recording last time. %d recording(s) were recovered and are in the list, marked \"recovered\":\n\n%s", len(notes), strings.Join(titles, "\n"))
	w.info("Recordings recovered", msg)
	w.tell(fmt.Sprintf("%d recording(s) recovered after a crash", len(notes)))
}

// FitScreen makes the window fit a screen of widthPx × heightPx pixels at
// its canvas's scale. A window that fits is left as it is; one larger
// than the screen becomes nine tenths of it each way, so its edges and
// title bar are reachable.
func (w *Window) FitScreen(widthPx, heightPx int) {
	scale := w.win.Canvas().Scale()
	if scale <= 0 || widthPx <= 0 || heightPx <= 0 {
		return
	}
	screenW, screenH := float32(widthPx)/scale, float32(heightPx)/scale
	size := w.win.Canvas().Size()
	if size.Width <= screenW && size.Height <= screenH {
		return
	}
	fit := fyne.NewSize(min(size.Width, screenW*0.9), min(size.Height, screenH*0.9))
	w.win.Resize(fit)
	w.trace("fit the screen %dx%d at scale %g: %gx%g", widthPx, heightPx, scale, fit.Width, fit.Height)
}
