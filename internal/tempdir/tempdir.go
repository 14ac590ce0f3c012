// Package tempdir gives tests a temporary folder that is removed after
// them, like testing.T.TempDir, on every system the tests run on: under
// Wine, which runs the Windows test binaries here, Go's os.RemoveAll
// fails with "Invalid function" (it deletes relative to a folder handle,
// which Wine 8 does not implement), and TempDir's cleanup fails the test.
// There the folder is removed one entry at a time instead.
package tempdir

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// New returns a new empty folder, removed when the test ends.
func New(t testing.TB) string {
	t.Helper()
	if runtime.GOOS != "windows" {
		return t.TempDir()
	}
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|' {
			return '_'
		}
		return r
	}, t.Name())
	if len(name) > 40 {
		name = name[:40]
	}
	dir, err := os.MkdirTemp("", name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := removeTree(dir); err != nil {
			t.Errorf("removing the test's folder: %v", err)
		}
	})
	return dir
}

// System returns a new empty folder, removed when the test ends, that is
// the system's temporary folder for the rest of the test: os.TempDir,
// and that of every program the test starts (TMPDIR on Unix, TMP and
// TEMP on Windows). A test sees there what the code leaves behind.
func System(t testing.TB) string {
	t.Helper()
	dir := New(t)
	for _, name := range []string{"TMPDIR", "TMP", "TEMP"} {
		t.Setenv(name, dir)
	}
	return dir
}

// removeTree removes dir and everything in it, deepest first, by path.
func removeTree(dir string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err == nil {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Reverse(paths)
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			os.Chmod(p, 0o700) // a read-only file or folder a test made
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	return nil
}
