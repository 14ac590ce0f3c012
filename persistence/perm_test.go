package persistence_test

import (
	"io/fs"
	"os"
	"runtime"
	"testing"
)

// permIs reports whether st has the permission bits want. Windows has no
// such bits (a file's privacy there comes from the ACLs it inherits from
// the user's profile folder); Go shows only the read-only attribute, as
// 0444 or 0666, so there only the owner's write bit is compared.
func permIs(st fs.FileInfo, want fs.FileMode) bool {
	if st == nil {
		return false
	}
	if runtime.GOOS == "windows" {
		return st.Mode().Perm()&0o200 == want&0o200
	}
	return st.Mode().Perm() == want
}

// symlink makes a symbolic link and reports whether the system shows it
// as one. Where it cannot (Wine 8 makes the link, then fails to Lstat it;
// Windows without Developer Mode refuses to make it), it says so in the
// log and the caller leaves out the case that needs it.
func symlink(t *testing.T, target, link string) bool {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		if runtime.GOOS == "windows" {
			t.Logf("no symbolic links on this system (%v): the case with a link is left out", err)
			return false
		}
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		if runtime.GOOS != "windows" {
			t.Fatalf("a symbolic link does not show as one: %v", err)
		}
		t.Logf("this system does not show a symbolic link as one (Lstat: %v; Wine 8 does this): the case with a link is left out", err)
		os.Remove(link)
		return false
	}
	return true
}
