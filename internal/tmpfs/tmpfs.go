// Package tmpfs mounts a small, real file system for a test: a disk that
// fills up, or one to make read-only, or a second one a rename cannot
// cross. It needs root (CI here runs as root); elsewhere the test is
// skipped, saying why.
package tmpfs

import (
	"os"
	"os/exec"
	"testing"

	"github.com/voicenotes/voicenotes/internal/tempdir"
)

// Mount mounts a tmpfs with options (such as "size=16m") on a new empty
// folder, unmounted when the test ends, and returns the folder. why says
// what the test needs it for, in the skip message.
func Mount(t testing.TB, options, why string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("mounting a tmpfs (%s) needs root; this machine runs the tests as a normal user", why)
	}
	dir := tempdir.New(t)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); %s needs it", err, out, why)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}
