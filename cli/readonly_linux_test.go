package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicenotes/voicenotes/cli"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/tmpfs"
	"github.com/voicenotes/voicenotes/internal/vaulttest"
	"github.com/voicenotes/voicenotes/persistence"
)

// TestReadOnlyVault: a vault on a read-only file system (a mounted backup)
// is listed, shown, exported and checked; edits and deletes fail saying
// why, and nothing is changed.
func TestReadOnlyVault(t *testing.T) {
	mnt := tmpfs.Mount(t, "size=4m", "a file system to make read-only")
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

// TestDeleteAcrossFileSystems: with recordings/ a link to another file
// system, delete moves the note into a trash on that file system (a
// rename cannot cross), leaves no empty trash folders, and undo works.
func TestDeleteAcrossFileSystems(t *testing.T) {
	mnt := tmpfs.Mount(t, "size=4m", "a second file system")
	root := tempdir.New(t)
	recordings := filepath.Join(mnt, "recordings")
	os.Mkdir(recordings, 0o700)
	if err := os.Symlink(recordings, filepath.Join(root, "recordings")); err != nil {
		t.Fatal(err)
	}
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := v.NewNote()
	n.Title, n.TranscriptionStatus = "Elsewhere", persistence.StatusDone
	vaulttest.SaveWithAudio(t, v, n, []byte("RIFF"), ".wav")
	tr, err := v.Trash(n.ID)
	if err != nil {
		t.Fatalf("delete across file systems: %v", err)
	}
	if real, _ := filepath.EvalSymlinks(tr.Dir); len(tr.Files) != 2 || !strings.HasPrefix(real, recordings) {
		t.Errorf("trashed %v into %s; want the note and its audio in a trash on the notes' file system", tr.Files, tr.Dir)
	}
	if entries, _ := os.ReadDir(filepath.Join(root, persistence.TrashDir)); len(entries) != 0 {
		t.Errorf("the vault's trash holds %d leftover folders", len(entries))
	}
	if err := v.Restore(tr); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Note(n.ID); err != nil {
		t.Error(err)
	}
}
