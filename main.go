// Command voicenotes records voice notes, transcribes them and keeps them as
// Markdown files in a folder the user owns. With no arguments it opens the
// window; "voicenotes help" lists the commands.
package main

import (
	"os"

	// First, so what libraries log while starting goes to the log file.
	_ "github.com/voicenotes/voicenotes/internal/earlylog"

	"github.com/voicenotes/voicenotes/cli"
)

// AppID is the reverse-DNS id Fyne stores preferences under.
const AppID = "io.github.voicenotes"

func main() {
	console()
	private()
	cli.OpenLog()
	d := &desktop{}
	os.Exit(cli.Main(os.Args[1:], cli.Env{
		Stdin:          os.Stdin,
		Stdout:         os.Stdout,
		Stderr:         os.Stderr,
		PreferredVault: d.preferredVault,
		Window:         d.run,
		WindowError:    d.showError,
	}))
}
