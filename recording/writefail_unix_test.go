//go:build unix

package recording_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
)

// TestWriteErrorEndsTheRecording: the kernel refuses to let the recording's
// file grow (the file size limit, RLIMIT_FSIZE, as `ulimit -f` sets it:
// EFBIG, the same path as a full disk, a quota or a vanished stick). The
// recording ends by itself at once rather than capturing into nothing;
// what was written is saved now as a note with its audio, whole frames
// only, the error names the cause and the file, nothing is left for
// recovery, and the lock on the file is released.
func TestWriteErrorEndsTheRecording(t *testing.T) {
	v := openVault(t, persistence.Options{})
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	const limit = 64<<10 + 1 // bytes: about two seconds at 16 kHz, ending mid-sample
	lim := syscall.Rlimit{Cur: limit, Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skipf("cannot set the file size limit here: %v", err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)
		}
	}
	defer restore()
	src := &genSource{rate: 16000, channels: 1, paced: true}
	r, err := recording.Start(recording.Options{Vault: v, Source: src, Title: "Too big"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.Done():
	case <-time.After(30 * time.Second):
		r.Stop()
		t.Fatal("the recording went on after its file could not grow")
	}
	restore()
	n, err := r.Result()
	// It ended within a second of the limit (about 2 s of audio).
	if delivered := time.Duration(src.delivered.Load()) * time.Second / 16000; delivered > 3*time.Second+500*time.Millisecond {
		t.Errorf("capture went on for %v of audio; the file was full after about 2 s", delivered)
	}
	if !errors.Is(err, recording.ErrWrite) || !errors.Is(err, syscall.EFBIG) || !strings.Contains(err.Error(), persistence.PartialExt) || !strings.Contains(err.Error(), "is saved") {
		t.Errorf("the error %v does not say the file could not be written, which file, why, and that the rest is saved", err)
	}
	if n == nil {
		t.Fatal("no note for what was recorded")
	}
	want := int64(limit-44) / 2
	got := readSamples(t, filepath.Join(v.RecordingsPath(), n.Audio))
	if int64(len(got)) != want || n.Duration != (time.Duration(want)*time.Second/16000).Round(time.Millisecond) {
		t.Errorf("saved %d samples (%v in the note); the file held %d whole samples", len(got), n.Duration, want)
	}
	checkPrefix(t, got)
	if m, _ := filepath.Glob(filepath.Join(v.RecordingsPath(), "*"+persistence.PartialExt)); len(m) != 0 {
		t.Errorf("left for recovery: %v", m)
	}
	// The lock is gone: the file can be locked by another (recovery).
	f, err := os.Open(filepath.Join(v.RecordingsPath(), n.Audio))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Errorf("the recording's file is still locked: %v", err)
	}
}
