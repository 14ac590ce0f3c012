package persistence_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// TestWatchSurvivesOverflow: when the kernel drops events (more than its
// queue holds, 16384 here, arrive while the watcher is busy), Watch says
// to read the folder again and goes on watching; it used to stop for good,
// and every later change by another program went unseen.
func TestWatchSurvivesOverflow(t *testing.T) {
	data, err := os.ReadFile("/proc/sys/fs/inotify/max_queued_events")
	var queue int
	if _, serr := fmt.Sscan(string(data), &queue); err != nil || serr != nil || queue > 100000 {
		t.Skipf("cannot overflow an inotify queue of %q here (%v)", data, err)
	}
	v := openVault(t, tempdir.New(t), persistence.Options{})
	rec := v.RecordingsPath()
	calls := make(chan []string, 100)
	hold := make(chan struct{})
	var held atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- v.Watch(ctx, 20*time.Millisecond, func(paths []string) {
			if held.CompareAndSwap(false, true) { // busy, as a slow window is, while a sync tool writes
				<-hold
			}
			calls <- paths
		})
	}()
	ended := false
	defer func() {
		cancel()
		if !ended {
			if err := <-done; err != nil {
				t.Errorf("Watch ended with %v", err)
			}
		}
	}()
	// A note written (again, until the watch is up) until the watcher is
	// held in its first report: then no event is read, and the kernel's
	// queue fills.
	for deadline := time.Now().Add(10 * time.Second); !held.Load(); time.Sleep(50 * time.Millisecond) {
		write(t, filepath.Join(rec, "first.md"), "---\ntitle: first\n---\n", 0o600)
		if time.Now().After(deadline) {
			t.Fatal("the first note was never reported")
		}
	}
	// More than the queue holds, plus what the watcher's reader may take
	// out of it before it blocks (fsnotify reads up to 4096 events at a
	// time; on a loaded machine it wakes late and takes a full buffer).
	for i := range queue + 4096 + 100 {
		if err := os.WriteFile(filepath.Join(rec, fmt.Sprintf("n%05d.md", i)), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	close(hold)
	var sawRescan bool
	deadline := time.After(30 * time.Second)
	for !sawRescan {
		select {
		case paths := <-calls:
			sawRescan = paths == nil
		case err := <-done:
			ended = true
			t.Fatalf("Watch ended at the overflow: %v", err)
		case <-deadline:
			t.Fatal("the lost events were never reported")
		}
	}
	// Still watching.
	late := filepath.Join(rec, "late.md")
	write(t, late, "---\ntitle: late\n---\n", 0o600)
	for {
		select {
		case paths := <-calls:
			for _, p := range paths {
				if p == late {
					return
				}
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a note written after the overflow was never reported")
		}
	}
}
