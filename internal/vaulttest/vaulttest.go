// Package vaulttest puts notes in a vault for tests: a note with its
// audio beside it, as a recording or an import leaves one.
package vaulttest

import (
	"path/filepath"
	"testing"

	"github.com/voicenotes/voicenotes/persistence"
)

// SaveWithAudio writes audio as n's audio file, <id><ext>, then n naming
// it: the order package recording keeps.
func SaveWithAudio(t testing.TB, v *persistence.Vault, n *persistence.Note, audio []byte, ext string) {
	t.Helper()
	n.Audio = n.ID + ext
	if err := persistence.WriteFile(v.FS(), filepath.Join(v.RecordingsPath(), n.Audio), audio, persistence.FilePerm); err != nil {
		t.Fatal(err)
	}
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
}
