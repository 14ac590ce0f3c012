package transcribe

import "fmt"

func errEnglishOnly(lang string) error {
	return fmt.Errorf("PocketSphinx here knows only US English, not %q; choose English, or an OpenAI-compatible engine for other languages", lang)
}
