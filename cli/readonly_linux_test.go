package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicenotes/voicenotes/cli"
	"github.com/voicenotes/voicenotes/persistence"
)

// TestReadOnlyVault: a vault on a read-only file system (a mounted backup)
// is listed, shown, exported and checked; edits and deletes fail saying
// why, and nothing is changed.
func TestReadOnlyVault(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("mounting a read-only file system needs root")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	root := filepath.Join(mnt, "vault")
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := v.NewNote()
	n.Title, n.Body, n.TranscriptionStatus = "Archived", "old words\n", persistence.StatusDone
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	v.Close()
	if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount read-only: %v %s", err, out)
	}
	for _, args := range [][]string{{"list"}, {"show", n.ID}, {"export", n.ID, "--format", "txt"}, {"doctor"}} {
		code, out, errs := run(t, "", append(args, "--vault", root)...)
		if code != cli.ExitOK {
			t.Errorf("%s on a read-only vault: exit %d\n%s%s", args[0], code, out, errs)
		}
		if args[0] == "doctor" && !strings.Contains(out, "read-only") {
			t.Errorf("doctor does not say the vault is read-only:\n%s", out)
		}
		if args[0] == "show" && !strings.Contains(out, "old words") {
			t.Errorf("show: %q", out)
		}
	}
	for _, args := range [][]string{{"edit", n.ID, "--title", "New"}, {"delete", n.ID}} {
		code, _, errs := run(t, "", append(args, "--vault", root)...)
		if code != cli.ExitError || !strings.Contains(errs, "read-only") {
			t.Errorf("%s on a read-only vault: exit %d, %q; want 1 saying it is read-only", args[0], code, errs)
		}
	}
}
