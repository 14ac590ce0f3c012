package ui

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/settings"
	"github.com/voicenotes/voicenotes/transcribe"
)

const systemDefault = "System default"

// SettingsForm is the settings dialog's widgets, exported for tests.
type SettingsForm struct {
	Vault, BaseURL, Model, APIKey, Language *widget.Entry
	Device, Engine, Rate                    *widget.Select
	Auto                                    *widget.Check
	TestLevel                               *Meter
	Dialog                                  dialog.Dialog
}

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
	engines := []string{"none"}
	for _, e := range transcribe.Engines() {
		engines = append(engines, e.Name)
	}
	f.Engine = widget.NewSelect(engines, nil)
	f.Engine.SetSelected("none")
	if cur.Engine != "" {
		f.Engine.SetSelected(cur.Engine)
	}
	f.BaseURL.SetText(cur.BaseURL)
	f.Model.SetText(cur.Model)
	f.APIKey.SetPlaceHolder("stored in the system keychain; leave empty to keep")
	f.Language.SetText(cur.Language)
	f.Language.SetPlaceHolder("en (PocketSphinx knows only English)")
	f.Auto.SetChecked(cur.AutoTranscribe)
	var rates []string
	for _, r := range settings.SampleRates {
		rates = append(rates, strconv.Itoa(r))
	}
	f.Rate = widget.NewSelect(rates, nil)
	f.Rate.SetSelected(strconv.Itoa(cur.SampleRate))
	browse := widget.NewButton("Choose…", func() {
		dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				f.Vault.SetText(u.Path())
			}
		}, w.Win)
	})
	test := widget.NewButton("Test", func() { w.testInput(f) })
	form := widget.NewForm(
		widget.NewFormItem("Vault folder", container.NewBorder(nil, nil, nil, browse, f.Vault)),
		widget.NewFormItem("Microphone", container.NewBorder(nil, nil, nil, test, f.Device)),
		widget.NewFormItem("Level", f.TestLevel),
		widget.NewFormItem("Transcription", f.Engine),
		widget.NewFormItem("Base URL", f.BaseURL),
		widget.NewFormItem("Model", f.Model),
		widget.NewFormItem("API key", f.APIKey),
		widget.NewFormItem("Language", f.Language),
		widget.NewFormItem("", f.Auto),
		widget.NewFormItem("Sample rate (Hz)", f.Rate),
	)
	f.Dialog = dialog.NewCustomConfirm("Settings", "Save", "Cancel", form, func(ok bool) {
		if ok {
			if err := w.SaveSettings(f); err != nil {
				w.showError(err)
				f.Dialog.Show() // keep what was typed, to correct it
			}
		}
	}, w.Win)
	f.Dialog.Resize(fyne.NewSize(620, 560))
	f.Dialog.Show()
	return f
}

// SaveSettings validates and stores the form; on error nothing changes.
func (w *Window) SaveSettings(f *SettingsForm) error {
	s := w.settings()
	s.Vault, s.BaseURL, s.Model, s.Language = f.Vault.Text, f.BaseURL.Text, f.Model.Text, f.Language.Text
	s.InputDevice = f.Device.Selected
	if s.InputDevice == systemDefault {
		s.InputDevice = ""
	}
	s.Engine = f.Engine.Selected
	if s.Engine == "none" {
		s.Engine = ""
	}
	s.AutoTranscribe = f.Auto.Checked
	rate, _ := strconv.Atoi(f.Rate.Selected)
	s.SampleRate = rate
	var inputs []string
	if w.svc.ListInputs != nil {
		inputs, _ = w.svc.ListInputs()
	}
	if err := s.Validate(inputs); err != nil {
		return err
	}
	if f.APIKey.Text != "" {
		if err := transcribe.SaveAPIKey(s.BaseURL, f.APIKey.Text); err != nil {
			return err
		}
	}
	old := w.settings()
	if s.Vault != old.Vault && s.Vault != "" && s.Vault != w.svc.Vault.Root() {
		if err := w.switchVault(s.Vault); err != nil {
			return err
		}
	}
	if err := settings.Save(w.App.Preferences(), s, inputs); err != nil {
		return err
	}
	// Turning transcription on also takes care of what waited for it.
	if s.Engine != "" && s.AutoTranscribe && (old.Engine == "" || !old.AutoTranscribe) && w.queue != nil {
		w.queuePending()
	}
	w.standby.Refresh() // the live decoder for the engine now chosen
	w.setStatus("Settings saved")
	return nil
}

// settings are the current choices.
func (w *Window) settings() settings.Settings { return settings.Load(w.App.Preferences()) }

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
