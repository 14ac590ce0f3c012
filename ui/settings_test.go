package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicenotes/voicenotes/persistence"
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
