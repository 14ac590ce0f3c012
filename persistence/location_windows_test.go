package persistence_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/windows"

	"github.com/voicenotes/voicenotes/persistence"
)

// TestVaultInKnownDocuments: the default vault is in the Documents known
// folder, wherever the user moved it, not in %USERPROFILE%\Documents by
// string.
func TestVaultInKnownDocuments(t *testing.T) {
	os.Unsetenv(persistence.VaultEnv)
	docs, err := windows.KnownFolderPath(windows.FOLDERID_Documents, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("USERPROFILE", `C:\not-the-profile`)
	t.Setenv("HOME", `C:\not-the-profile`)
	got, err := persistence.ResolveRoot("")
	if want := filepath.Join(docs, persistence.DefaultVaultName); err != nil || got != want {
		t.Errorf("default vault %q (%v), want %q", got, err, want)
	}
}
