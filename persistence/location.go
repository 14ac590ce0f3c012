package persistence

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// VaultEnv names the environment variable that chooses the vault.
const VaultEnv = "VOICENOTES_VAULT"

// DefaultVaultName is the vault folder created in the user's documents.
const DefaultVaultName = "Voice Notes"

// ResolveRoot picks the vault folder: the flag if set, else $VOICENOTES_VAULT,
// else "Voice Notes" in the user's documents folder.
func ResolveRoot(flag string) (string, error) {
	if flag != "" {
		return filepath.Abs(flag)
	}
	if env := os.Getenv(VaultEnv); env != "" {
		return filepath.Abs(env)
	}
	docs, err := DocumentsDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(docs, DefaultVaultName), nil
}

// DocumentsDir is the user's documents folder: XDG's on Linux and the BSDs,
// the Documents known folder on Windows (which may be moved, to OneDrive or
// another drive), ~/Documents elsewhere.
func DocumentsDir() (string, error) {
	if d, ok := knownDocuments(); ok {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("cannot find your home folder to place the vault; pass --vault DIR or set " + VaultEnv)
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if d := os.Getenv("XDG_DOCUMENTS_DIR"); d != "" {
			return d, nil
		}
		if d := xdgUserDir(home, "XDG_DOCUMENTS_DIR"); d != "" {
			return d, nil
		}
	}
	return filepath.Join(home, "Documents"), nil
}

// xdgUserDir reads one entry of ~/.config/user-dirs.dirs.
func xdgUserDir(home, key string) string {
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" {
		cfg = filepath.Join(home, ".config")
	}
	f, err := os.Open(filepath.Join(cfg, "user-dirs.dirs"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || k != key {
			continue
		}
		v = strings.Trim(v, `"`)
		v = strings.Replace(v, "$HOME", home, 1)
		if filepath.IsAbs(v) && filepath.Clean(v) != filepath.Clean(home) {
			return v
		}
	}
	return ""
}

// WhisperingDir is where Whispering (EpicenterHQ) keeps its recordings
// folder's parent on this system: a vault there shares its notes, which
// live in its recordings/ as ours do. "" when this system has no such
// place (the folder is returned whether or not it exists).
func WhisperingDir() string {
	const id = "com.bradenwong.whispering"
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("APPDATA"); d != "" {
			return filepath.Join(d, id)
		}
	case "darwin":
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, "Library", "Application Support", id)
		}
	default:
		if d := os.Getenv("XDG_DATA_HOME"); d != "" {
			return filepath.Join(d, id)
		}
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "share", id)
		}
	}
	return ""
}

// FindWhispering is Whispering's folder when it exists with a recordings
// folder in it, else "".
func FindWhispering() string {
	d := WhisperingDir()
	if d == "" {
		return ""
	}
	if st, err := os.Stat(filepath.Join(d, RecordingsDir)); err == nil && st.IsDir() {
		return d
	}
	return ""
}
