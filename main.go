// Command voicenotes records voice notes, transcribes them and keeps them as
// Markdown files in a folder the user owns. With no arguments it opens the
// window; "voicenotes help" lists the commands.
package main

import (
	"errors"
	"fmt"
	"log"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/assets"
	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/audio/device"
	"github.com/voicenotes/voicenotes/cli"
	"github.com/voicenotes/voicenotes/instance"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
	"github.com/voicenotes/voicenotes/ui"
)

// AppID is the reverse-DNS id Fyne stores preferences under.
const AppID = "io.github.voicenotes"

func main() {
	cli.OpenLog()
	os.Exit(cli.Main(os.Args[1:], cli.Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Window: func(v *persistence.Vault, recovered []*persistence.Note) error {
			if err := device.Init(); err != nil {
				return err
			}
			defer device.Terminate()
			a := app.NewWithID(AppID)
			a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
			if os.Getenv("VOICENOTES_REPORT_STARTED") != "" { // for make bench: launch to first frame
				a.Lifecycle().SetOnStarted(func() {
					fyne.Do(func() { fmt.Fprintln(os.Stderr, "voicenotes: first frame") })
				})
			}
			w := ui.New(a, ui.Services{
				Vault:      v,
				OpenInput:  func() (audio.Source, error) { return device.OpenInput("") },
				OpenOutput: device.OpenOutput,
				Engine:     defaultEngine,
				Recovered:  recovered,
			})
			if l, err := instance.Listen(v.Root(), w.HandleCommand); err == nil {
				defer l.Close()
			} else {
				log.Printf("voicenotes toggle will not reach this window: %v", err)
			}
			w.ShowAndRun()
			// SIGTERM (logging out, shutting down) and the tray's Quit end
			// the loop without the window's Close: save what is left now.
			return w.Shutdown()
		},
		WindowError: func(err error) {
			w := app.NewWithID(AppID).NewWindow("Voice Notes")
			msg := widget.NewLabel(err.Error())
			msg.Wrapping = fyne.TextWrapWord
			ok := widget.NewButton("OK", w.Close)
			ok.Importance = widget.HighImportance
			w.SetContent(container.NewBorder(nil, container.NewCenter(ok), nil, nil, msg))
			w.Resize(fyne.NewSize(480, 160))
			w.ShowAndRun()
		},
	}))
}

// defaultEngine is the offline engine, until settings choose another.
func defaultEngine() (transcribe.Engine, transcribe.Options, error) {
	name := transcribe.DefaultEngine()
	if name == "" {
		return nil, transcribe.Options{}, errors.New("no offline transcription engine in this build; 'voicenotes engines' says how to get one")
	}
	e, err := transcribe.New(name, transcribe.Config{})
	return e, transcribe.Options{}, err
}
