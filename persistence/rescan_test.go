package persistence_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// TestRescanSeesWhatCameBeforeTheWatch: a note another program writes
// after the window listed the folder but before a watch is up (a sync
// tool catching up as the app starts; on a loaded machine the watch takes
// a while) is reported by the rescan's first look, not ten minutes
// later at its next full listing. Notes untouched for long are not.
func TestRescanSeesWhatCameBeforeTheWatch(t *testing.T) {
	v := openVault(t, tempdir.New(t), persistence.Options{})
	old := filepath.Join(v.RecordingsPath(), "old.md")
	write(t, old, "---\ntitle: old\n---\n", 0o600)
	long := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := make(chan []string, 10)
	go v.Rescan(ctx, 300*time.Millisecond, time.Hour, time.Hour, func(paths []string) { calls <- paths })
	late := filepath.Join(v.RecordingsPath(), "late.md")
	write(t, late, "---\ntitle: late\n---\n", 0o600) // while the rescan settles
	select {
	case paths := <-calls:
		if !slices.Contains(paths, late) || slices.Contains(paths, old) {
			t.Errorf("reported %v; want %s and not %s", paths, late, old)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the note written before the first look was never reported")
	}
}
