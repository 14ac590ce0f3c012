//go:build unix

package persistence

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestLockFilesAreNeverFollowed: in a vault folder others can write to,
// someone plants .voicenotes/lock or .voicenotes/write.lock as a link
// (symbolic or hard) to a file of the person's own. Opening the vault or
// saving a note is refused with what to do, and the other file keeps
// every byte (TryLock used to truncate it and write the pid in).
func TestLockFilesAreNeverFollowed(t *testing.T) {
	for _, c := range []struct {
		name, lock string
		hard       bool
	}{
		{"a symbolic link as the vault lock", "lock", false},
		{"a hard link as the vault lock", "lock", true},
		{"a symbolic link as the write lock", writeLockName, false},
		{"a hard link as the write lock", writeLockName, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			victim := filepath.Join(t.TempDir(), "victim.txt")
			const precious = "a file of the person's own\n"
			if err := os.WriteFile(victim, []byte(precious), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(root, StateDir), 0o700); err != nil {
				t.Fatal(err)
			}
			planted := filepath.Join(root, StateDir, c.lock)
			link := os.Symlink
			if c.hard {
				link = os.Link
			}
			if err := link(victim, planted); err != nil {
				t.Skipf("cannot make the link here: %v", err)
			}
			v, err := Open(root, Options{})
			if err == nil {
				n := v.NewNote()
				err = v.Save(n)
				v.Close()
			}
			if !errors.Is(err, ErrNotOurs) {
				t.Errorf("opening and saving went on: %v; want it refused (ErrNotOurs)", err)
			}
			if got, _ := os.ReadFile(victim); string(got) != precious {
				t.Errorf("the linked file now holds %q", got)
			}
			if st, lerr := os.Lstat(victim); lerr != nil || !st.Mode().IsRegular() {
				t.Errorf("the linked file: %v %v", st, lerr)
			}
		})
	}
}

// TestStateFolderThatIsALink: .voicenotes planted as a link to another
// folder: opening the vault is refused, and nothing is written there.
func TestStateFolderThatIsALink(t *testing.T) {
	root, elsewhere := t.TempDir(), t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(root, StateDir)); err != nil {
		t.Fatal(err)
	}
	v, err := Open(root, Options{})
	if err == nil {
		v.Close()
	}
	if !errors.Is(err, ErrNotOurs) {
		t.Errorf("opening with .voicenotes a link: %v", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("written in the linked folder: %v", entries)
	}
}

// TestSaveKeepsTheOwner: a note belonging to the person, saved by a
// process running as root (sudo voicenotes edit), still belongs to the
// person afterwards (it became root's, which they could then not save,
// and which vanished from their list).
func TestSaveKeepsTheOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("saving as another user needs root (CI here runs as root)")
	}
	v, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := v.NewNote()
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(n.Path, 12345, 12346); err != nil {
		t.Fatal(err)
	}
	n.Title = "edited by root"
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(n.Path)
	if err != nil {
		t.Fatal(err)
	}
	if uid, _ := fileOwner(st); uid != 12345 || st.Sys().(*syscall.Stat_t).Gid != 12346 {
		t.Errorf("the saved note belongs to %d:%d, want the person's 12345:12346", uid, st.Sys().(*syscall.Stat_t).Gid)
	}
}

// TestMarkerIsNotAppendedThroughALink: a recording's markers file planted
// as a link to another file: dropping a marker fails, and the other file
// keeps its bytes.
func TestMarkerIsNotAppendedThroughALink(t *testing.T) {
	v, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	victim := filepath.Join(t.TempDir(), "victim.txt")
	os.WriteFile(victim, []byte("mine\n"), 0o600)
	path := v.MarkersPath("rec1")
	if err := os.Symlink(victim, path); err != nil {
		t.Fatal(err)
	}
	if err := AppendMarker(v.FS(), path, Marker{At: time.Second}); err == nil {
		t.Error("a marker was appended through a link")
	}
	if got, _ := os.ReadFile(victim); string(got) != "mine\n" {
		t.Errorf("the linked file holds %q", got)
	}
}
