// Package earlylog holds back what libraries log while the program starts,
// before main can say where the log goes. Fyne's translations log "Error
// parsing user locale C" from a package initialiser under LANG=C or
// C.UTF-8; without this, every command printed it on stderr.
//
// It works by being initialised first: it imports nothing that logs, and
// Go initialises packages in import-path order among those whose imports
// are ready (the language spec, since Go 1.21), so main's blank import of
// it runs before fyne.io/fyne/v2/lang, which waits for golang.org/x/text.
// TestQuietCLI in the main package fails if that ever changes.
package earlylog

import (
	"bytes"
	"io"
	"log"
	"sync"
)

// limit bounds what is held back; a library that logs without end at
// start-up loses its tail, not the program's memory.
const limit = 64 << 10

var (
	mu   sync.Mutex
	held bytes.Buffer
	cut  bool
)

type holder struct{}

func (holder) Write(p []byte) (int, error) {
	mu.Lock()
	defer mu.Unlock()
	if held.Len()+len(p) > limit {
		cut = true
		return len(p), nil
	}
	return held.Write(p)
}

func init() { log.SetOutput(holder{}) }

// Release writes what was held back to w (io.Discard drops it) and sends
// the standard logger there from now on.
func Release(w io.Writer) {
	mu.Lock()
	defer mu.Unlock()
	w.Write(held.Bytes())
	if cut {
		io.WriteString(w, "earlylog: more was logged at start-up than was kept\n")
	}
	held.Reset()
	log.SetOutput(w)
}
