package ui

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/settings"
	"github.com/voicenotes/voicenotes/transcribe"
	"github.com/zalando/go-keyring"
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
	if err := saveSettings(t, w, f); err == nil || !strings.Contains(err.Error(), "ISO 639-1") {
		t.Fatalf("invalid language saved: %v", err)
	}
	if s := w.settings(); s.SampleRate != 16000 {
		t.Errorf("a refused save changed the sample rate to %d", s.SampleRate)
	}
	f.Language.SetText("en")
	f.Vault.SetText(other)
	if f.Store.Selected != storeChoices[0] {
		t.Errorf("recordings are kept as %q at first, want WAV", f.Store.Selected)
	}
	f.Store.SetSelected(storeChoices[1])
	if err := saveSettings(t, w, f); err != nil {
		t.Fatal(err)
	}
	s := w.settings()
	if s.SampleRate != 48000 || s.Language != "en" || s.Vault != other || s.Store != "flac" {
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
	prefs := w.app.Preferences()
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
		test.Tap(w.recordButton)
		eventually(t, "a quarter second of recording", func() bool {
			return w.rec != nil && w.rec.s != nil && w.rec.s.Elapsed() >= 250*time.Millisecond
		})
		test.Tap(w.recordButton)
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
	f.Engine.SetSelected(engineLabel(transcribe.OpenAIName))
	if err := saveSettings(t, w, f); err != nil {
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

// TestSettingsFitTheEngine: the server's fields only for the
// OpenAI-compatible engine, the offline note only for PocketSphinx; the
// base URL is judged as it is typed; Test connection shows what the
// server said (a test server speaking OpenAI's documented GET /v1/models).
func TestSettingsFitTheEngine(t *testing.T) {
	w, _ := newTestWindow(t, nil)
	f := w.ShowSettings()
	f.Engine.SetSelected(engineLabel(transcribe.PocketSphinxName))
	if !f.Remote.Hidden || f.OfflineNote.Hidden {
		t.Errorf("PocketSphinx: server fields hidden %v, offline note hidden %v", f.Remote.Hidden, f.OfflineNote.Hidden)
	}
	f.Engine.SetSelected(engineLabel(transcribe.OpenAIName))
	if f.Remote.Hidden || !f.OfflineNote.Hidden {
		t.Errorf("OpenAI: server fields hidden %v, offline note hidden %v", f.Remote.Hidden, f.OfflineNote.Hidden)
	}
	f.Engine.SetSelected(engineLabel(""))
	if !f.Remote.Hidden || !f.OfflineNote.Hidden {
		t.Error("no engine: engine fields shown")
	}
	f.Engine.SetSelected(engineLabel(transcribe.OpenAIName))
	f.BaseURL.SetText("")
	test.Type(f.BaseURL, "http://example.com/v1")
	if err := f.BaseURL.Validate(); err == nil || !strings.Contains(err.Error(), "unencrypted") {
		t.Errorf("typing a plain-http URL: %v", err)
	}
	models := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/models" || r.Header.Get("Authorization") != "Bearer sk-typed" {
			rw.WriteHeader(http.StatusUnauthorized)
			rw.Write([]byte(`{"error":{"message":"Incorrect API key provided: ` + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + `"}}`))
			return
		}
		rw.Write([]byte(`{"object":"list","data":[{"id":"whisper-1","object":"model","created":1,"owned_by":"system"}]}`))
	}))
	defer models.Close()
	f.BaseURL.SetText(models.URL + "/v1")
	if err := f.BaseURL.Validate(); err != nil {
		t.Errorf("a loopback http URL was refused: %v", err)
	}
	f.Model.SetText("whisper-1")
	f.APIKey.SetText("sk-typed")
	test.Tap(f.TestConnection)
	eventually(t, "the server's answer", func() bool {
		return strings.HasPrefix(f.Connection.Text, "✓") || strings.HasPrefix(f.Connection.Text, "✗")
	})
	if !strings.Contains(f.Connection.Text, `model "whisper-1" is offered`) {
		t.Errorf("connection: %q", f.Connection.Text)
	}
	f.APIKey.SetText("sk-wrong-typed")
	test.Tap(f.TestConnection)
	eventually(t, "the refusal", func() bool { return strings.HasPrefix(f.Connection.Text, "✗") })
	if !strings.Contains(f.Connection.Text, "refused") || strings.Contains(f.Connection.Text, "sk-wrong-typed") {
		t.Errorf("a wrong key: %q (must say so without showing the key)", f.Connection.Text)
	}
	// No key typed: the keychain's, or (none here: no session bus) one
	// sentence saying what to do, never the keychain library's error.
	t.Setenv(transcribe.APIKeyEnv, "")
	f.APIKey.SetText("")
	f.Connection.SetText("")
	test.Tap(f.TestConnection)
	eventually(t, "the answer without a key", func() bool { return strings.HasPrefix(f.Connection.Text, "✗") })
	if msg := f.Connection.Text; strings.Contains(msg, "exec") || strings.Contains(msg, "dbus") || (!strings.Contains(msg, transcribe.APIKeyEnv) && !strings.Contains(msg, "refused")) {
		t.Errorf("testing without a key says %q", msg)
	}
}

// TestSettingsNamesEngines: engines are named as people know them, the
// language hint fits the engine, and "Transcribe automatically" waits
// while no engine is chosen.
func TestSettingsNamesEngines(t *testing.T) {
	w, _ := newTestWindow(t, nil)
	f := w.ShowSettings()
	for _, o := range f.Engine.Options {
		if o == "none" || o == transcribe.OpenAIName || o == transcribe.PocketSphinxName {
			t.Errorf("the engine list shows the raw id %q", o)
		}
	}
	f.Engine.SetSelected(engineLabel(""))
	if !f.Auto.Disabled() {
		t.Error("Transcribe automatically can be ticked with no engine to transcribe with")
	}
	f.Engine.SetSelected(engineLabel(transcribe.OpenAIName))
	if f.Auto.Disabled() || strings.Contains(f.Language.PlaceHolder, "PocketSphinx") {
		t.Errorf("OpenAI: auto disabled %v, language hint %q", f.Auto.Disabled(), f.Language.PlaceHolder)
	}
	if err := saveSettings(t, w, f); err != nil {
		t.Fatal(err)
	}
	if got := w.settings().Engine; got != transcribe.OpenAIName {
		t.Errorf("saved engine %q, want %q", got, transcribe.OpenAIName)
	}
}

// TestSettingsOffersWhispering: with Whispering's folder on this computer
// (XDG_DATA_HOME/com.bradenwong.whispering/recordings), Settings offers it
// as the vault in one click; without it, nothing is offered.
func TestSettingsOffersWhispering(t *testing.T) {
	data := tempdir.New(t)
	t.Setenv("XDG_DATA_HOME", data)
	w, _ := newTestWindow(t, nil)
	if f := w.ShowSettings(); f.Whispering.Visible() {
		t.Error("Whispering offered where it is not installed")
	}
	dir := filepath.Join(data, "com.bradenwong.whispering")
	if err := os.MkdirAll(filepath.Join(dir, "recordings"), 0o700); err != nil {
		t.Fatal(err)
	}
	f := w.ShowSettings()
	if !f.Whispering.Visible() || !strings.Contains(f.Whispering.Text, dir) {
		t.Fatalf("Whispering's folder not offered: %q", f.Whispering.Text)
	}
	test.Tap(f.Whispering)
	if f.Vault.Text != dir {
		t.Errorf("the vault field holds %q, want %s", f.Vault.Text, dir)
	}
}

// TestSettingsWarnsOfASharedVault: Settings says when the vault folder
// (the open one, or one being typed) is writable by other users, with
// the command that makes it private, and says nothing for a private one.
func TestSettingsWarnsOfASharedVault(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows folders have no Unix mode bits")
	}
	w, v := newTestWindow(t, nil)
	f := w.ShowSettings()
	if f.VaultAccess.Visible() {
		t.Errorf("a private vault is called shared: %q", f.VaultAccess.Text)
	}
	shared := tempdir.New(t)
	if err := os.Chmod(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	f.Vault.SetText(shared)
	if !f.VaultAccess.Visible() || !strings.Contains(f.VaultAccess.Text, "chmod go-w") {
		t.Errorf("a 0777 folder typed as the vault: %q", f.VaultAccess.Text)
	}
	f.Vault.SetText(v.Root())
	if f.VaultAccess.Visible() {
		t.Error("the warning stays for a private folder")
	}
}

// TestSettingsSaveAllOrNothing: a save that cannot switch the vault
// changes nothing: not the preferences, and not the API key, which the
// keychain (the library's in-memory one here: no Secret Service runs on
// this machine) gets back as it was.
func TestSettingsSaveAllOrNothing(t *testing.T) {
	keyring.MockInit()
	w, _ := newTestWindow(t, nil)
	base := "https://api.example.com/v1"
	if err := transcribe.SaveAPIKey(base, "sk-before"); err != nil {
		t.Fatal(err)
	}
	before := w.settings()
	f := w.ShowSettings()
	f.Engine.SetSelected(engineLabel(transcribe.OpenAIName))
	f.BaseURL.SetText(base)
	f.Model.SetText("whisper-1")
	f.APIKey.SetText("sk-typed")
	f.Vault.SetText(filepath.Join(t.TempDir(), "other")) // this window cannot switch vaults
	if err := saveSettings(t, w, f); err == nil {
		t.Fatal("the save went through")
	}
	if got, err := transcribe.KeychainAPIKey(base); err != nil || got != "sk-before" {
		t.Errorf("after a failed save the keychain holds %q (%v), want the key it had", got, err)
	}
	if after := w.settings(); after != before {
		t.Errorf("a failed save changed the settings:\n%+v\nwant\n%+v", after, before)
	}
}

// saveSettings saves the form as the dialog's Save button does and
// returns the outcome, running the UI thread's work meanwhile.
func saveSettings(t *testing.T, w *Window, f *SettingsForm) error {
	t.Helper()
	return outcome(t, "the settings to be saved", func(done func(error)) { w.SaveSettings(f, done) })
}

// outcome starts what reports its end through done (on the UI thread),
// and returns what it reported, running the UI thread's work meanwhile.
func outcome(t *testing.T, what string, start func(done func(error))) error {
	t.Helper()
	var got error
	ended := false
	start(func(err error) { got, ended = err, true })
	eventually(t, what, func() bool { return ended })
	return got
}

// TestSwitchingVaultLeavesTheWindowFree: opening another vault can wait
// (its write lock held by another process for seconds, recovery to do).
// Saving the settings returns at once; the window says what it waits
// for, refuses to record meanwhile, and takes the new vault, and the
// settings, when it opens.
func TestSwitchingVaultLeavesTheWindowFree(t *testing.T) {
	w, v := newTestWindow(t, nil)
	w.Reload()
	release := make(chan struct{})
	asked := make(chan string, 1)
	w.svc.SwitchVault = func(root string) (*persistence.Vault, error) {
		asked <- root
		<-release
		nv, err := persistence.Open(root, persistence.Options{})
		if err == nil {
			t.Cleanup(func() { nv.Close() })
		}
		return nv, err
	}
	other := filepath.Join(t.TempDir(), "other")
	f := w.ShowSettings()
	f.Vault.SetText(other)
	ended := false
	var got error
	w.SaveSettings(f, func(err error) { got, ended = err, true }) // returns: the UI thread is free
	var root string
	eventually(t, "the other vault to be opened", func() bool {
		select {
		case root = <-asked:
			return true
		default:
			return false
		}
	})
	if root != other {
		t.Fatalf("asked to open %s, want %s", root, other)
	}
	pump()
	if w.switching == nil || ended {
		t.Fatalf("while the vault opens: dialog %v, ended %v", w.switching != nil, ended)
	}
	w.ToggleRecording()
	if w.rec != nil {
		t.Fatal("a recording started while the vault was switched")
	}
	if w.svc.Vault != v || w.settings().Vault == other {
		t.Fatal("the vault or the settings changed before the vault opened")
	}
	close(release)
	eventually(t, "the switch to end", func() bool { return ended })
	if got != nil {
		t.Fatal(got)
	}
	if w.switching != nil || w.svc.Vault.Root() != other || w.settings().Vault != other {
		t.Errorf("after the switch: dialog %v, vault %s, settings %s; want %s", w.switching != nil, w.svc.Vault.Root(), w.settings().Vault, other)
	}
}
