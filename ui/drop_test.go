package ui

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/settings"
	"github.com/voicenotes/voicenotes/transcribe"
)

// writeTone writes half a second of a tone as a 16 kHz WAV.
func writeTone(t *testing.T, path string) {
	t.Helper()
	s := make([]int16, 8000)
	for i := range s {
		s[i] = int16(6000 * ((i/20)%2*2 - 1))
	}
	if err := os.WriteFile(path, append(audio.PCM16Header(16000, 1, int64(2*len(s))), audio.AppendPCM16(nil, s)...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDropImports: files and a folder dropped on the window become notes,
// through the window's drop handler (what the desktop calls on a drop);
// what is not audio is left alone and said so; a file that claims to be
// audio and is not is reported.
func TestDropImports(t *testing.T) {
	w, v := newTestWindow(t, nil)
	src := tempdir.New(t)
	writeTone(t, filepath.Join(src, "Shopping list.wav"))
	os.WriteFile(filepath.Join(src, "notes.txt"), []byte("not audio"), 0o600)
	os.WriteFile(filepath.Join(src, "broken.mp3"), []byte("not an mp3 at all"), 0o600)
	folder := filepath.Join(src, "Memos")
	os.MkdirAll(filepath.Join(folder, ".cache"), 0o700)
	writeTone(t, filepath.Join(folder, "Idea one.wav"))
	writeTone(t, filepath.Join(folder, ".cache", "hidden.wav"))
	want := []string{"Idea one", "Shopping list"}
	dropped := []string{filepath.Join(src, "Shopping list.wav"), filepath.Join(src, "notes.txt"), filepath.Join(src, "broken.mp3"), folder}
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		mp3 := filepath.Join(src, "Voice memo.mp3")
		if out, err := exec.Command("ffmpeg", "-loglevel", "error", "-i", filepath.Join(src, "Shopping list.wav"), mp3).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v %s", err, out)
		}
		dropped = append(dropped, mp3)
		want = append(want, "Voice memo")
	} else {
		t.Log("ffmpeg is not installed, so no MP3 is dropped (make setup installs it)")
	}
	var uris []fyne.URI
	for _, p := range dropped {
		uris = append(uris, storage.NewFileURI(p))
	}
	w.onDrop(fyne.NewPos(10, 10), uris)
	eventually(t, "the import to finish", func() bool { return strings.HasPrefix(w.status.Text, "Imported ") })
	var titles []string
	for _, n := range w.notes {
		titles = append(titles, n.Title)
	}
	slices.Sort(titles)
	slices.Sort(want)
	if !slices.Equal(titles, want) {
		t.Errorf("notes after the drop: %q, want %q", titles, want)
	}
	if !strings.Contains(w.status.Text, "not audio, left alone") || !strings.Contains(w.status.Text, "of "+itoa(len(want)+1)) {
		t.Errorf("status %q", w.status.Text)
	}
	if notes, _, _ := v.List(); len(notes) != len(want) {
		t.Errorf("%d notes on disk, want %d", len(notes), len(want))
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestDropTitlesFromSpeech: real speech dropped as WAV and MP3 is
// transcribed offline and each note names itself from what was said.
func TestDropTitlesFromSpeech(t *testing.T) {
	engine, err := transcribe.New(transcribe.PocketSphinxName, transcribe.Config{})
	if errors.Is(err, transcribe.ErrUnavailable) {
		t.Skip("this build has no PocketSphinx (make builds with it)")
	}
	if err != nil {
		t.Fatal(err)
	}
	const dir = "/usr/share/pocketsphinx/test/data/librivox"
	wav := filepath.Join(dir, "sense_and_sensibility_01_austen_64kb-0880.wav")
	if _, err := os.Stat(wav); err != nil {
		t.Skipf("%s is missing (make setup installs pocketsphinx-testdata)", wav)
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
	mp3 := filepath.Join(tempdir.New(t), "memo.mp3")
	if out, err := exec.Command("ffmpeg", "-loglevel", "error", "-i", filepath.Join(dir, "sense_and_sensibility_01_austen_64kb-0920.wav"), mp3).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	w, _ := newTestWindow(t, nil)
	prefs := w.app.Preferences()
	s := settings.Defaults()
	s.Engine, s.AutoTranscribe = transcribe.PocketSphinxName, true
	if err := settings.Save(prefs, s, nil); err != nil {
		t.Fatal(err)
	}
	w.svc.Engine = func() (transcribe.Engine, transcribe.Options, error) { return engine, transcribe.Options{}, nil }
	close(w.stop) // restart the background work with this engine, as at launch
	w.stop = make(chan struct{})
	w.startBackground()
	w.onDrop(fyne.NewPos(1, 1), []fyne.URI{storage.NewFileURI(wav), storage.NewFileURI(mp3)})
	eventually(t, "both notes transcribed", func() bool {
		done := 0
		for _, n := range w.notes {
			if n.TranscriptionStatus == persistence.StatusDone {
				done++
			}
		}
		return len(w.notes) == 2 && done == 2
	})
	for _, n := range w.notes {
		want := transcribe.TitleFrom(n.Body)
		if want == "" || n.Title != want || strings.Contains(n.Title, "sense_and") || n.Title == "memo" {
			t.Errorf("note %s is titled %q; its speech says %q (transcript %q)", n.ID, n.Title, want, n.Body)
		}
	}
}
