package transcribe

import (
	"errors"
	"fmt"
	"net/url"
	"os"

	"github.com/zalando/go-keyring"
)

// KeyringService names this app's entries in the system keychain.
const KeyringService = "Voice Notes"

// APIKeyEnv may hold the API key for the command line.
const APIKeyEnv = "VOICENOTES_API_KEY"

// keyUser is the keychain account for an endpoint: its host, so that keys
// for different services never mix.
func keyUser(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		return "api-key@" + u.Host
	}
	return "api-key@" + baseURL
}

// SaveAPIKey stores the key for an endpoint in the system keychain (never
// in the vault or a preferences file). An empty key deletes it.
func SaveAPIKey(baseURL, key string) error {
	var err error
	if key == "" {
		err = keyring.Delete(KeyringService, keyUser(baseURL))
		if errors.Is(err, keyring.ErrNotFound) {
			err = nil
		}
	} else {
		err = keyring.Set(KeyringService, keyUser(baseURL), key)
	}
	if err != nil {
		return fmt.Errorf("the system keychain is not available (%v); on Linux it needs a Secret Service such as GNOME Keyring or KWallet; the command line can take the key from $%s", err, APIKeyEnv)
	}
	return nil
}

// LoadAPIKey finds the key for an endpoint: $VOICENOTES_API_KEY, else the
// keychain. A missing key is "" (local servers need none).
func LoadAPIKey(baseURL string) (string, error) {
	if k := os.Getenv(APIKeyEnv); k != "" {
		return k, nil
	}
	return KeychainAPIKey(baseURL)
}

// KeychainAPIKey is the key the system keychain holds for an endpoint ("",
// none).
func KeychainAPIKey(baseURL string) (string, error) {
	k, err := keyring.Get(KeyringService, keyUser(baseURL))
	if errors.Is(err, keyring.ErrNotFound) {
		return "", nil
	}
	return k, err
}

// Choice is an engine and its options as Settings or command-line flags
// give them.
type Choice struct {
	Engine, BaseURL, Model, Language string
}

// Open makes the chosen engine, with the API key from $VOICENOTES_API_KEY
// or the system keychain when the engine needs one. An empty Engine is the
// default offline engine.
func (c Choice) Open() (Engine, Options, error) {
	opts := Options{Language: c.Language}
	name := c.Engine
	if name == "" {
		if name = DefaultEngine(); name == "" {
			return nil, opts, errors.New("no transcription engine can run here; 'voicenotes engines' says why and how to get one")
		}
	}
	cfg := Config{BaseURL: c.BaseURL, Model: c.Model}
	if name == OpenAIName {
		key, err := LoadAPIKey(cfg.BaseURL)
		if err != nil {
			return nil, opts, fmt.Errorf("reading the API key from the system keychain: %w (or set $%s)", err, APIKeyEnv)
		}
		cfg.APIKey = key
	}
	e, err := New(name, cfg)
	return e, opts, err
}
