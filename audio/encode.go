package audio

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// StoreFormats are the ways a recording may be kept, for settings and
// flags: "wav" (as recorded), "flac" (lossless, about half the size),
// "opus" (small; lossy, fine for speech).
var StoreFormats = []string{"wav", "flac", "opus"}

// storeArgs are ffmpeg's output options and the extension of each
// compact format.
var storeArgs = map[string]struct {
	ext  string
	args []string
}{
	"flac": {".flac", []string{"-c:a", "flac", "-compression_level", "8", "-f", "flac"}},
	"opus": {".opus", []string{"-c:a", "libopus", "-b:a", "32k", "-application", "voip", "-f", "ogg"}},
}

// StoreExt is the file extension of a compact format ("flac", "opus"),
// with its dot; false for "wav" and unknown formats.
func StoreExt(format string) (string, bool) {
	s, ok := storeArgs[format]
	return s.ext, ok
}

// StoreExts are the extensions of every compact format.
func StoreExts() []string {
	var exts []string
	for _, s := range storeArgs {
		exts = append(exts, s.ext)
	}
	return exts
}

// Encode converts the audio file src into dst (a file ffmpeg may seek
// in) in a compact format, and checks that dst lasts as long as want
// (when want is not 0, and the file says how long it lasts): a
// conversion cut short is an error.
func Encode(ctx context.Context, src, dst, format string, want time.Duration) error {
	spec, ok := storeArgs[format]
	if !ok {
		return fmt.Errorf("unknown storage format %q: choose one of %s", format, strings.Join(StoreFormats, ", "))
	}
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		return fmt.Errorf("%w; install it (Debian/Ubuntu: sudo apt install ffmpeg; macOS: brew install ffmpeg)", ErrNoFFmpeg)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, ffmpeg, append(append([]string{"-nostdin", "-hide_banner", "-v", "error", "-y", "-i", src, "-map", "0:a:0"}, spec.args...), dst)...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ffmpeg: %s", firstNonEmpty(firstLine(stderr.String()), err.Error()))
	}
	if got := declaredLength(ctx, dst); want > 0 && (got-want > 100*time.Millisecond || want-got > 100*time.Millisecond) {
		return fmt.Errorf("the converted file lasts %s, the recording %s", Seconds(got), Seconds(want))
	}
	return nil
}
