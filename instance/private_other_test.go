//go:build !windows

package instance

import (
	"os"
	"path/filepath"
	"testing"
)

// checkPrivate: the socket is 0600 in a 0700 folder.
func checkPrivate(t *testing.T, vault string) {
	t.Helper()
	st, err := os.Stat(socketPath(vault))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("socket %v %v, want private (0600)", st, err)
	}
	// The folder itself (socketPath/.. fails with ENOTDIR, and the check
	// never ran).
	dir, err := os.Stat(filepath.Dir(socketPath(vault)))
	if err != nil || dir.Mode().Perm() != 0o700 {
		t.Errorf("socket folder %v %v, want 0700", dir, err)
	}
}
