// Command voicenotes records voice notes, transcribes them and keeps them as
// Markdown files in a folder the user owns. With no arguments it opens the
// window; "voicenotes help" lists the commands.
package main

import (
	"os"

	"fyne.io/fyne/v2/app"

	"github.com/voicenotes/voicenotes/cli"
	"github.com/voicenotes/voicenotes/persistence"
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
			ui.New(app.NewWithID(AppID), v).ShowAndRun()
			return nil
		},
	}))
}
