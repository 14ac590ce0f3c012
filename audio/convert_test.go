package audio

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
)

// TestReadMonoTruncatedWhileRead: a file cut short while it is being read
// (another program truncating it) is an error, not an early end that
// would let a transcription be marked done on part of the audio.
func TestReadMonoTruncatedWhileRead(t *testing.T) {
	path := filepath.Join(tempdir.New(t), "a.wav")
	if err := WritePCM16(path, 16000, 1, make([]int16, 32000)); err != nil {
		t.Fatal(err)
	}
	r, f, err := OpenWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got int
	err = ReadMono(context.Background(), r, 16000, 1600, func(s []int16) error {
		if got += len(s); got == 8000 {
			if err := os.Truncate(path, 44+2*16000); err != nil { // half of it left
				t.Fatal(err)
			}
		}
		return nil
	}, nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("ReadMono on a file truncated mid-read = %v after %d samples; want io.ErrUnexpectedEOF", err, got)
	}
	if got > 16000 {
		t.Errorf("delivered %d samples from a file cut to 16000", got)
	}
}

// TestReadMonoChunks: every sample arrives once, in chunks of the size
// asked for (the last one shorter), resampled and downmixed as asked.
func TestReadMonoChunks(t *testing.T) {
	path := filepath.Join(tempdir.New(t), "s.wav")
	stereo := make([]int16, 2*48000) // 1 s of 48 kHz stereo
	for i := range stereo {
		stereo[i] = 1000
	}
	if err := WritePCM16(path, 48000, 2, stereo); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	total := 0
	if err := ReadMonoFile(context.Background(), path, 16000, 2048, func(s []int16) error {
		sizes = append(sizes, len(s))
		total += len(s)
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	if total < 15990 || total > 16010 {
		t.Errorf("%d samples from 1 s at 16 kHz", total)
	}
	for i, n := range sizes[:len(sizes)-1] {
		if n != 2048 {
			t.Fatalf("chunk %d has %d samples, want 2048", i, n)
		}
	}
}

// TestOpenWAVRefusesAPipe: importing or playing a named pipe says what it
// is instead of waiting for a writer forever.
func TestOpenWAVRefusesAPipe(t *testing.T) {
	fifo := filepath.Join(tempdir.New(t), "fifo.wav")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, _, err := OpenWAV(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "named pipe") {
			t.Errorf("OpenWAV(fifo) = %v; want an error saying it is a named pipe", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("OpenWAV on a named pipe hung")
	}
}
