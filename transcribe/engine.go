// Package transcribe turns recordings into text: engines behind one
// interface (PocketSphinx in process, any OpenAI-compatible endpoint), a
// durable job queue that moves notes from UNPROCESSED to DONE or FAILED,
// and a word error rate measure.
package transcribe

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"sync"
)

// Segment is a stretch of recognised speech.
type Segment struct {
	Start, End float64 // seconds
	Text       string
}

// Result is a transcript.
type Result struct {
	Text     string
	Segments []Segment
	Words    []Segment // word timings, when the engine gives them
	Language string
}

// Options tune one transcription.
type Options struct {
	Language string // ISO 639-1 code, or "" for the engine's default
	// Prompt is text that guides an engine that takes one (the
	// vocabulary's words, for the OpenAI-compatible engine's prompt).
	Prompt string
	// Audio, if set, is the file the vault checked to be the note's audio
	// in the vault (AudioTargetInfo). An engine that sends the file away
	// sends it only if the file it opened is that one: a folder on its
	// path swapped for a link after the check makes it another.
	Audio fs.FileInfo
}

// Engine transcribes finished audio files. Progress receives the fraction
// of the audio done, 0 to 1; cancelling ctx stops the work.
type Engine interface {
	Name() string
	Transcribe(ctx context.Context, audioPath string, o Options, progress func(float64)) (*Result, error)
}

// Streamer is an engine that can also transcribe audio while it is being
// recorded.
type Streamer interface {
	Engine
	// Stream starts a live transcription of 16 kHz mono PCM16 audio.
	Stream(o Options) (Stream, error)
}

// Stream is a live transcription. Write and Finish are called from one
// goroutine (the recorder's writer); subscribers get text through the
// callbacks given to Stream's engine.
type Stream interface {
	// Write feeds samples; it returns the current partial text of the
	// utterance being spoken and whether it changed.
	Write(samples []int16) error
	// Text is the transcript so far: settled utterances plus the partial one.
	Text() string
	// Finish ends the audio and returns the final transcript.
	Finish() (*Result, error)
	Close() error
}

// Info describes an engine known to this build.
type Info struct {
	Name        string
	Description string
	Offline     bool     // runs on this machine, no network
	Languages   []string // nil: many; the engine decides
	// Unavailable says why the engine cannot run here and how to get it;
	// empty when it can.
	Unavailable string
}

// Config is what an engine needs from settings.
type Config struct {
	BaseURL string // OpenAI-compatible: the API root, such as https://api.openai.com/v1
	Model   string
	APIKey  string
}

// Factory makes an engine.
type Factory struct {
	Info  func() Info
	New   func(Config) (Engine, error)
	Order int // listing order
}

// PocketSphinxName is the in-process offline engine's name, in every
// build (without the pocketsphinx tag it is listed as unavailable).
const PocketSphinxName = "pocketsphinx"

// psModelName names the acoustic and language model PocketSphinx uses, in
// a transcript's provenance.
const psModelName = "en-us"

var (
	regMu    sync.Mutex
	registry = map[string]Factory{}
)

// Register makes an engine known; engines call it from init.
func Register(name string, f Factory) {
	regMu.Lock()
	defer regMu.Unlock()
	registry[name] = f
}

// Engines lists every engine this build knows, with availability.
func Engines() []Info {
	regMu.Lock()
	defer regMu.Unlock()
	var out []Info
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := registry[names[i]], registry[names[j]]
		return a.Order < b.Order || a.Order == b.Order && names[i] < names[j]
	})
	for _, n := range names {
		out = append(out, registry[n].Info())
	}
	return out
}

// ErrUnknownEngine is wrapped when an engine name is not registered.
var ErrUnknownEngine = errors.New("unknown transcription engine")

// ErrUnavailable is wrapped when an engine cannot run on this machine.
var ErrUnavailable = errors.New("transcription engine unavailable")

// New makes the named engine.
func New(name string, c Config) (Engine, error) {
	regMu.Lock()
	f, ok := registry[name]
	regMu.Unlock()
	if !ok {
		var names []string
		for _, i := range Engines() {
			names = append(names, i.Name)
		}
		return nil, fmt.Errorf("%w %q: known engines are %v", ErrUnknownEngine, name, names)
	}
	if why := f.Info().Unavailable; why != "" {
		return nil, fmt.Errorf("%w: %s: %s", ErrUnavailable, name, why)
	}
	return f.New(c)
}

// DefaultEngine is the first available offline engine, or "": nothing is
// sent over the network unless the user chose an engine that needs it.
func DefaultEngine() string {
	infos := Engines()
	if i := slices.IndexFunc(infos, func(i Info) bool { return i.Unavailable == "" && i.Offline }); i >= 0 {
		return infos[i].Name
	}
	return ""
}
