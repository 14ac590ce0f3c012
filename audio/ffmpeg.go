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
	"strconv"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/internal/privtemp"
	"github.com/voicenotes/voicenotes/internal/regular"
)

// ErrNoFFmpeg means a file is not WAV and ffmpeg, which decodes the rest,
// is not installed.
var ErrNoFFmpeg = errors.New("ffmpeg is not installed")

// Sniff names the container a file holds, from its first bytes, whatever
// its name says (Whispering saves WebM from Chromium under a .wav name):
// "wav", "ogg", "webm", "mp3", "mp4" (m4a, mp4), "flac", or "" when it
// does not know.
func Sniff(path string) (string, error) {
	f, err := regular.Open(path)
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
func OpenAudio(ctx context.Context, path string) (r Reader, done func(), err error) {
	return openAudio(ctx, path, path, false)
}

// OpenAudioFile is OpenAudio for a file opened already, named path in
// what it says: every read of it, ffmpeg's included, is of the file f
// holds, whatever path is made to name meanwhile (a folder on it replaced
// by a link out of the vault after f was checked). Where the system
// cannot name an open file for another program (no /proc), the file is
// opened by path again, and refused unless it is still f's.
func OpenAudioFile(ctx context.Context, f *os.File, path string) (r Reader, done func(), err error) {
	src := fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), f.Fd())
	want, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st, err := os.Stat(src); err != nil || !os.SameFile(st, want) {
		if st, err := os.Stat(path); err != nil || !os.SameFile(st, want) {
			return nil, nil, fmt.Errorf("%s is no longer the file opened a moment ago (it was replaced or moved)", path)
		}
		src = path
	}
	return openAudio(ctx, src, path, false)
}

// ErrDamaged means a file is cut short or corrupt: import refuses it
// rather than keep part of it, or noise, without a word. Errors that say
// so are DamagedErrors.
var ErrDamaged = errors.New("damaged audio")

// DamagedError says what is wrong with a damaged file.
type DamagedError struct{ Path, Why string }

func (e *DamagedError) Error() string        { return e.Path + " " + e.Why }
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// cutShort is the reason given for a file shorter than it says.
func cutShort(what string) string {
	return "is cut short: " + what + " (was it still being written, or copied in part?)"
}

// OpenIntactAudio is OpenAudio for files about to be imported: a file
// that is cut short (a WAV holding less than its header promises, an Ogg
// stream without its last page, an MP4 without its index, any file that
// decodes shorter than it says it lasts) or corrupt (a checksum or the
// bitstream wrong, as ffmpeg finds in decoding) is refused with a
// DamagedError. Only PCM in a WAV has nothing to check its samples by.
func OpenIntactAudio(ctx context.Context, path string) (r Reader, done func(), err error) {
	return openAudio(ctx, path, path, true)
}

func openAudio(ctx context.Context, src, path string, strict bool) (r Reader, done func(), err error) {
	w, f, err := OpenWAV(src)
	if err == nil && strict {
		if promised := w.Promised(); promised > 0 && promised-w.Duration() > 50*time.Millisecond {
			f.Close()
			return nil, nil, &DamagedError{path, cutShort("its header promises " + Seconds(promised) + " of audio and the file holds " + Seconds(w.Duration()))}
		}
	}
	if err == nil {
		return w, func() { f.Close() }, nil
	}
	if !errors.Is(err, ErrNotWAV) {
		return nil, nil, err
	}
	kind, serr := Sniff(src)
	if serr != nil {
		return nil, nil, serr
	}
	if kind == "flac" { // decoded in Go, as it is read
		fr, ff, ferr := OpenFLAC(src)
		if ferr == nil && strict {
			ferr = readThrough(fr)
			fr.SeekFrame(0)
		}
		switch {
		case ferr == nil:
			return fr, func() { ff.Close() }, nil
		case strict && !errors.Is(ferr, errNoLength):
			if ff != nil {
				ff.Close()
			}
			if errors.Is(ferr, io.ErrUnexpectedEOF) {
				return nil, nil, &DamagedError{path, cutShort(ferr.Error())}
			}
			return nil, nil, &DamagedError{path, "is damaged: " + ferr.Error()}
		}
		if ff != nil {
			ff.Close()
		}
		// A FLAC without its length, or one Go cannot read: ffmpeg's turn.
	}
	if strict && kind == "ogg" {
		if why := oggEnded(src); why != "" {
			return nil, nil, &DamagedError{path, why}
		}
	}
	ffmpeg, lerr := exec.LookPath("ffmpeg")
	if lerr != nil {
		what := "this kind of file"
		if kind != "" {
			what = strings.ToUpper(kind) + " audio"
		}
		return nil, nil, fmt.Errorf("%s: %w, and it is needed to read %s; install it (Debian/Ubuntu: sudo apt install ffmpeg; macOS: brew install ffmpeg)", path, ErrNoFFmpeg, what)
	}
	// A private folder (0700), locked while it is used, which the next
	// start removes if this process is killed (see privtemp).
	tmp, err := privtemp.New()
	if err != nil {
		return nil, nil, err
	}
	decoded := tmp.Path("decoded.wav")
	remove := tmp.Remove
	var stderr bytes.Buffer
	args := []string{"-nostdin", "-hide_banner", "-v", "error", "-y"}
	if strict {
		args = append(args, "-err_detect", "crccheck+bitstream+buffer")
	}
	args = append(args, "-i", src, "-map", "0:a:0", "-ac", "1", "-ar", fmt.Sprint(StoreRate), "-c:a", "pcm_s16le", "-f", "wav", decoded)
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	cmd.Stderr = &stderr
	err = cmd.Run()
	ffOut := strings.ReplaceAll(stderr.String(), src, path) // ffmpeg names the file it was given
	if err == nil && strict && strings.TrimSpace(ffOut) != "" {
		remove()
		return nil, nil, &DamagedError{path, "is damaged: ffmpeg found \"" + firstLine(ffOut) + "\" in it"}
	}
	if err != nil {
		remove()
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if strict && kind != "" { // it starts as a kind of audio file, and is not whole
			found := firstLine(ffOut)
			if strings.Contains(found, "moov atom not found") {
				return nil, nil, &DamagedError{path, cutShort("its index (the MP4 'moov' box, written when a recording ends) is missing")}
			}
			return nil, nil, &DamagedError{path, "is damaged: ffmpeg found \"" + found + "\" in it"}
		}
		msg := strings.TrimSpace(ffOut)
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		return nil, nil, fmt.Errorf("%s is not audio ffmpeg can read (%s): %w", path, firstNonEmpty(msg, err.Error()), ErrNotWAV)
	}
	w, f, err = OpenWAV(decoded)
	r = w
	if err != nil {
		remove()
		return nil, nil, fmt.Errorf("%s: reading what ffmpeg decoded: %w", path, err)
	}
	if strict {
		if said := declaredLength(ctx, src); said > 0 && said-r.Duration() > max(100*time.Millisecond, said/50) {
			f.Close()
			remove()
			return nil, nil, &DamagedError{path, cutShort("it says it lasts " + Seconds(said) + " and " + Seconds(r.Duration()) + " of it could be decoded")}
		}
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

// readThrough decodes r to its end, so that every check on the way runs.
func readThrough(r Reader) error {
	var buf []float32
	for {
		var err error
		buf, err = r.Read(buf[:0], 4096)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// firstLine is the first non-empty line of what a tool printed, without
// the tool's "[decoder @ 0x…]" prefix.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if i := strings.Index(l, "] "); strings.HasPrefix(l, "[") && i > 0 {
				l = l[i+2:]
			}
			return l
		}
	}
	return ""
}

// Seconds is a length as messages say it: "12.3 s".
func Seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

// declaredLength is how long a file says it lasts (its container's
// duration, or an MP3's Xing frame count), as ffprobe reads it; 0 when
// it cannot say, or only guesses from the bit rate (a VBR MP3 without its
// frame count would otherwise be "cut short" or not by chance).
func declaredLength(ctx context.Context, path string) time.Duration {
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		return 0
	}
	var warnings bytes.Buffer
	cmd := exec.CommandContext(ctx, ffprobe, "-v", "warning", "-show_entries", "format=duration", "-of", "csv=p=0", path)
	cmd.Stderr = &warnings
	out, err := cmd.Output()
	if err != nil || strings.Contains(warnings.String(), "Estimating duration from bitrate") {
		return 0 // a guess (an MP3 without its frame count), not what the file says
	}
	sec, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil || sec <= 0 {
		return 0
	}
	return time.Duration(sec * float64(time.Second))
}

// oggEnded says why an Ogg file is cut short, or "": its last page must
// end its stream (the end-of-stream flag). An Ogg page starts "OggS",
// version 0, then the header type, whose bit 2 marks the end.
func oggEnded(path string) string {
	f, err := regular.Open(path)
	if err != nil {
		return "cannot be read: " + err.Error()
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "cannot be read: " + err.Error()
	}
	tail := min(st.Size(), 65536+27) // a page is at most 65,307 bytes
	buf := make([]byte, tail)
	if _, err := f.ReadAt(buf, st.Size()-tail); err != nil && !errors.Is(err, io.EOF) {
		return "cannot be read: " + err.Error()
	}
	for i := bytes.LastIndex(buf, []byte("OggS")); i >= 0; i = bytes.LastIndex(buf[:i], []byte("OggS")) {
		if i+6 <= len(buf) && buf[i+4] == 0 {
			if buf[i+5]&0x04 == 0 {
				return cutShort("its Ogg stream has no last page")
			}
			return ""
		}
	}
	return "is damaged: no Ogg page was found at its end"
}
