// Package xvfb starts a virtual X server for a test.
package xvfb

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Start starts Xvfb with one screen of size ("1100x700x24") on a display
// no one uses, and returns that display (":N"); the test is skipped when
// Xvfb is not installed. The server chooses the number itself
// (-displayfd: the first whose lock it can make, a stale lock of a dead
// server included, and it writes the number once it listens): two test
// runs at once never share one, as they could when each looked for a
// free number itself, and a machine whose /tmp keeps the locks of killed
// servers does not run every test on the last number tried. When the
// test ends the server is asked to end (SIGTERM, so it removes its lock
// and socket) and killed if it has not within 5 s.
func Start(tb testing.TB, size string) string {
	tb.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		tb.Skip("Xvfb is not installed (make setup installs xvfb)")
	}
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", size, "-nolisten", "tcp", "-noreset")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		tb.Fatal(err)
	}
	w.Close()
	ended := make(chan struct{})
	go func() { x.Wait(); close(ended) }()
	tb.Cleanup(func() {
		x.Process.Signal(syscall.SIGTERM)
		select {
		case <-ended:
		case <-time.After(5 * time.Second):
			x.Process.Kill()
			<-ended
		}
	})
	number := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		r.Close()
		number <- strings.TrimSpace(line)
	}()
	select {
	case n := <-number:
		if n == "" {
			tb.Fatal("Xvfb did not start (it wrote no display number)")
		}
		return ":" + n
	case <-ended:
		tb.Fatal("Xvfb ended before it said its display")
	case <-time.After(20 * time.Second):
		tb.Fatal("Xvfb did not say its display within 20 s")
	}
	return ""
}
