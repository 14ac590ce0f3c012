package ui

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/settings"
	"github.com/voicenotes/voicenotes/transcribe"
	"github.com/voicenotes/voicenotes/transform"
)

const systemDefault = "System default"

// SettingsForm is the settings dialog's widgets, exported for tests.
type SettingsForm struct {
	Vault, BaseURL, Model, APIKey, Language *widget.Entry
	Device, Engine, Rate, Store             *widget.Select
	Auto                                    *widget.Check
	TestLevel                               *Meter
	Dialog                                  dialog.Dialog
	// Remote holds the OpenAI-compatible engine's fields, shown only
	// when it is chosen; OfflineNote says what PocketSphinx can do, shown
	// only for it. TestConnection asks the server, and Connection shows
	// what it said.
	Remote         *fyne.Container
	OfflineNote    *widget.Label
	TestConnection *widget.Button
	Connection     *widget.Label
	// Whispering offers Whispering's folder as the vault, when it exists.
	Whispering *widget.Button
	// VaultAccess warns when the vault folder is writable by other users.
	VaultAccess *widget.Label
	// The chat server transformations use; TestChat lists its models
	// into ChatStatus.
	ChatBaseURL, ChatModel, ChatKey *widget.Entry
	TestChat                        *widget.Button
	ChatStatus                      *widget.Label
	// Dictation: whether its words are typed where the keyboard was, and
	// the transformation they go through first.
	DictationTypes     *widget.Check
	DictationPaste     *widget.Select // how the words go in: typed, or pasted with a combination
	DictationSounds    *widget.Check
	DictationTransform *widget.Select
	// DictationKey is the shortcut for every app, DictationHold makes it
	// push-to-talk; DictationKeyState says whether it could be taken.
	DictationKey      *widget.Entry
	DictationHold     *widget.Check
	DictationKeyState *widget.Label
}

// storeChoices are how the storage formats (audio.StoreFormats) read in
// Settings.
var storeChoices = []string{"WAV (as recorded)", "FLAC (lossless, about half the size)", "Opus (small, an eighth)"}

// ShowSettings opens the settings dialog. Save validates everything first;
// nothing is stored half-way.
func (w *Window) ShowSettings() *SettingsForm {
	cur := w.settings()
	f := &SettingsForm{
		Vault: widget.NewEntry(), BaseURL: widget.NewEntry(), Model: widget.NewEntry(),
		APIKey: widget.NewPasswordEntry(), Language: widget.NewEntry(),
		Auto: widget.NewCheck("Transcribe recordings automatically", nil), TestLevel: NewMeter(),
	}
	f.Vault.SetText(cur.Vault)
	f.Vault.SetPlaceHolder(w.svc.Vault.Root())
	devices := []string{systemDefault}
	if w.svc.ListInputs != nil {
		if names, err := w.svc.ListInputs(); err == nil {
			devices = append(devices, names...)
		}
	}
	f.Device = widget.NewSelect(devices, nil)
	f.Device.SetSelected(systemDefault)
	if cur.InputDevice != "" {
		f.Device.SetSelected(cur.InputDevice)
	}
	engines := []string{engineLabel("")}
	for _, e := range transcribe.Engines() {
		engines = append(engines, engineLabel(e.Name))
	}
	f.Engine = widget.NewSelect(engines, nil)
	f.Engine.SetSelected(engineLabel(cur.Engine))
	f.BaseURL.SetText(cur.BaseURL)
	f.Model.SetText(cur.Model)
	f.APIKey.SetPlaceHolder("stored in the system keychain; leave empty to keep")
	f.Language.SetText(cur.Language)
	f.Auto.SetChecked(cur.AutoTranscribe)
	var rates []string
	for _, r := range settings.SampleRates {
		rates = append(rates, strconv.Itoa(r))
	}
	f.Rate = widget.NewSelect(rates, nil)
	f.Rate.SetSelected(strconv.Itoa(cur.SampleRate))
	f.Store = widget.NewSelect(storeChoices, nil)
	f.Store.SetSelected(storeChoices[max(0, slices.Index(audio.StoreFormats, cur.Store))])
	browse := widget.NewButton("Choose…", func() {
		dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				f.Vault.SetText(u.Path())
			}
		}, w.win)
	})
	test := widget.NewButton("Test", func() { w.testInput(f) })
	// Whispering's folder, when it is on this computer: one click shares
	// it (its notes are ours and ours are its).
	f.Whispering = widget.NewButton("", nil)
	f.Whispering.Hide()
	if dir := persistence.FindWhispering(); dir != "" && dir != w.svc.Vault.Root() {
		f.Whispering.SetText("Use Whispering's recordings (" + dir + ")")
		f.Whispering.OnTapped = func() { f.Vault.SetText(dir) }
		f.Whispering.Show()
	}
	// A vault other users can write to is said to be, as it is typed.
	f.VaultAccess = widget.NewLabel("")
	f.VaultAccess.Wrapping = fyne.TextWrapWord
	f.VaultAccess.Importance = widget.WarningImportance
	checkAccess := func(path string) {
		if path == "" {
			path = w.svc.Vault.Root()
		}
		if st, err := os.Stat(path); err == nil && st.IsDir() && st.Mode().Perm()&0o022 != 0 {
			f.VaultAccess.SetText(fmt.Sprintf("Other users of this computer can add, change or remove notes in this folder (%v). To make it yours alone: chmod go-w %q", st.Mode().Perm(), path))
			f.VaultAccess.Show()
			return
		}
		f.VaultAccess.Hide()
	}
	checkAccess(f.Vault.Text)
	f.Vault.OnChanged = checkAccess
	form := widget.NewForm(
		widget.NewFormItem("Vault folder", container.NewBorder(nil, container.NewVBox(f.Whispering, f.VaultAccess), nil, browse, f.Vault)),
		widget.NewFormItem("Microphone", container.NewBorder(nil, nil, nil, test, f.Device)),
		widget.NewFormItem("Level", f.TestLevel),
		widget.NewFormItem("Transcription", f.Engine),
	)
	// The base URL is checked as it is typed: https, or http to this
	// computer only.
	f.BaseURL.SetPlaceHolder("https://api.openai.com/v1, or http://127.0.0.1:8080/v1 for a local server")
	f.BaseURL.Validator = transcribe.CheckBaseURL
	f.Model.SetPlaceHolder("whisper-1, gpt-4o-transcribe, whisper-large-v3…")
	f.Connection = widget.NewLabel("")
	f.Connection.Wrapping = fyne.TextWrapWord
	f.TestConnection = widget.NewButton("Test connection", func() { w.testConnection(f) })
	f.Remote = container.NewVBox(widget.NewForm(
		widget.NewFormItem("Base URL", f.BaseURL),
		widget.NewFormItem("Model", f.Model),
		widget.NewFormItem("API key", f.APIKey),
		widget.NewFormItem("", f.TestConnection),
	), f.Connection)
	language := widget.NewForm(widget.NewFormItem("Language", f.Language))
	f.OfflineNote = widget.NewLabel("PocketSphinx runs on this computer, offline, and knows US English only.")
	f.OfflineNote.Wrapping = fyne.TextWrapWord
	showFor := func(label string) {
		engine := engineID(label)
		f.Remote.Hidden = engine != transcribe.OpenAIName
		f.OfflineNote.Hidden = engine != transcribe.PocketSphinxName
		language.Hidden = engine == ""
		if engine == transcribe.PocketSphinxName {
			f.Language.SetPlaceHolder("en (PocketSphinx knows only English)")
		} else {
			f.Language.SetPlaceHolder("empty: the server finds it; or a code such as en, de, fr")
		}
		// Nothing to transcribe with: the choice is kept, and waits.
		if engine == "" {
			f.Auto.Disable()
		} else {
			f.Auto.Enable()
		}
		f.Remote.Refresh()
		f.OfflineNote.Refresh()
		language.Refresh()
	}
	f.Engine.OnChanged = showFor
	showFor(f.Engine.Selected)
	general := widget.NewForm(
		widget.NewFormItem("", f.Auto),
		widget.NewFormItem("Sample rate (Hz)", f.Rate),
		widget.NewFormItem("Keep recordings as", f.Store),
		widget.NewFormItem("Vocabulary", widget.NewButton("Edit vocabulary…", func() { w.ShowVocabulary() })),
	)
	content := container.NewVBox(form, f.OfflineNote, f.Remote, language, general, w.buildChatSettings(f, cur), w.buildDictationSettings(f, cur))
	f.Dialog = dialog.NewCustomConfirm("Settings", "Save", "Cancel", container.NewVScroll(content), func(ok bool) {
		if ok {
			w.SaveSettings(f, func(err error) {
				if err != nil {
					w.showError(err)
					f.Dialog.Show() // keep what was typed, to correct it
				}
			})
		}
	}, w.win)
	f.Dialog.Resize(fyne.NewSize(620, 560))
	f.Dialog.Show()
	return f
}

// Engines as people know them, in the Settings list.
var engineLabels = map[string]string{
	"":                          "None: record only",
	transcribe.PocketSphinxName: "PocketSphinx, on this computer (English)",
	transcribe.OpenAIName:       "OpenAI-compatible server (OpenAI, Groq, a local Whisper)",
}

// engineLabel is how the engine with this id is named in Settings.
func engineLabel(id string) string {
	if l, ok := engineLabels[id]; ok {
		return l
	}
	return id
}

// engineID is the id of the engine named label in Settings.
func engineID(label string) string {
	for id, l := range engineLabels {
		if l == label {
			return id
		}
	}
	return label
}

// testConnection asks the OpenAI-compatible server in the form whether it
// answers, takes the key (the one typed, else the keychain's) and offers
// the model, off the UI thread, and shows what it said.
func (w *Window) testConnection(f *SettingsForm) {
	base, model, typed := f.BaseURL.Text, f.Model.Text, f.APIKey.Text
	f.Connection.SetText("Asking " + base + "…")
	f.TestConnection.Disable()
	go func() {
		msg, err := pingServer(base, model, typed)
		w.do(func() {
			f.TestConnection.Enable()
			if err != nil {
				f.Connection.SetText("✗ " + err.Error())
				return
			}
			f.Connection.SetText("✓ " + msg)
		})
	}()
}

// buildChatSettings is the Settings' part for transformations: the chat
// server, its model and key, and a Test button.
func (w *Window) buildChatSettings(f *SettingsForm, cur settings.Settings) fyne.CanvasObject {
	f.ChatBaseURL, f.ChatModel, f.ChatKey = widget.NewEntry(), widget.NewEntry(), widget.NewPasswordEntry()
	f.ChatBaseURL.SetText(cur.ChatBaseURL)
	f.ChatBaseURL.SetPlaceHolder("none; or https://api.openai.com/v1, or http://127.0.0.1:11434/v1 for Ollama")
	f.ChatBaseURL.Validator = func(s string) error {
		if s == "" {
			return nil // none: nothing is sent anywhere
		}
		_, err := transform.NewChat(s, "")
		return err
	}
	f.ChatModel.SetText(cur.ChatModel)
	f.ChatModel.SetPlaceHolder("gpt-4o-mini, llama3.2, qwen2.5…")
	f.ChatKey.SetPlaceHolder("stored in the system keychain; leave empty to keep (local servers need none)")
	f.ChatStatus = widget.NewLabel("")
	f.ChatStatus.Wrapping = fyne.TextWrapWord
	f.TestChat = widget.NewButton("Test", func() { w.testChat(f) })
	heading := widget.NewLabel("Transformations (clean up, summary, action items…) use a chat model:")
	heading.Wrapping = fyne.TextWrapWord
	edit := widget.NewButton("Edit transformations…", func() { w.ShowTransformEditor() })
	return container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, nil, edit, heading), widget.NewForm(
		widget.NewFormItem("Chat server", f.ChatBaseURL),
		widget.NewFormItem("Chat model", f.ChatModel),
		widget.NewFormItem("API key", f.ChatKey),
		widget.NewFormItem("", f.TestChat),
	), f.ChatStatus)
}

// noTransform is the dictation's "no transformation" choice.
const noTransform = "None: the words as said"

// The ways a dictation's words go in, as Settings name them.
const (
	typeKeys  = "Typing them, key by key"
	pasteWith = "Pasting them (the clipboard given back after) with "
)

// buildDictationSettings is the Settings' part for dictation.
func (w *Window) buildDictationSettings(f *SettingsForm, cur settings.Settings) fyne.CanvasObject {
	f.DictationTypes = widget.NewCheck("Type the words into the app that had the keyboard (else only copy them)", nil)
	f.DictationTypes.SetChecked(cur.DictationTypes)
	ways := []string{typeKeys}
	for _, k := range settings.PasteKeys {
		ways = append(ways, pasteWith+k)
	}
	f.DictationPaste = widget.NewSelect(ways, nil)
	f.DictationPaste.SetSelected(typeKeys)
	if cur.DictationPaste != "" {
		f.DictationPaste.SetSelected(pasteWith + cur.DictationPaste)
	}
	f.DictationSounds = widget.NewCheck("Play a short sound when a dictation starts and stops", nil)
	f.DictationSounds.SetChecked(cur.DictationSounds)
	names := []string{noTransform}
	if ts, _, err := transform.Load(w.svc.Vault); err == nil {
		names = append(names, namesOf(ts)...)
	}
	f.DictationTransform = widget.NewSelect(names, nil)
	f.DictationTransform.SetSelected(noTransform)
	if cur.DictationTransform != "" {
		f.DictationTransform.SetSelected(cur.DictationTransform)
	}
	f.DictationKey = widget.NewEntry()
	f.DictationKey.SetText(cur.DictationKey)
	f.DictationKey.SetPlaceHolder("none; or Ctrl+Alt+Space, Super+D, Shift+F9…")
	f.DictationHold = widget.NewCheck("Push-to-talk: dictate while the shortcut is held", nil)
	f.DictationHold.SetChecked(cur.DictationHold)
	f.DictationKeyState = widget.NewLabel("")
	f.DictationKeyState.Wrapping = fyne.TextWrapWord
	switch k := w.dictKey; {
	case k.err != nil:
		f.DictationKeyState.SetText("✗ " + k.err.Error())
	case k.grabbed != nil:
		f.DictationKeyState.SetText("✓ " + k.combo + " works in every app")
	}
	how := widget.NewLabel("Dictation: press the shortcut in any app to start; press it again (or let go, with push-to-talk) and the words go where the keyboard was. The recording is kept as a note tagged dictation. On Wayland, or to use the desktop's own shortcut settings, bind `voicenotes dictate` instead.")
	how.Wrapping = fyne.TextWrapWord
	return container.NewVBox(widget.NewSeparator(), how, widget.NewForm(
		widget.NewFormItem("Shortcut", f.DictationKey),
		widget.NewFormItem("", f.DictationHold),
		widget.NewFormItem("", f.DictationKeyState),
		widget.NewFormItem("", f.DictationTypes),
		widget.NewFormItem("Put in by", f.DictationPaste),
		widget.NewFormItem("", f.DictationSounds),
		widget.NewFormItem("Transform with", f.DictationTransform),
	))
}

// testChat asks the chat server for its models, with the key typed or
// kept, and says whether the chosen model is among them.
func (w *Window) testChat(f *SettingsForm) {
	base, model, key := f.ChatBaseURL.Text, f.ChatModel.Text, f.ChatKey.Text
	f.ChatStatus.SetText("Asking " + base + "…")
	f.TestChat.Disable()
	go func() {
		msg, err := func() (string, error) {
			if key == "" {
				key, _ = transcribe.LoadAPIKey(base) // none kept, or no keychain: try without
			}
			c, err := transform.NewChat(base, key)
			if err != nil {
				return "", err
			}
			models, err := c.Models(context.Background())
			if err != nil {
				return "", err
			}
			switch {
			case model == "":
				return fmt.Sprintf("Connected to %s: it offers %d models (%s); choose one above", c.Host(), len(models), clipList(models, 8)), nil
			case slices.Contains(models, model):
				return fmt.Sprintf("Connected to %s: the key works and model %q is offered", c.Host(), model), nil
			}
			return "", fmt.Errorf("connected to %s, but it does not offer model %q; it offers %s", c.Host(), model, clipList(models, 8))
		}()
		w.do(func() {
			f.TestChat.Enable()
			if err != nil {
				f.ChatStatus.SetText("✗ " + err.Error())
				return
			}
			f.ChatStatus.SetText("✓ " + msg)
		})
	}()
}

// clipList is the first n of a list, and how many more.
func clipList(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(" and %d more", len(s)-n)
}

func pingServer(base, model, key string) (string, error) {
	if key == "" {
		var err error
		if key, err = transcribe.LoadAPIKey(base); err != nil {
			log.Printf("reading the API key from the system keychain: %v", err)
			return "", fmt.Errorf("no API key was typed, and this computer has no system keychain to keep one in: type the key above, or set %s in the environment Voice Notes starts in", transcribe.APIKeyEnv)
		}
	}
	o, err := transcribe.NewOpenAI(transcribe.Config{BaseURL: base, Model: model, APIKey: key})
	if err != nil {
		return "", err
	}
	return o.Ping(context.Background())
}

// SaveSettings validates the form and stores it, then calls done with
// the outcome on the UI thread (nil: saved). On error nothing changes:
// not the preferences, not the vault, not the key in the keychain. What
// can take long (listing the inputs, the keychain, the last save and
// opening another vault) runs off the UI thread.
func (w *Window) SaveSettings(f *SettingsForm, done func(error)) {
	s := w.settings()
	s.Vault, s.BaseURL, s.Model, s.Language = f.Vault.Text, f.BaseURL.Text, f.Model.Text, f.Language.Text
	s.InputDevice = f.Device.Selected
	if s.InputDevice == systemDefault {
		s.InputDevice = ""
	}
	s.Engine = engineID(f.Engine.Selected)
	s.AutoTranscribe = f.Auto.Checked
	rate, _ := strconv.Atoi(f.Rate.Selected)
	s.SampleRate = rate
	s.Store = audio.StoreFormats[max(0, slices.Index(storeChoices, f.Store.Selected))]
	s.ChatBaseURL, s.ChatModel = f.ChatBaseURL.Text, f.ChatModel.Text
	if f.DictationTypes != nil {
		s.DictationTypes = f.DictationTypes.Checked
		s.DictationTransform = ""
		if f.DictationTransform.Selected != noTransform {
			s.DictationTransform = f.DictationTransform.Selected
		}
		s.DictationKey, s.DictationHold = strings.TrimSpace(f.DictationKey.Text), f.DictationHold.Checked
		s.DictationPaste = strings.TrimPrefix(f.DictationPaste.Selected, pasteWith)
		if f.DictationPaste.Selected == typeKeys {
			s.DictationPaste = ""
		}
		s.DictationSounds = f.DictationSounds.Checked
	}
	keys := map[string]string{} // base URL: key typed, to keep in the keychain
	if f.APIKey.Text != "" {
		keys[s.BaseURL] = f.APIKey.Text
	}
	if f.ChatKey != nil && f.ChatKey.Text != "" {
		if s.ChatBaseURL == "" {
			done(errors.New("an API key for the chat server was typed, but no chat server: give its base URL, or clear the key"))
			return
		}
		keys[s.ChatBaseURL] = f.ChatKey.Text
	}
	old := w.settings()
	report := done
	done = func(err error) {
		if err != nil {
			w.setStatus("Settings not saved")
		}
		report(err)
	}
	fail := func(err error) { w.do(func() { done(err) }) }
	w.setStatus("Saving settings…")
	go func() {
		var inputs []string
		if w.svc.ListInputs != nil {
			inputs, _ = w.svc.ListInputs()
		}
		if err := s.Validate(inputs); err != nil {
			fail(err)
			return
		}
		// The keys are stored first (the keychain may refuse them); if
		// the vault then cannot be opened, the keychain gets back the
		// keys it had.
		var undos []func() error
		undoKey := func() error {
			var errs []error
			for i := len(undos) - 1; i >= 0; i-- {
				errs = append(errs, undos[i]())
			}
			return errors.Join(errs...)
		}
		for base, key := range keys {
			prev, perr := transcribe.KeychainAPIKey(base)
			if err := transcribe.SaveAPIKey(base, key); err != nil {
				if uerr := undoKey(); uerr != nil {
					err = fmt.Errorf("%w; and a key stored just before could not be taken back: %v", err, uerr)
				}
				fail(err)
				return
			}
			undos = append(undos, func() error {
				if perr != nil { // never delete a key that could not be read
					return fmt.Errorf("the keychain keeps the key just typed for %s (the one before could not be read: %v)", base, perr)
				}
				return transcribe.SaveAPIKey(base, prev)
			})
		}
		w.do(func() {
			store := func() {
				if err := settings.Save(w.app.Preferences(), s, inputs); err != nil {
					done(err)
					return
				}
				// Turning transcription on also takes care of what
				// waited for it.
				if s.Transcribes() && !old.Transcribes() && w.queue != nil {
					w.queuePending()
				}
				w.standby.Refresh() // the live decoder kept is for the engine now chosen
				w.grabDictationKey(func() {
					if k := w.dictKey; k.err != nil {
						w.tell("Settings saved, but the dictation shortcut could not be taken: " + k.err.Error())
						done(nil)
						return
					}
					w.setStatus("Settings saved")
					done(nil)
				})
			}
			if s.Vault == old.Vault || s.Vault == "" || s.Vault == w.svc.Vault.Root() {
				store()
				return
			}
			w.switchVault(s.Vault, func(err error) {
				if err == nil {
					store()
					return
				}
				go func() {
					if uerr := undoKey(); uerr != nil {
						err = fmt.Errorf("%w; and the API key just typed could not be taken back from the keychain: %v", err, uerr)
					}
					fail(err)
				}()
			})
		})
	}()
}

// settings are the current choices.
func (w *Window) settings() settings.Settings { return settings.Load(w.app.Preferences()) }

// testInput records a few seconds from the chosen device into nothing and
// shows the level, so the user can see the microphone works.
func (w *Window) testInput(f *SettingsForm) {
	if w.svc.OpenInputNamed == nil {
		return
	}
	name := f.Device.Selected
	if name == systemDefault {
		name = ""
	}
	go func() { // opening a device is not for the UI thread
		src, err := w.svc.OpenInputNamed(name)
		if err != nil {
			w.showError(err)
			return
		}
		defer src.Close()
		rate, ch := src.Format()
		buf := make([]int16, rate/20*ch)
		for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
			if err := src.Read(buf); err != nil && !errors.Is(err, audio.ErrOverflow) {
				w.showError(fmt.Errorf("the microphone stopped: %w", err))
				return
			}
			var peak float32
			for _, s := range buf {
				peak = max(peak, float32(s)/32768, -float32(s)/32768)
			}
			w.do(func() { f.TestLevel.SetLevel(peak) })
		}
		w.do(func() { f.TestLevel.Reset() })
	}()
}
