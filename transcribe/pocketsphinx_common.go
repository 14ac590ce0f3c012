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

// decodeFile reads any WAV as 16 kHz mono PCM16 in chunks, calling feed
// with each and progress with the fraction done.
func decodeFile(ctx context.Context, path string, feed func([]int16) error, progress func(float64)) error {
	r, f, err := audio.OpenWAV(path)
	if err != nil {
		return err
	}
	defer f.Close()
	format := r.Format()
	rs := audio.NewResampler(format.SampleRate, audio.StoreRate)
	var in, mono, out []float32
	pcm := make([]int16, 0, psChunk)
	var pending []int16
	total := r.Frames()
	flushPending := func(all bool) error {
		for len(pending) >= psChunk || (all && len(pending) > 0) {
			n := min(psChunk, len(pending))
			if err := feed(pending[:n]); err != nil {
				return err
			}
			pending = pending[n:]
		}
		return nil
	}
	inChunk := max(1, psChunk*format.SampleRate/audio.StoreRate)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		in, err = r.Read(in[:0], inChunk)
		if err != nil {
			break // io.EOF
		}
		mono = audio.Downmix(in, format.Channels, mono[:0])
		out = rs.Process(mono, out[:0])
		pcm = pcm[:0]
		for _, v := range out {
			pcm = append(pcm, audio.Clip(v))
		}
		pending = append(pending, pcm...)
		if err := flushPending(false); err != nil {
			return err
		}
		if progress != nil && total > 0 {
			progress(float64(r.Position()) / float64(total))
		}
	}
	for _, v := range rs.Flush(out[:0]) {
		pending = append(pending, audio.Clip(v))
	}
	if err := flushPending(true); err != nil {
		return err
	}
	if progress != nil {
		progress(1)
	}
	return nil
}
