// Package settings holds what the user chooses in the settings dialog and
// the command line shares: vault, input device, transcription engine and
// its options, automatic transcription, and the stored sample rate. They
// are kept with Fyne's preferences API; the API key goes to the system
// keychain, never into preferences.
package settings

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/remote"

	"github.com/voicenotes/voicenotes/transcribe"
)

// Prefs is the part of fyne.Preferences settings use.
type Prefs interface {
	String(key string) string
	SetString(key, value string)
	BoolWithFallback(key string, fallback bool) bool
	SetBool(key string, value bool)
	IntWithFallback(key string, fallback int) int
	SetInt(key string, value int)
}

// Settings are the user's choices.
type Settings struct {
	Vault          string // "" = the default (flag and environment still win)
	InputDevice    string // "" = the system default
	Engine         string // a transcribe engine name, or "" for none
	BaseURL        string
	Model          string
	Language       string // ISO 639-1, or "" for the engine's default
	AutoTranscribe bool
	SampleRate     int
	// Store is how recordings are kept once made: "wav" (as recorded),
	// "flac" (lossless, about half the size) or "opus" (small).
	Store string
	// ChatBaseURL and ChatModel are the chat server transformations use
	// ("" = none: nothing is sent anywhere).
	ChatBaseURL, ChatModel string
	// DictationTransform is the transformation a dictation's text goes
	// through before it is typed ("" = none); DictationTypes types it
	// into the app that had the keyboard (else it is only copied).
	DictationTransform string
	DictationTypes     bool
	// DictationKey is the shortcut that starts and stops a dictation in
	// any app ("" = none); DictationHold makes it push-to-talk (a
	// dictation while it is held).
	DictationKey  string
	DictationHold bool
	// DictationPaste, when set, puts the words in by pasting them with
	// that key combination ("Ctrl+V", "Ctrl+Shift+V" in terminals,
	// "Shift+Insert") instead of typing them key by key; the clipboard
	// is given back what it held afterwards.
	DictationPaste string
	// DictationSounds plays a short sound when a dictation starts and
	// when it stops.
	DictationSounds bool
}

// PasteKeys are the combinations a dictation may paste with: most apps'
// Ctrl+V, terminals' Ctrl+Shift+V, and Shift+Insert.
var PasteKeys = []string{"Ctrl+V", "Ctrl+Shift+V", "Shift+Insert"}

// DefaultDictationKey is the dictation shortcut of a fresh install.
const DefaultDictationKey = "Ctrl+Alt+Space"

// SampleRates are the stored audio rates offered.
var SampleRates = []int{16000, 22050, 32000, 44100, 48000}

// Defaults are the settings of a fresh install: offline, 16 kHz.
func Defaults() Settings {
	return Settings{Engine: transcribe.DefaultEngine(), BaseURL: "https://api.openai.com/v1", Model: "whisper-1", AutoTranscribe: true, SampleRate: 16000, Store: "wav", DictationTypes: true, DictationKey: DefaultDictationKey}
}

const (
	kVault, kDevice, kEngine, kBaseURL, kModel, kLanguage, kAuto, kRate = "vault", "inputDevice", "engine", "baseURL", "model", "language", "autoTranscribe", "sampleRate"
	kSaved                                                              = "settingsSaved"
	kStore                                                              = "storeAs"
	kChatBaseURL, kChatModel                                            = "chatBaseURL", "chatModel"
	kDictTransform, kDictTypes                                          = "dictationTransform", "dictationTypes"
	kDictKey, kDictHold                                                 = "dictationKey", "dictationHold"
	kDictPaste, kDictSounds                                             = "dictationPaste", "dictationSounds"
)

// Load reads the settings, defaults where nothing was saved.
func Load(p Prefs) Settings {
	s := Defaults()
	if !p.BoolWithFallback(kSaved, false) {
		return s
	}
	s.Vault, s.InputDevice, s.Engine = p.String(kVault), p.String(kDevice), p.String(kEngine)
	s.BaseURL, s.Model, s.Language = p.String(kBaseURL), p.String(kModel), p.String(kLanguage)
	s.AutoTranscribe = p.BoolWithFallback(kAuto, true)
	s.SampleRate = p.IntWithFallback(kRate, 16000)
	if s.Store = p.String(kStore); s.Store == "" {
		s.Store = "wav" // settings saved before there was a choice
	}
	s.ChatBaseURL, s.ChatModel = p.String(kChatBaseURL), p.String(kChatModel)
	s.DictationTransform, s.DictationTypes = p.String(kDictTransform), p.BoolWithFallback(kDictTypes, true)
	s.DictationKey, s.DictationHold = p.String(kDictKey), p.BoolWithFallback(kDictHold, false)
	s.DictationPaste, s.DictationSounds = p.String(kDictPaste), p.BoolWithFallback(kDictSounds, false)
	if p.String(kDictKey+"Set") == "" {
		s.DictationKey = DefaultDictationKey // saved before there was a shortcut
	}
	return s
}

// Save validates and then stores every setting; an invalid one stores
// nothing. inputs are the names of the input devices there are.
func Save(p Prefs, s Settings, inputs []string) error {
	if err := s.Validate(inputs); err != nil {
		return err
	}
	p.SetString(kVault, s.Vault)
	p.SetString(kDevice, s.InputDevice)
	p.SetString(kEngine, s.Engine)
	p.SetString(kBaseURL, s.BaseURL)
	p.SetString(kModel, s.Model)
	p.SetString(kLanguage, s.Language)
	p.SetBool(kAuto, s.AutoTranscribe)
	p.SetInt(kRate, s.SampleRate)
	p.SetString(kStore, s.Store)
	p.SetString(kChatBaseURL, s.ChatBaseURL)
	p.SetString(kChatModel, s.ChatModel)
	p.SetString(kDictTransform, s.DictationTransform)
	p.SetBool(kDictTypes, s.DictationTypes)
	p.SetString(kDictKey, s.DictationKey)
	p.SetString(kDictKey+"Set", "yes") // "" is a choice too: none
	p.SetBool(kDictHold, s.DictationHold)
	p.SetString(kDictPaste, s.DictationPaste)
	p.SetBool(kDictSounds, s.DictationSounds)
	p.SetBool(kSaved, true)
	return nil
}

// Validate says what is wrong, every problem at once.
func (s Settings) Validate(inputs []string) error {
	var errs []error
	if s.Vault != "" {
		if !filepath.IsAbs(s.Vault) {
			errs = append(errs, fmt.Errorf("vault folder %q: give a full path", s.Vault))
		} else if st, err := os.Stat(s.Vault); err == nil && !st.IsDir() {
			errs = append(errs, fmt.Errorf("vault folder %q is a file, not a folder", s.Vault))
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("vault folder %q: %v", s.Vault, err))
		}
	}
	if s.InputDevice != "" && !slices.Contains(inputs, s.InputDevice) {
		errs = append(errs, fmt.Errorf("input device %q is not connected; choose one of the list", s.InputDevice))
	}
	if s.Language != "" && (len(s.Language) < 2 || len(s.Language) > 3 || strings.ToLower(s.Language) != s.Language || strings.Trim(s.Language, "abcdefghijklmnopqrstuvwxyz") != "") {
		errs = append(errs, fmt.Errorf("language %q is not an ISO 639-1 code such as en, de or fr", s.Language))
	}
	switch s.Engine {
	case "":
	case transcribe.PocketSphinxName:
		if s.Language != "" && s.Language != "en" {
			errs = append(errs, fmt.Errorf("PocketSphinx here knows only English; choose en, or another engine for %q", s.Language))
		}
	case transcribe.OpenAIName:
		if _, err := transcribe.NewOpenAI(transcribe.Config{BaseURL: s.BaseURL, Model: s.Model}); err != nil {
			errs = append(errs, err)
		}
	default:
		errs = append(errs, fmt.Errorf("unknown transcription engine %q", s.Engine))
	}
	if !slices.Contains(SampleRates, s.SampleRate) {
		errs = append(errs, fmt.Errorf("sample rate %d Hz is not one of %v", s.SampleRate, SampleRates))
	}
	if s.ChatBaseURL != "" {
		if _, err := remote.ParseBaseURL(s.ChatBaseURL, "your notes", "https://api.openai.com/v1"); err != nil {
			errs = append(errs, fmt.Errorf("chat server: %w", err))
		}
	}
	if s.DictationPaste != "" && !slices.Contains(PasteKeys, s.DictationPaste) {
		errs = append(errs, fmt.Errorf("dictation pastes with %q, which is not one of %s", s.DictationPaste, strings.Join(PasteKeys, ", ")))
	}
	if !slices.Contains(audio.StoreFormats, s.Store) {
		errs = append(errs, fmt.Errorf("storage %q is not one of %s", s.Store, strings.Join(audio.StoreFormats, ", ")))
	}
	return errors.Join(errs...)
}

// Transcribes says whether new recordings and imports are transcribed
// on their own: an engine is chosen and automatic transcription is on.
func (s Settings) Transcribes() bool { return s.AutoTranscribe && s.Engine != "" }

// NewEngine makes the configured engine, with the API key from the keychain.
func (s Settings) NewEngine() (transcribe.Engine, transcribe.Options, error) {
	if s.Engine == "" {
		return nil, transcribe.Options{Language: s.Language}, errors.New("transcription is turned off in Settings")
	}
	return transcribe.Choice{Engine: s.Engine, BaseURL: s.BaseURL, Model: s.Model, Language: s.Language}.Open()
}
