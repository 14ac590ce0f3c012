package settings

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/voicenotes/voicenotes/internal/tempdir"
)

func TestValidate(t *testing.T) {
	good := Defaults()
	good.Engine = "pocketsphinx"
	if err := good.Validate(nil); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	aFile := filepath.Join(tempdir.New(t), "a file")
	if err := os.WriteFile(aFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		change func(*Settings)
		want   string
	}{
		{func(s *Settings) { s.Vault = "relative/path" }, "full path"},
		{func(s *Settings) { s.Vault = aFile }, "is a file"},
		{func(s *Settings) { s.InputDevice = "USB mic" }, "not connected"},
		{func(s *Settings) { s.Language = "English" }, "ISO 639-1"},
		{func(s *Settings) { s.Engine = "pocketsphinx"; s.Language = "fr" }, "only English"},
		{func(s *Settings) { s.Engine = "openai"; s.BaseURL = "http://example.com/v1" }, "unencrypted"},
		{func(s *Settings) { s.Engine = "openai"; s.Model = "" }, "needs a model"},
		{func(s *Settings) { s.Engine = "magic" }, "unknown transcription engine"},
		{func(s *Settings) { s.SampleRate = 12345 }, "not one of"},
		{func(s *Settings) { s.Store = "mp9" }, "storage \"mp9\" is not one of wav, flac, opus"},
	} {
		s := good
		tc.change(&s)
		if err := s.Validate([]string{"default", "pulse"}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", s, err, tc.want)
		}
	}
}

func TestSaveIsAllOrNothing(t *testing.T) {
	p := test.NewTempApp(t).Preferences()
	if s := Load(p); s.SampleRate != 16000 || !s.AutoTranscribe || s.Store != "wav" {
		t.Fatalf("fresh settings %+v", s)
	}
	s := Defaults()
	s.Engine, s.Language, s.SampleRate, s.Store = "openai", "de", 48000, "flac"
	s.BaseURL, s.Model = "http://127.0.0.1:8080/v1", "whisper-large-v3"
	if err := Save(p, s, nil); err != nil {
		t.Fatal(err)
	}
	if got := Load(p); got != s {
		t.Errorf("loaded %+v, saved %+v", got, s)
	}
	bad := s
	bad.Language, bad.SampleRate = "German", 1
	if err := Save(p, bad, nil); err == nil {
		t.Fatal("invalid settings saved")
	}
	if got := Load(p); got != s {
		t.Errorf("a refused save changed the settings: %+v", got)
	}
}

// TestStoredIsWhatTheWindowSaved: the command line reads the settings the
// window saved through Fyne's preferences from Fyne's own file, without
// starting Fyne. The file is written here as Fyne 2.7 writes it (a JSON
// object of key and value, numbers as JSON numbers; seen with a real
// app.NewWithID): Fyne saves it only from its running event loop.
func TestStoredIsWhatTheWindowSaved(t *testing.T) {
	config := tempdir.New(t)
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("HOME", config)
	t.Setenv("USERPROFILE", config) // the home folder on Windows
	const id = "io.github.voicenotes.test"
	if got := Stored(id); got != Defaults() {
		t.Errorf("nothing saved: %+v", got)
	}
	a := test.NewTempApp(t)
	s := Defaults()
	s.ChatBaseURL, s.ChatModel, s.SampleRate, s.Language, s.Engine = "http://127.0.0.1:11434/v1", "llama3.2", 48000, "de", ""
	if err := Save(a.Preferences(), s, nil); err != nil {
		t.Fatal(err)
	}
	values := map[string]any{}
	for _, k := range []string{kVault, kDevice, kEngine, kBaseURL, kModel, kLanguage, kStore, kChatBaseURL, kChatModel} {
		values[k] = a.Preferences().String(k)
	}
	values[kAuto], values[kSaved] = a.Preferences().Bool(kAuto), a.Preferences().Bool(kSaved)
	values[kRate] = a.Preferences().Int(kRate)
	data, err := json.Marshal(values)
	if err != nil {
		t.Fatal(err)
	}
	dir := preferencesDir(id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "preferences.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := Stored(id); got != s {
		t.Errorf("read from the file:\n%+v\nwant\n%+v", got, s)
	}
}
