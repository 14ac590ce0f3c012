//go:build !windows

package instance

import (
	"os"
	"testing"
)

// checkPrivate: the socket is 0600 in a 0700 folder.
func checkPrivate(t *testing.T, vault string) {
	t.Helper()
	st, err := os.Stat(socketPath(vault))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("socket %v %v, want private (0600)", st, err)
	}
	if dir, _ := os.Stat(socketPath(vault) + "/.."); dir != nil && dir.Mode().Perm() != 0o700 {
		t.Errorf("socket folder mode %v, want 0700", dir.Mode().Perm())
	}
}
