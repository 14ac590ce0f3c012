package transcribe

import (
	"testing"

	"github.com/zalando/go-keyring"
)

// The system keychain (a Secret Service over D-Bus on Linux) does not run
// on a headless CI machine; go-keyring's in-memory provider stands in for
// it here, and this tests what is ours: one entry per service host, the
// environment taking precedence, deletion on an empty key.
func TestAPIKeyStorage(t *testing.T) {
	keyring.MockInit()
	t.Setenv(APIKeyEnv, "")
	if err := SaveAPIKey("https://api.openai.com/v1", "sk-openai"); err != nil {
		t.Fatal(err)
	}
	if err := SaveAPIKey("https://api.groq.com/openai/v1", "gsk-groq"); err != nil {
		t.Fatal(err)
	}
	if k, err := LoadAPIKey("https://api.openai.com/v1/"); err != nil || k != "sk-openai" {
		t.Errorf("openai key = %q, %v", k, err)
	}
	if k, _ := LoadAPIKey("https://api.groq.com/openai/v1"); k != "gsk-groq" {
		t.Errorf("groq key = %q", k)
	}
	if k, err := LoadAPIKey("http://127.0.0.1:8080/v1"); err != nil || k != "" {
		t.Errorf("a local server with no key: %q, %v", k, err)
	}
	t.Setenv(APIKeyEnv, "from-env")
	if k, _ := LoadAPIKey("https://api.openai.com/v1"); k != "from-env" {
		t.Errorf("the environment did not take precedence: %q", k)
	}
	t.Setenv(APIKeyEnv, "")
	if err := SaveAPIKey("https://api.openai.com/v1", ""); err != nil {
		t.Fatal(err)
	}
	if k, _ := LoadAPIKey("https://api.openai.com/v1"); k != "" {
		t.Errorf("deleted key still there: %q", k)
	}
}
