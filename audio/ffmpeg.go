package audio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/voicenotes/voicenotes/persistence"
)

// ErrNoFFmpeg means a file is not WAV and ffmpeg, which decodes the rest,
// is not installed.
var ErrNoFFmpeg = errors.New("ffmpeg is not installed")

// Sniff names the container a file holds, from its first bytes, whatever
// its name says (Whispering saves WebM from Chromium under a .wav name):
// "wav", "ogg", "webm", "mp3", "mp4" (m4a, mp4), "flac", or "" when it
// does not know.
func Sniff(path string) (string, error) {
	f, err := persistence.OpenRegularOS(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 12)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WAVE":
		return "wav", nil
	case bytes.HasPrefix(head, []byte("OggS")):
		return "ogg", nil
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return "webm", nil
	case bytes.HasPrefix(head, []byte("fLaC")):
		return "flac", nil
	case len(head) >= 8 && string(head[4:8]) == "ftyp":
		return "mp4", nil
	case bytes.HasPrefix(head, []byte("ID3")) || len(head) >= 2 && head[0] == 0xFF && head[1]&0xE0 == 0xE0:
		return "mp3", nil
	}
	return "", nil
}

// OpenAudio opens any audio file for reading as PCM. A WAV is read
// directly; anything else (Opus, Vorbis, MP3, AAC/M4A, FLAC, WebM, also
// under a wrong name) is decoded by ffmpeg into a private temporary 16 kHz
// mono WAV, which done removes. Call done when finished, in every case.
func OpenAudio(ctx context.Context, path string) (r *WAVReader, done func(), err error) {
	r, f, err := OpenWAV(path)
	if err == nil {
		return r, func() { f.Close() }, nil
	}
	if !errors.Is(err, ErrNotWAV) {
		return nil, nil, err
	}
	kind, serr := Sniff(path)
	if serr != nil {
		return nil, nil, serr
	}
	ffmpeg, lerr := exec.LookPath("ffmpeg")
	if lerr != nil {
		what := "this kind of file"
		if kind != "" {
			what = strings.ToUpper(kind) + " audio"
		}
		return nil, nil, fmt.Errorf("%s: %w, and it is needed to read %s; install it (Debian/Ubuntu: sudo apt install ffmpeg; macOS: brew install ffmpeg)", path, ErrNoFFmpeg, what)
	}
	tmp, err := os.CreateTemp("", "voicenotes-decoded-*.wav") // 0600
	if err != nil {
		return nil, nil, err
	}
	tmp.Close()
	remove := func() { os.Remove(tmp.Name()) }
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-y",
		"-i", path, "-map", "0:a:0", "-ac", "1", "-ar", fmt.Sprint(StoreRate), "-c:a", "pcm_s16le", "-f", "wav", tmp.Name())
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		remove()
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		return nil, nil, fmt.Errorf("%s is not audio ffmpeg can read (%s): %w", path, firstNonEmpty(msg, err.Error()), ErrNotWAV)
	}
	r, f, err = OpenWAV(tmp.Name())
	if err != nil {
		remove()
		return nil, nil, fmt.Errorf("%s: reading what ffmpeg decoded: %w", path, err)
	}
	return r, func() { f.Close(); remove() }, nil
}

// UploadName is the file name to send a file under, with the extension of
// what it really holds.
func UploadName(path string) string {
	kind, _ := Sniff(path)
	switch kind {
	case "":
		return "audio" + strings.ToLower(filepath.Ext(path))
	case "mp4":
		return "audio.m4a"
	}
	return "audio." + kind
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
