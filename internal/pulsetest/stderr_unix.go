//go:build unix

package pulsetest

import (
	"os"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// CaptureStderr points the process's file descriptor 2 at a file until the
// returned function is called (or the test ends), which puts it back and
// returns what was written there: what a person running the program in a
// terminal would have seen on standard error.
func CaptureStderr(t testing.TB) func() string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved, err := unix.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Dup2(int(f.Fd()), 2); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	var out string
	restore := func() string {
		once.Do(func() {
			unix.Dup2(saved, 2)
			unix.Close(saved)
			b, _ := os.ReadFile(f.Name())
			f.Close()
			out = string(b)
		})
		return out
	}
	t.Cleanup(func() { restore() })
	return restore
}
