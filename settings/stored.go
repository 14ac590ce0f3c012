package settings

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
)

// Stored reads the settings the window saved from Fyne's preferences file
// for the app appID, without starting Fyne: the command line must not (it
// would print and create folders). Missing or unreadable: the defaults.
func Stored(appID string) Settings {
	data, err := os.ReadFile(filepath.Join(preferencesDir(appID), "preferences.json"))
	if err != nil {
		return Defaults()
	}
	var p filePrefs
	if json.Unmarshal(data, &p) != nil {
		return Defaults()
	}
	return Load(p)
}

// preferencesDir is where Fyne keeps an app's preferences on this system
// (fyne.io/fyne/v2/internal/app's rootConfigDir, and the app's id).
func preferencesDir(appID string) string {
	home, _ := os.UserHomeDir()
	switch runtime.GOOS {
	case "windows":
		return filepath.Join(home, "AppData", "Roaming", "fyne", appID)
	case "darwin":
		return filepath.Join(home, "Library", "Preferences", "fyne", appID)
	}
	config, err := os.UserConfigDir()
	if err != nil {
		config = filepath.Join(home, ".config")
	}
	return filepath.Join(config, "fyne", appID)
}

// filePrefs are preferences as Fyne's file holds them, read only.
type filePrefs map[string]any

func (p filePrefs) String(key string) string {
	s, _ := p[key].(string)
	return s
}

func (p filePrefs) BoolWithFallback(key string, fallback bool) bool {
	if b, ok := p[key].(bool); ok {
		return b
	}
	return fallback
}

func (p filePrefs) IntWithFallback(key string, fallback int) int {
	if f, ok := p[key].(float64); ok { // JSON numbers
		return int(f)
	}
	return fallback
}

func (filePrefs) SetString(string, string) {}
func (filePrefs) SetBool(string, bool)     {}
func (filePrefs) SetInt(string, int)       {}
