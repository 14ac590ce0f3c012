//go:build unix

package persistence_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/vaulttest"
	"github.com/voicenotes/voicenotes/persistence"
)

// withDeadline fails the test if f does not return within a minute: the
// hangs these tests guard against would otherwise stall the whole run.
func withDeadline(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%s hung (a named pipe opened for reading waits for a writer forever)", what)
	}
}

// TestNamedPipesNeverHang: a note name that is a named pipe, or a link to
// one inside the vault, is reported, never opened and waited on.
func TestNamedPipesNeverHang(t *testing.T) {
	root := tempdir.New(t)
	v := openVault(t, root, persistence.Options{})
	keep := &persistence.Note{ID: "keep", Title: "Kept", TranscriptionStatus: persistence.StatusDone, Body: "x"}
	if err := v.Save(keep); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(root, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(fifo, filepath.Join(v.RecordingsPath(), "z.md")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(v.RecordingsPath(), "y.md"), 0o600); err != nil {
		t.Fatal(err)
	}
	withDeadline(t, "List", func() {
		notes, bad, err := v.List()
		if err != nil || len(notes) != 1 || len(bad) != 2 {
			t.Errorf("List = %d notes, bad %v, %v; want the kept note and both pipes reported", len(notes), bad, err)
		}
	})
	withDeadline(t, "Note", func() {
		if _, err := v.Note("z"); err == nil || !strings.Contains(err.Error(), "named pipe") {
			t.Errorf("Note(z) = %v; want an error saying it is a named pipe", err)
		}
	})
	withDeadline(t, "ReadFile", func() {
		if _, err := persistence.ReadFile(persistence.OS, fifo); err == nil {
			t.Error("ReadFile read a named pipe")
		}
	})
}

// TestAudioLinkOutOfTheVaultIsNotAudio: a note's audio that is a link out
// of the vault (evil.wav -> ~/secret.txt) is never handed to a reader, so
// it is never played or uploaded; a link inside the vault is followed.
func TestAudioLinkOutOfTheVaultIsNotAudio(t *testing.T) {
	root := tempdir.New(t)
	v := openVault(t, root, persistence.Options{})
	secret := filepath.Join(tempdir.New(t), "secret.txt")
	os.WriteFile(secret, []byte("password"), 0o600)
	evil := &persistence.Note{ID: "evil", Title: "Evil", TranscriptionStatus: persistence.StatusUnprocessed, Audio: "evil.wav"}
	if err := v.Save(evil); err != nil {
		t.Fatal(err)
	}
	os.Symlink(secret, filepath.Join(v.RecordingsPath(), "evil.wav"))
	if p, ok := v.AudioPath(evil); ok {
		t.Errorf("AudioPath gave %s, a link to a file outside the vault", p)
	}
	inside := filepath.Join(root, "elsewhere.wav")
	os.WriteFile(inside, []byte("RIFF"), 0o600)
	fine := &persistence.Note{ID: "fine", Title: "Fine", TranscriptionStatus: persistence.StatusUnprocessed, Audio: "fine.wav"}
	if err := v.Save(fine); err != nil {
		t.Fatal(err)
	}
	os.Symlink(inside, filepath.Join(v.RecordingsPath(), "fine.wav"))
	if _, ok := v.AudioPath(fine); !ok {
		t.Error("a link to audio inside the vault is not followed")
	}
	// Readers get the file the link names, never the link: a link
	// retargeted after the check is not what they open.
	want, _ := filepath.EvalSymlinks(inside)
	if p, ok := v.AudioTarget(fine); !ok || p != want {
		t.Errorf("AudioTarget gave %q, %v; want the file in the vault the link names, %s", p, ok, want)
	}
	if p, ok := v.AudioTarget(evil); ok {
		t.Errorf("AudioTarget gave %s, a link to a file outside the vault", p)
	}
}

// TestNoteTooLargeToReadIsNotWritten: the writer refuses what the reader
// would refuse, and the note on disk stays readable as it was.
func TestNoteTooLargeToReadIsNotWritten(t *testing.T) {
	root := tempdir.New(t)
	v := openVault(t, root, persistence.Options{})
	n := &persistence.Note{ID: "big", Title: "Big", TranscriptionStatus: persistence.StatusDone, Body: "small"}
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	n.Body = strings.Repeat("x", persistence.MaxNoteSize+1)
	if err := v.Save(n); !errors.Is(err, persistence.ErrTooLarge) {
		t.Fatalf("saving a note over %d bytes: %v; want ErrTooLarge", persistence.MaxNoteSize, err)
	}
	got, err := v.Note("big")
	if err != nil || got.Body != "small" {
		t.Errorf("after the refused save: %v, %v", got, err)
	}
}

// TestTrashKeepsSharedAudio: deleting one of two notes that share an audio
// file (as "keep both" makes them) leaves the audio to the other; undoing
// brings back what was moved.
func TestTrashKeepsSharedAudio(t *testing.T) {
	root := tempdir.New(t)
	v := openVault(t, root, persistence.Options{})
	a := &persistence.Note{ID: "a", Title: "Theirs", TranscriptionStatus: persistence.StatusDone, Audio: "a.wav"}
	vaulttest.SaveWithAudio(t, v, a, []byte("RIFF"), ".wav")
	b := &persistence.Note{ID: "b", Title: "Mine", TranscriptionStatus: persistence.StatusDone, Audio: "a.wav"}
	if err := v.Save(b); err != nil {
		t.Fatal(err)
	}
	tr, err := v.Trash("b")
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Files) != 1 {
		t.Errorf("trashed %v; want only b's note", tr.Files)
	}
	if _, ok := v.AudioPath(a); !ok {
		t.Fatal("deleting b took a's audio")
	}
	if err := v.Restore(tr); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Note("b"); err != nil {
		t.Error(err)
	}
	// The last note using it takes the audio with it.
	tr, err = v.Trash("a")
	if err != nil || len(tr.Files) != 1 {
		t.Fatalf("trash a: %v %v; a's audio is still b's", tr, err)
	}
	if tr, err = v.Trash("b"); err != nil || len(tr.Files) != 2 {
		t.Fatalf("trash b: %v %v; want its note and the audio", tr, err)
	}
}
