//go:build !windows

// Not on Windows: a folder there cannot be fsynced, so a new file's name
// becomes durable when NTFS flushes its log, which faultfs.CrashFS models
// only at a rename (written through); the model cannot say what a power
// cut keeps of a recording there.

package recording_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/faultfs"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
)

// TestRecordingSurvivesPowerLoss: the power goes out in the middle of a
// recording (faultfs.CrashFS keeps only what was fsynced: file data and
// folder entries; SIGKILL, which the crash tests use, keeps the page
// cache and would pass with no fsync at all). After the next start's
// recovery the note holds the audio up to the last flush: at most the
// promised second (and a quarter for the writer's wake-up) is lost, at
// each of several moments. Without the fsync in PartialWAV.Flush, or
// with flushes an hour apart, it fails: nearly everything would be gone.
func TestRecordingSurvivesPowerLoss(t *testing.T) {
	const flushEvery = time.Second // the default, as the README promises it
	// The frames delivered at each cut: 1.6 s, 2.7 s, 3.9 s.
	for _, cut := range []int64{25600, 43200, 62400} {
		root := tempdir.New(t)
		first, err := persistence.Open(root, persistence.Options{})
		if err != nil {
			t.Fatal(err)
		}
		first.Close()
		cfs, err := faultfs.NewCrashFS(persistence.OS, filepath.Join(root, persistence.RecordingsDir))
		if err != nil {
			t.Fatal(err)
		}
		v, err := persistence.Open(root, persistence.Options{FS: cfs})
		if err != nil {
			t.Fatal(err)
		}
		src := &genSource{rate: 16000, channels: 1, paced: true}
		r, err := recording.Start(recording.Options{Vault: v, Source: src, FlushEvery: flushEvery})
		if err != nil {
			t.Fatal(err)
		}
		await(t, src.reached(cut), "the moment of the power cut")
		cfs.CrashAfter(0) // the power is gone: nothing more reaches the disk
		delivered := src.delivered.Load()
		<-r.Done()
		v.Close()
		if err := cfs.Crash(); err != nil { // the disk as it is after the reboot
			t.Fatal(err)
		}
		after, err := persistence.Open(root, persistence.Options{})
		if err != nil {
			t.Fatal(err)
		}
		recovered, err := recording.Recover(after)
		if err != nil || len(recovered) != 1 {
			after.Close()
			t.Fatalf("cut at %d frames: recovered %v, %v", cut, recovered, err)
		}
		n := recovered[0]
		got := readSamples(t, filepath.Join(after.RecordingsPath(), n.Audio))
		after.Close()
		checkPrefix(t, got)
		lost := time.Duration(delivered-int64(len(got))) * time.Second / 16000
		if lost > flushEvery+250*time.Millisecond {
			t.Errorf("power cut after %v of audio: %v recovered, %v lost; at most a flush interval (%v) and a quarter second may be", time.Duration(delivered)*time.Second/16000, time.Duration(len(got))*time.Second/16000, lost, flushEvery)
		}
		t.Logf("cut after %v: %v recovered (%v lost)", time.Duration(delivered)*time.Second/16000, time.Duration(len(got))*time.Second/16000, lost)
	}
}
