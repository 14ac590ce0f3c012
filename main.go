// Command voicenotes records voice notes, transcribes them and keeps them as
// Markdown files in a folder the user owns. With no arguments it opens the
// window; "voicenotes help" lists the commands.
package main

import (
	"os"

	// First, so what libraries log while starting goes to the log file.
	_ "github.com/voicenotes/voicenotes/internal/earlylog"

	"github.com/voicenotes/voicenotes/desktop"
)

func main() { os.Exit(desktop.Main(os.Args[1:])) }
