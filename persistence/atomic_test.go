package persistence_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/voicenotes/voicenotes/internal/faultfs"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

var (
	oldData = []byte("---\nid: n1\ntitle: old\n---\nthe old text\n")
	newData = []byte("---\nid: n1\ntitle: new\n---\nthe new text, which is longer than the old one\n")
)

// setup makes a folder holding target with oldData at mode 0640.
func setup(t *testing.T) (dir, target string) {
	t.Helper()
	dir = tempdir.New(t)
	target = filepath.Join(dir, "n1.md")
	if err := os.WriteFile(target, oldData, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o640); err != nil {
		t.Fatal(err)
	}
	return dir, target
}

// names lists a folder's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteFileReplacesAndKeepsMode(t *testing.T) {
	dir, target := setup(t)
	if err := persistence.WriteFile(persistence.OS, target, newData, persistence.FilePerm); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(target)
	if !bytes.Equal(got, newData) {
		t.Fatalf("target = %q, want the new data", got)
	}
	st, _ := os.Stat(target)
	if !permIs(st, 0o640) {
		t.Errorf("mode = %v, want the existing 0640 kept", st.Mode().Perm())
	}
	if n := names(t, dir); len(n) != 1 {
		t.Errorf("folder holds %v, want only the target", n)
	}
	fresh := filepath.Join(dir, "fresh.md")
	if err := persistence.WriteFile(persistence.OS, fresh, newData, persistence.FilePerm); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(fresh); !permIs(st, 0o600) {
		t.Errorf("new file mode = %v, want 0600", st.Mode().Perm())
	}
}

func TestTempNames(t *testing.T) {
	dir := tempdir.New(t)
	long := strings.Repeat("x", 250) + ".md"
	for _, target := range []string{filepath.Join(dir, "a.md"), filepath.Join(dir, long)} {
		p, err := persistence.CreatePending(persistence.OS, target, persistence.FilePerm)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(p.TempName())
		if !persistence.IsOwnTemp(name) || len(name) > 255 || filepath.Dir(p.TempName()) != dir {
			t.Errorf("temp %q: want an own temp name of at most 255 bytes beside the target", name)
		}
		p2, err := persistence.CreatePending(persistence.OS, target, persistence.FilePerm)
		if err != nil {
			t.Fatal(err)
		}
		if p2.TempName() == p.TempName() {
			t.Errorf("two pending writes share the temp name %s", p.TempName())
		}
		p.Cleanup()
		p2.Cleanup()
	}
	if n := names(t, dir); len(n) != 0 {
		t.Errorf("Cleanup left %v", n)
	}
	for _, name := range []string{".a.md.tmp", "a.md.abcdefghijkl.tmp", ".a.md.ABCDEFGHIJKL.tmp", ".syncthing.a.md.tmp", "~$a.md", ".a.md.icloud", "a.sync-conflict-20260101-000000-ABC.md", "n1.wav.partial"} {
		if persistence.IsOwnTemp(name) {
			t.Errorf("IsOwnTemp(%q) = true; it is not our pattern", name)
		}
	}
}

var errInjected = errors.New("injected fault")

// TestWriteFileFaultAtEveryStep fails each operation of a save in turn: the
// save must report the error, leave the old or (only once renamed) the new
// content, and never leave a temp file behind.
func TestWriteFileFaultAtEveryStep(t *testing.T) {
	_, target := setup(t)
	rec := faultfs.New(persistence.OS, nil)
	if err := persistence.WriteFile(rec, target, newData, persistence.FilePerm); err != nil {
		t.Fatal(err)
	}
	steps := rec.Events()
	if len(steps) < 7 {
		t.Fatalf("a save took only %d operations: %v", len(steps), steps)
	}
	renamed := false
	for i, step := range steps {
		t.Run(fmt.Sprintf("%d-%s", i, step.Op), func(t *testing.T) {
			dir, target := setup(t)
			n := 0
			ffs := faultfs.New(persistence.OS, func(faultfs.Event) error {
				n++
				if n == i+1 {
					return errInjected
				}
				return nil
			})
			err := persistence.WriteFile(ffs, target, newData, persistence.FilePerm)
			if !errors.Is(err, errInjected) {
				t.Fatalf("WriteFile = %v, want the injected fault", err)
			}
			var we *persistence.WriteError
			if !errors.As(err, &we) || we.Path != target || !strings.Contains(err.Error(), target) {
				t.Errorf("error %q does not name the step and the file", err)
			}
			got, _ := os.ReadFile(target)
			switch {
			case bytes.Equal(got, oldData):
				if renamed {
					t.Errorf("old content after the rename step")
				}
			case bytes.Equal(got, newData):
				if !renamed {
					t.Errorf("new content although step %v failed before the rename", step)
				}
			default:
				t.Fatalf("target is torn: %q", got)
			}
			if n := names(t, dir); len(n) != 1 {
				t.Errorf("folder holds %v after the failure, want only the target", n)
			}
			if st, _ := os.Stat(target); !permIs(st, 0o640) {
				t.Errorf("mode changed to %v", st.Mode().Perm())
			}
		})
		if step.Op == faultfs.OpRename {
			renamed = true
		}
	}
	if !renamed {
		t.Fatal("the save never renamed")
	}
}

// TestPowerLossAtEveryStep cuts the power after each operation of a save:
// before Save returns the file is old or new, and once it returned it is new.
func TestPowerLossAtEveryStep(t *testing.T) {
	for k := 0; ; k++ {
		dir, target := setup(t)
		cfs, err := faultfs.NewCrashFS(persistence.OS, dir)
		if err != nil {
			t.Fatal(err)
		}
		cfs.CrashAfter(k)
		err = persistence.WriteFile(cfs, target, newData, persistence.FilePerm)
		done := err == nil
		if !done && !errors.Is(err, faultfs.ErrCrashed) {
			t.Fatalf("step %d: unexpected error %v", k, err)
		}
		if err := cfs.Crash(); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(target)
		switch {
		case bytes.Equal(got, newData):
		case bytes.Equal(got, oldData):
			if done {
				t.Fatalf("power lost after WriteFile returned: the file is old again")
			}
		default:
			t.Fatalf("power lost after %d operations: torn file %q", k, got)
		}
		if done {
			if k < 5 {
				t.Fatalf("a save completed in %d operations; the simulation is not counting", k)
			}
			return
		}
	}
}

// naiveWrite is the pattern the persistence package exists to replace.
func naiveWrite(fsys persistence.FS, target string, data []byte) error {
	f, err := fsys.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// TestPowerLossCatchesNaiveWrites proves the simulation can fail: a plain
// truncate-and-write loses the file.
func TestPowerLossCatchesNaiveWrites(t *testing.T) {
	dir, target := setup(t)
	cfs, err := faultfs.NewCrashFS(persistence.OS, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := naiveWrite(cfs, target, newData); err != nil {
		t.Fatal(err)
	}
	if err := cfs.Crash(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(target)
	if bytes.Equal(got, newData) || bytes.Equal(got, oldData) {
		t.Fatalf("after a crash the naive write left %q; the simulation should have lost it", got)
	}
}

func TestWriteErrorHints(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{syscall.ENOSPC, "disk is full"},
		{syscall.EFBIG, "larger than"},
		{syscall.EACCES, "may write"},
		{syscall.EIO, "input/output"},
	} {
		err := &persistence.WriteError{Op: "write", Path: "/v/n.md", Err: &fs.PathError{Op: "write", Path: "/v/.n.md.x.tmp", Err: tc.err}}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "/v/n.md") {
			t.Errorf("%v: message %q lacks %q", tc.err, err, tc.want)
		}
	}
}
