//go:build pocketsphinx

package transcribe

import (
	"context"
	"fmt"

	"github.com/voicenotes/voicenotes/audio"
)

func errEnglishOnly(lang string) error {
	return fmt.Errorf("PocketSphinx here knows only US English, not %q; choose English, or an OpenAI-compatible engine for other languages", lang)
}

// psChunk is how many samples are fed at a time: pocketsphinx_continuous's
// buffer size, so pauses split utterances at the same points.
const psChunk = 2048

// decodeFile reads any WAV as 16 kHz mono PCM16 in chunks of psChunk,
// calling feed with each and progress with the fraction done.
func decodeFile(ctx context.Context, path string, feed func([]int16) error, progress func(float64)) error {
	return audio.ReadMonoFile(ctx, path, audio.StoreRate, psChunk, feed, progress)
}
