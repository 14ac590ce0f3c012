//go:build e2e

package e2e

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The window quits on SIGTERM (logging out, shutting down), every time.
// Fyne 2.7.1 could lose its own stop hook on the way out and wait for it
// for ever (seen once in some twenty quits under make bench: the process
// was still there an hour later, and what Window.Shutdown saves was never
// saved); third_party/fyne's patch 2 mends that. Each quit must end the
// process within 15 s.
func TestQuitsOnSIGTERMEveryTime(t *testing.T) {
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	for i := range 12 {
		a := d.launch(vault)
		a.cmd.Process.Signal(syscall.SIGTERM)
		exited := make(chan error, 1)
		go func() { exited <- a.wait() }()
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("quit %d: the app did not exit cleanly: %v\n%s", i+1, err, a.stderr())
			}
		case <-time.After(15 * time.Second):
			a.cmd.Process.Signal(syscall.SIGQUIT)
			<-exited
			t.Fatalf("quit %d: the app was still running 15 s after SIGTERM; its goroutines:\n%s", i+1, a.stderr())
		}
	}
}
