package recording

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
)

// TestSweepTakesOnlyWhatNoConversionHolds: a start removes the folder of a
// conversion whose process is gone, and leaves one a conversion holds,
// one being made, and other programs' files; plain files from before
// conversions held a lock go once they are an hour old.
func TestSweepTakesOnlyWhatNoConversionHolds(t *testing.T) {
	tmp := tempdir.New(t)
	for _, name := range []string{"TMPDIR", "TMP", "TEMP"} { // os.TempDir: Unix, Windows
		t.Setenv(name, tmp)
	}
	held, err := newCompactTemp()
	if err != nil {
		t.Fatal(err)
	}
	defer held.remove()
	if err := os.WriteFile(held.path("audio.flac"), []byte("flac"), 0o600); err != nil {
		t.Fatal(err)
	}
	gone, err := newCompactTemp()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gone.path("audio.opus"), []byte("opus"), 0o600); err != nil {
		t.Fatal(err)
	}
	gone.lock.Unlock() // as the death of its process releases it
	old := time.Now().Add(-2 * time.Hour)
	mk := func(name string, dir bool, mtime time.Time) string {
		p := filepath.Join(tmp, name)
		if dir {
			err = os.Mkdir(p, 0o700)
		} else {
			err = os.WriteFile(p, []byte("x"), 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	oldFile := mk(compactTempPrefix+"1.flac", false, old)
	youngFile := mk(compactTempPrefix+"2.flac", false, time.Now())
	making := mk(compactTempPrefix+"3", true, time.Now())
	abandoned := mk(compactTempPrefix+"4", true, old)
	other := mk("voicenotes-other", false, old)

	sweepCompactTemps()

	exists := func(p string) bool { _, err := os.Lstat(p); return err == nil }
	for _, p := range []string{held.path("audio.flac"), youngFile, making, other} {
		if !exists(p) {
			t.Errorf("%s was removed; it is in use, too young to judge, or not a conversion's", p)
		}
	}
	for _, p := range []string{gone.dir, oldFile, abandoned} {
		if exists(p) {
			t.Errorf("%s was left: no conversion holds it", p)
		}
	}
}
