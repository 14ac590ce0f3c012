// Package testchild lets a test binary double as the helper processes its
// tests start (a child killed mid-write, one with a lowered file size
// limit): TestMain runs the child a variable names instead of the tests,
// so a helper is never counted as a passing test.
package testchild

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"
)

var children = map[string]func(arg string){}

// Register names a child: when the variable env is set, Main runs fn with
// its value and exits.
func Register(env string, fn func(arg string)) { children[env] = fn }

// Main is TestMain for a package with children.
func Main(m *testing.M) {
	for env, run := range children {
		if arg := os.Getenv(env); arg != "" {
			run(arg)
			os.Exit(0)
		}
	}
	code := m.Run()
	if plain.dir != "" {
		os.RemoveAll(plain.dir)
	}
	os.Exit(code)
}

var plain struct {
	once      sync.Once
	dir, path string
	err       error
}

// Binary returns the program to start as a child: this test binary, or,
// when it was built with the race detector, the same tests built once
// without it. A race-built program takes 10 times as long to start and to
// save a note; the tests that start hundreds of children (kill loops, the
// crash matrix) ask what a kill leaves on disk, which the race detector
// in the child does not change, and spent most of their time (2 of 5
// minutes of persistence's tests on a loaded machine) starting them. The
// code the children run is raced in the parent's own tests.
func Binary(t testing.TB) string {
	t.Helper()
	if !raceEnabled {
		return os.Args[0]
	}
	plain.once.Do(func() {
		tags := ""
		if info, ok := debug.ReadBuildInfo(); ok {
			for _, s := range info.Settings {
				if s.Key == "-tags" {
					tags = s.Value
				}
			}
		}
		if plain.dir, plain.err = os.MkdirTemp("", "testchild"); plain.err != nil {
			return
		}
		plain.path = filepath.Join(plain.dir, filepath.Base(os.Args[0]))
		// The test binary runs in its package's folder.
		out, err := exec.Command("go", "test", "-c", "-tags="+tags, "-o", plain.path, ".").CombinedOutput()
		if err != nil {
			plain.err = fmt.Errorf("building the tests without the race detector for their children: %v\n%s", err, out)
		}
	})
	if plain.err != nil {
		t.Fatal(plain.err)
	}
	return plain.path
}

// Start starts the command that build returns, with its standard output
// piped.
func Start(t testing.TB, build func() *exec.Cmd) (*exec.Cmd, io.ReadCloser, error) {
	t.Helper()
	var out io.ReadCloser
	cmd, err := start(t, build, func(cmd *exec.Cmd) (err error) {
		out, err = cmd.StdoutPipe()
		return err
	})
	return cmd, out, err
}

// Run runs the command that build returns to its end, and returns what it
// printed on its standard output and error together.
func Run(t testing.TB, build func() *exec.Cmd) (*exec.Cmd, []byte, error) {
	t.Helper()
	var out bytes.Buffer
	cmd, err := start(t, build, func(cmd *exec.Cmd) error {
		cmd.Stdout, cmd.Stderr = &out, &out
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	err = cmd.Wait()
	return cmd, out.Bytes(), err
}

// start starts a fresh command from build, set up by prepare. Wine, which
// runs the Windows tests here, now and then fails to start a process
// ("Internal error") when many start and die at once; that is never what a
// test is about, so there it is tried again, three times at most.
func start(t testing.TB, build func() *exec.Cmd, prepare func(*exec.Cmd) error) (*exec.Cmd, error) {
	t.Helper()
	for try := 1; ; try++ {
		cmd := build()
		if err := prepare(cmd); err != nil {
			return nil, err
		}
		err := cmd.Start()
		if err == nil {
			return cmd, nil
		}
		if runtime.GOOS != "windows" || try == 3 {
			return nil, err
		}
		t.Logf("starting %s failed (%v); again", filepath.Base(cmd.Path), err)
		time.Sleep(time.Duration(try) * 200 * time.Millisecond)
	}
}

// Hang blocks until the process is killed. A bare select {} is not that:
// when nothing else in the child has a timer or a system call pending,
// Go's runtime calls it a deadlock and exits, which frees every lock the
// child held as if it had been killed.
func Hang() {
	for {
		time.Sleep(time.Hour)
	}
}
