package cli

import (
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// lengthValue is a length given in seconds ("5", "1.5") or as a Go
// duration ("90s", "1m30s", "2h").
type lengthValue time.Duration

func (d *lengthValue) String() string { return time.Duration(*d).String() }

func (d *lengthValue) Get() any { return time.Duration(*d) }

func (d *lengthValue) Set(s string) error {
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) || secs > math.MaxInt64/float64(time.Second) {
			return fmt.Errorf("%q is not a length in seconds", s)
		}
		*d = lengthValue(time.Duration(secs * float64(time.Second)))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a length: give seconds (30) or a duration (90s, 1m30s, 2h)", s)
	}
	*d = lengthValue(v)
	return nil
}

// lengthFlag defines a flag taking a length (see lengthValue).
func lengthFlag(fs *flag.FlagSet, name string, usage string) {
	v := lengthValue(0)
	fs.Var(&v, name, usage)
}

// parseInterspersed parses flags that may come before, between or after
// positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" { // flag already consumed a lone "--": all the rest is positional
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func flagValue[T any](fs *flag.FlagSet, name string) T {
	return fs.Lookup(name).Value.(flag.Getter).Get().(T)
}

// tagsValue is a flag given once per tag.
type tagsValue []string

func (t *tagsValue) String() string { return strings.Join(*t, " ") }

func (t *tagsValue) Get() any { return []string(*t) }

func (t *tagsValue) Set(s string) error { *t = append(*t, s); return nil }

// engineFlags are the transcription settings a command takes.
func engineFlags(fs *flag.FlagSet) {
	fs.String("engine", "", "transcription engine (see voicenotes engines); default: the first available offline one")
	fs.String("base-url", "https://api.openai.com/v1", "for the openai engine: the API's base URL")
	fs.String("model", "whisper-1", "for the openai engine: the model")
	fs.String("language", "", "spoken language as an ISO 639-1 code (PocketSphinx knows only en)")
}

// storeFlag is --store: how a new recording is kept.
func storeFlag(fs *flag.FlagSet) {
	fs.String("store", "wav", "keep the audio as `wav` (as recorded), flac (lossless, about half the size) or opus (small; needs ffmpeg)")
}
