//go:build unix

package persistence

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
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
