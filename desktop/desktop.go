// Package desktop is the program as a person's desktop runs it: the
// process made private (umask 077), a Windows console given back to the
// command line, the Fyne app built with its ID, and PortAudio, the
// engines and the settings wired into the window, with every way out
// saving first.
package desktop

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/assets"
	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/audio/device"
	"github.com/voicenotes/voicenotes/cli"
	"github.com/voicenotes/voicenotes/instance"
	"github.com/voicenotes/voicenotes/internal/trim"
	"github.com/voicenotes/voicenotes/keyboard"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
	"github.com/voicenotes/voicenotes/settings"
	"github.com/voicenotes/voicenotes/transcribe"
	"github.com/voicenotes/voicenotes/ui"
)

// AppID is the reverse-DNS id Fyne stores preferences under.
const AppID = "io.github.voicenotes"

// launchSettles is how long after the window opens its start-up work is
// taken to be done (the listing and the first frames take about a second
// on a loaded machine; a vault's maintenance runs meanwhile).
const launchSettles = 5 * time.Second

// listWait is how long the window's first frame waits for the vault's
// listing once its widgets are built (ui.Services.ListWait). A listing
// done by then (a thousand notes) is in the first frame; a slower one
// (10,000 notes take about a third of a second to list, beside the
// window's start; a vault's first launch reads every note) comes after.
const listWait = 10 * time.Millisecond

// Main runs the program with its arguments (without the program's name)
// and returns its exit code: a command, or with none the window.
func Main(args []string) int {
	console()
	private()
	cli.OpenLog()
	d := &desktop{}
	return cli.Main(args, cli.Env{
		Stdin:          os.Stdin,
		Stdout:         os.Stdout,
		Stderr:         os.Stderr,
		PreferredVault: d.preferredVault,
		Settings:       func() settings.Settings { return settings.Stored(AppID) },
		Window:         d.run,
		WindowError:    d.showError,
	})
}

// desktop wires the real pieces (PortAudio, the engines, the settings) into
// the window.
type desktop struct {
	app fyne.App
}

// fyneApp makes the app once: its preferences hold the settings.
func (d *desktop) fyneApp() fyne.App {
	if d.app == nil {
		d.app = app.NewWithID(AppID)
		d.app.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	}
	return d.app
}

func (d *desktop) settings() settings.Settings { return settings.Load(d.fyneApp().Preferences()) }

// preferredVault is the vault chosen in Settings, if any.
func (d *desktop) preferredVault() string { return d.settings().Vault }

// run shows the window on an open vault until the user quits.
func (d *desktop) run(v *persistence.Vault, recovered []*persistence.Note) error {
	// Before GLFW opens its X connection, and before the dictation
	// shortcut's grab opens another from its own goroutine.
	keyboard.InitThreads()
	// The audio system starts beside the window, not before it (probing
	// devices can take a while on some machines); what needs it waits for
	// it, and a failure is reported when recording, not at launch.
	audioUp := make(chan struct{})
	var audioErr error
	go func() { audioErr = device.Init(); close(audioUp) }()
	defer func() {
		if <-audioUp; audioErr == nil {
			device.Terminate()
		}
	}()
	withAudio := func() error { <-audioUp; return audioErr }
	a := d.fyneApp()
	// For make e2e and make bench: what the window did, on stderr.
	var trace func(string)
	if os.Getenv("VOICENOTES_TRACE") != "" {
		trace = func(event string) { fmt.Fprintln(os.Stderr, "voicenotes: "+event) }
	}
	var w *ui.Window
	a.Lifecycle().SetOnStarted(func() {
		// The window fits the screen it opens on, at any scale
		// (FYNE_SCALE=2 on a laptop's screen opened one larger than it).
		fyne.Do(func() {
			if width, height := screenSize(); width > 0 {
				w.FitScreen(width, height)
			}
		})
		// What the launch left behind (fonts parsed, the listing read,
		// the first frames drawn) is given back once it is done; the Go
		// heap would keep its peak for minutes, 17 MB more than an empty
		// vault's window then uses.
		time.AfterFunc(launchSettles, trim.Release)
		if trace != nil {
			fyne.Do(func() { trace("first frame") })
			go traceStalls(trace)
			traceGaps(trace)
		}
	})
	// The vault open and the listener for `voicenotes toggle`: switched
	// off the UI thread (Settings), read at quit by the guard.
	var mu sync.Mutex
	current := v
	var listener *instance.Listener
	listen := func(w *ui.Window, v *persistence.Vault) { // with mu held
		if listener != nil {
			listener.Close()
		}
		var err error
		if listener, err = instance.Listen(v.Root(), w.HandleCommand); err != nil {
			log.Printf("voicenotes toggle will not reach this window: %v", err)
		}
	}
	w = ui.New(a, ui.Services{
		GrabKey:   func(combo string, down, up func()) (io.Closer, error) { return keyboard.Grab(combo, down, up) },
		Vault:     v,
		RescueDir: rescueDir(),
		OpenInput: func() (audio.Source, error) {
			if err := withAudio(); err != nil {
				return nil, err
			}
			return device.OpenInput(d.settings().InputDevice)
		},
		OpenInputNamed: func(name string) (audio.Source, error) {
			if err := withAudio(); err != nil {
				return nil, err
			}
			return device.OpenInput(name)
		},
		OpenOutput: func(rate, channels int) (audio.Sink, error) {
			if err := withAudio(); err != nil {
				return nil, err
			}
			return device.OpenOutput(rate, channels)
		},
		Engine:    func() (transcribe.Engine, transcribe.Options, error) { return d.engine() },
		Recovered: recovered,
		Trace:     trace,
		ListWait:  listWait,
		ListInputs: func() ([]string, error) {
			if err := withAudio(); err != nil {
				return nil, err
			}
			ins, _, err := device.List()
			var names []string
			for _, i := range ins {
				names = append(names, i.Name)
			}
			return names, err
		},
		SwitchVault: func(root string) (*persistence.Vault, error) {
			nv, err := persistence.Open(root, persistence.Options{Exclusive: true, Maintain: []func(*persistence.Vault) error{
				func(v *persistence.Vault) error { _, err := recording.Recover(v); return err }}})
			if err != nil {
				return nil, err
			}
			mu.Lock()
			defer mu.Unlock()
			current.Close()
			current = nv
			listen(w, nv)
			return nv, nil
		},
	})
	mu.Lock()
	listen(w, v)
	mu.Unlock()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		if listener != nil {
			listener.Close()
		}
		if current != v {
			current.Close() // the first vault is closed by the caller
		}
	}()
	// SIGTERM (logging out, shutting down) and the tray's Quit end the loop
	// without the window's Close: what is left is saved once Run returns.
	// (Fyne 2.7.1 could lose its own stop hook on the way out and never
	// return; third_party/fyne's patch 2 mends that.)
	w.ShowAndRun()
	return w.Shutdown()
}

// traceStalls reports each time the UI thread was busy for more than a
// frame (16 ms): a heartbeat every 5 ms measures how long the event loop
// takes to run it.
func traceStalls(trace func(string)) {
	for {
		sent := time.Now()
		fyne.DoAndWait(func() {})
		if lag := time.Since(sent); lag > 16*time.Millisecond {
			trace(fmt.Sprintf("ui stall %d ms", lag.Milliseconds()))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// traceGaps reports each time the UI thread went longer than a frame and a
// bit (20 ms; a tick is due every 16.7) between two of its frame ticks:
// Fyne polls the keyboard and mouse once per tick, so that is how long a
// keypress or a click could have waited, whatever held the thread (a frame being painted, the
// window's own work). It is the stall a person notices. traceStalls'
// figure can be longer: Fyne's loop picks at random between a due tick
// and a queued function, so with frames that take about a tick to paint,
// a function may wait out several frames while input is still served.
func traceGaps(trace func(string)) {
	var last time.Time
	a := fyne.NewAnimation(time.Hour, func(float32) {
		now := time.Now()
		if gap := now.Sub(last); !last.IsZero() && gap > 20*time.Millisecond {
			trace(fmt.Sprintf("ui gap %d ms", gap.Milliseconds()))
		}
		last = now
	})
	a.RepeatCount = fyne.AnimationRepeatForever
	a.Curve = fyne.AnimationLinear
	a.Start()
}

// engine is the engine chosen in Settings (the offline one by default).
func (d *desktop) engine() (transcribe.Engine, transcribe.Options, error) {
	s := d.settings()
	if s.Engine == "" && transcribe.DefaultEngine() == "" {
		return nil, transcribe.Options{}, errors.New("no transcription engine is set up; choose one in Settings ('voicenotes engines' says what this build offers)")
	}
	return s.NewEngine()
}

// showError explains, in a window, why the main window cannot open.
func (d *desktop) showError(err error) {
	w := d.fyneApp().NewWindow("Voice Notes")
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	ok := widget.NewButton("OK", w.Close)
	ok.Importance = widget.HighImportance
	w.SetContent(container.NewBorder(nil, container.NewCenter(ok), nil, nil, msg))
	w.Resize(fyne.NewSize(480, 160))
	w.ShowAndRun()
}

// rescueDir is where an edit that could not be saved as the window closed
// is kept when its vault cannot be written: the user's configuration
// folder, which is usually on another disk than a vault on a stick or a
// share ("" when there is none).
func rescueDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "voicenotes", "unsaved")
}
