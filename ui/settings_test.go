package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/settings"
	"github.com/voicenotes/voicenotes/transcribe"
)

func TestSettingsValidateAndSwitchVault(t *testing.T) {
	w, v := newTestWindow(t, nil)
	addNote(t, v, "In the first vault", "one")
	w.Reload()
	other := filepath.Join(t.TempDir(), "Second vault")
	var opened *persistence.Vault
	w.svc.SwitchVault = func(root string) (*persistence.Vault, error) {
		nv, err := persistence.Open(root, persistence.Options{Exclusive: true})
		opened = nv
		return nv, err
	}
	t.Cleanup(func() {
		if opened != nil {
			opened.Close()
		}
	})
	f := w.ShowSettings()
	f.Language.SetText("Klingon")
	f.Rate.SetSelected("48000")
	if err := w.SaveSettings(f); err == nil || !strings.Contains(err.Error(), "ISO 639-1") {
		t.Fatalf("invalid language saved: %v", err)
	}
	if s := w.settings(); s.SampleRate != 16000 {
		t.Errorf("a refused save changed the sample rate to %d", s.SampleRate)
	}
	f.Language.SetText("en")
	f.Vault.SetText(other)
	if err := w.SaveSettings(f); err != nil {
		t.Fatal(err)
	}
	s := w.settings()
	if s.SampleRate != 48000 || s.Language != "en" || s.Vault != other {
		t.Errorf("saved settings %+v", s)
	}
	if w.svc.Vault.Root() != other || len(w.notes) != 0 {
		t.Errorf("after switching: vault %s with %d notes", w.svc.Vault.Root(), len(w.notes))
	}
	// The first vault's lock was released by the caller's SwitchVault in
	// main; here the window no longer uses it, and it opens exclusively.
	v.Close()
	again, err := persistence.Open(v.Root(), persistence.Options{Exclusive: true})
	if err != nil {
		t.Fatalf("the old vault is still locked: %v", err)
	}
	again.Close()
}

// wordsEngine transcribes every file as the same words (the engine the
// test turns on; the real ones are tested in package transcribe).
type wordsEngine struct{}

func (wordsEngine) Name() string { return "words" }
func (wordsEngine) Transcribe(context.Context, string, transcribe.Options, func(float64)) (*transcribe.Result, error) {
	return &transcribe.Result{Text: "the words"}, nil
}

// TestTurningTranscriptionOnAppliesAtOnce: with transcription off, a
// recording stays untranscribed; turned on in Settings, the next
// recording is transcribed, and the waiting one too, without a restart.
func TestTurningTranscriptionOnAppliesAtOnce(t *testing.T) {
	w, v := newTestWindow(t, nil)
	prefs := w.App.Preferences()
	off := settings.Defaults()
	off.Engine = ""
	if err := settings.Save(prefs, off, nil); err != nil {
		t.Fatal(err)
	}
	w.svc.Engine = func() (transcribe.Engine, transcribe.Options, error) {
		if settings.Load(prefs).Engine == "" {
			return nil, transcribe.Options{}, errors.New("transcription is turned off in Settings")
		}
		return wordsEngine{}, transcribe.Options{}, nil
	}
	close(w.stop) // restart the background work as at launch, with these services
	w.stop = make(chan struct{})
	w.startBackground()
	record := func() *persistence.Note {
		before := len(w.notes)
		test.Tap(w.RecordButton)
		eventually(t, "a quarter second of recording", func() bool {
			return w.rec != nil && w.rec.s != nil && w.rec.s.Elapsed() >= 250*time.Millisecond
		})
		test.Tap(w.RecordButton)
		eventually(t, "the note", func() bool { return len(w.notes) == before+1 })
		return w.notes[0]
	}
	first := record()
	if got, _ := v.Note(first.ID); got.TranscriptionStatus != persistence.StatusUnprocessed {
		t.Fatalf("with transcription off the note is %s", got.TranscriptionStatus)
	}
	// Turned on in the Settings form, as a person does (any engine name:
	// the services give the words engine).
	f := w.ShowSettings()
	f.Engine.SetSelected(transcribe.OpenAIName)
	if err := w.SaveSettings(f); err != nil {
		t.Fatal(err)
	}
	second := record()
	for _, n := range []*persistence.Note{first, second} {
		eventually(t, "the transcript of "+n.ID, func() bool {
			got, _ := v.Note(n.ID)
			return got.TranscriptionStatus == persistence.StatusDone && got.Body == "the words\n"
		})
	}
}
