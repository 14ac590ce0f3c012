package privtemp

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
)

// TestSweepTakesOnlyWhatNoOneHolds: a start removes the folder of a use
// whose process is gone, and leaves one in use, one being made, and other
// programs' files; earlier versions' plain files go once they are an
// hour old.
func TestSweepTakesOnlyWhatNoOneHolds(t *testing.T) {
	tmp := tempdir.System(t)
	held, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer held.Remove()
	if err := os.WriteFile(held.Path("audio.flac"), []byte("flac"), 0o600); err != nil {
		t.Fatal(err)
	}
	gone, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gone.Path("audio.opus"), []byte("opus"), 0o600); err != nil {
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
	oldFile := mk("voicenotes-compact-1.flac", false, old)
	oldDecoded := mk("voicenotes-decoded-1.wav", false, old)
	youngFile := mk("voicenotes-decoded-2.wav", false, time.Now())
	making := mk(prefix+"3", true, time.Now())
	abandoned := mk(prefix+"4", true, old)
	other := mk("voicenotes-other", false, old)
	plainOfOurName := mk(prefix+"5", false, old)

	Sweep()

	exists := func(p string) bool { _, err := os.Lstat(p); return err == nil }
	for _, p := range []string{held.Path("audio.flac"), youngFile, making, other, plainOfOurName} {
		if !exists(p) {
			t.Errorf("%s was removed; it is in use, too young to judge, or not one of ours", p)
		}
	}
	for _, p := range []string{gone.dir, oldFile, oldDecoded, abandoned} {
		if exists(p) {
			t.Errorf("%s was left: no one holds it", p)
		}
	}
	held.Remove()
	if exists(held.dir) {
		t.Errorf("Remove left %s", held.dir)
	}
}
