package transcribe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/internal/remote"
)

// OpenAIName is the engine for any OpenAI-compatible transcription API:
// OpenAI, Groq, whisper.cpp's server, Speaches, LocalAI.
const OpenAIName = "openai"

// MaxUpload is the API's upload limit; longer audio is sent in chunks.
const MaxUpload = 25 << 20

func init() {
	Register(OpenAIName, Factory{
		Order: 1,
		Info: func() Info {
			return Info{Name: OpenAIName, Description: "any OpenAI-compatible endpoint (OpenAI, Groq, whisper.cpp server, Speaches, LocalAI); needs its base URL, model and, for hosted services, an API key"}
		},
		New: func(c Config) (Engine, error) { return NewOpenAI(c) },
	})
}

// OpenAI is a client of POST {base}/audio/transcriptions.
type OpenAI struct {
	base   *url.URL
	model  string
	key    string
	client *http.Client

	// Tunables, exported for tests and settings.
	ChunkBytes     int           // upload size limit (default MaxUpload)
	RequestTimeout time.Duration // per request, on top of 2x the chunk's audio length
	MaxAttempts    int           // for 429 and 5xx
	MaxBackoff     time.Duration
	sleep          func(context.Context, time.Duration) error
}

// NewOpenAI checks the configuration: plain http is refused except to this
// machine, because voice is private.
func NewOpenAI(c Config) (*OpenAI, error) {
	u, err := parseBaseURL(c.BaseURL)
	if err != nil {
		return nil, err
	}
	if c.Model == "" {
		return nil, errors.New("the OpenAI-compatible engine needs a model name, such as whisper-1, gpt-4o-transcribe or whisper-large-v3")
	}
	return &OpenAI{
		base: u, model: c.Model, key: c.APIKey,
		client:         remote.Client("audio"),
		ChunkBytes:     MaxUpload,
		RequestTimeout: 60 * time.Second,
		MaxAttempts:    5,
		MaxBackoff:     30 * time.Second,
		sleep:          remote.Sleep,
	}, nil
}

func (*OpenAI) Name() string { return OpenAIName }

// Describe names the model and the server's host (never the key).
func (o *OpenAI) Describe() (model, server string) { return o.model, o.base.Host }

// Transcribe uploads the audio, in chunks split at quiet moments when it
// is larger than the upload limit, and joins the text.
func (o *OpenAI) Transcribe(ctx context.Context, path string, opt Options, progress func(float64)) (*Result, error) {
	chunks, cleanup, err := o.chunks(ctx, path, opt.Audio)
	defer cleanup()
	if err != nil {
		return nil, err
	}
	// One deadline for the whole job, retries and slow answers included:
	// twice what every piece's own request may take, so a server that is
	// slow in every way it can be still ends the job in bounded time.
	var total time.Duration
	for _, c := range chunks {
		total += o.RequestTimeout + time.Duration(2*c.seconds*float64(time.Second))
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, 2*total+o.MaxBackoff)
	defer cancel()
	res := &Result{}
	var texts []string
	offset := 0.0
	for i, c := range chunks {
		r, err := o.transcribeChunk(ctx, c, opt)
		if err != nil && parent.Err() == nil && ctx.Err() != nil {
			err = fmt.Errorf("the transcription took longer than %v in all, retries included; the server is too slow now: try again later (%w)", (2*total + o.MaxBackoff).Round(time.Second), err)
		}
		if err != nil {
			if len(chunks) > 1 {
				err = fmt.Errorf("part %d of %d: %w", i+1, len(chunks), err)
			}
			// Whatever the error quotes (a server's words, a URL), the key
			// is not in it.
			return nil, &remote.RedactedError{Msg: o.redact(err.Error()), Err: err}
		}
		if t := strings.TrimSpace(r.Text); t != "" {
			texts = append(texts, t)
		}
		res.Segments = appendTimed(res.Segments, r.Segments, offset, c.seconds)
		res.Words = appendTimed(res.Words, r.Words, offset, c.seconds)
		if res.Language == "" {
			res.Language = r.Language
		}
		offset += c.seconds
		if progress != nil {
			progress(float64(i+1) / float64(len(chunks)))
		}
	}
	res.Text = strings.Join(texts, " ")
	return res, nil
}

// appendTimed appends a chunk's timed spans to a whole file's: a
// server's times are from the start of the chunk it was sent, so each
// is moved by the chunk's offset, after being held inside the chunk
// (a server that times a word past the audio it was given, or not as a
// number at all, must not push it into the next chunk's time or past
// the end). A span the server says ends before it starts ends there.
func appendTimed(to, spans []Segment, offset, length float64) []Segment {
	for _, s := range spans {
		if math.IsNaN(s.Start) || math.IsNaN(s.End) {
			continue
		}
		start, end := max(s.Start, 0), max(s.End, s.Start, 0)
		if length > 0 {
			start, end = min(start, length), min(end, length)
		}
		to = append(to, Segment{Start: start + offset, End: end + offset, Text: s.Text})
	}
	return to
}

// verboseJSON is the response with response_format=verbose_json (json has
// only text).
type verboseJSON struct {
	Text     string  `json:"text"`
	Language string  `json:"language"`
	Duration float64 `json:"duration"`
	Segments []struct {
		Start float64 `json:"start"`
		End   float64 `json:"end"`
		Text  string  `json:"text"`
	} `json:"segments"`
	Words []struct {
		Start float64 `json:"start"`
		End   float64 `json:"end"`
		Word  string  `json:"word"`
	} `json:"words"`
}

func (o *OpenAI) transcribeChunk(ctx context.Context, c chunk, opt Options) (*Result, error) {
	format := "verbose_json"
	if strings.HasPrefix(o.model, "gpt-4o") { // these accept only json or text
		format = "json"
	}
	body, length, ctype, err := o.form(c, opt, format)
	if err != nil {
		return nil, err
	}
	timeout := o.RequestTimeout + time.Duration(2*c.seconds*float64(time.Second))
	for attempt := 1; ; attempt++ {
		res, retryAfter, err := o.post(ctx, body, length, ctype, timeout)
		if err == nil {
			return res, nil
		}
		// retryAfter < 0: a retry cannot help (a refused request, a reply
		// that is not the API's, a server too slow to answer, a redirect
		// elsewhere); only busy servers and lost connections are retried.
		if retryAfter < 0 || ctx.Err() != nil || attempt >= o.MaxAttempts {
			return nil, err
		}
		wait := retryAfter
		if wait == 0 {
			wait = min(o.MaxBackoff, time.Second<<(attempt-1))
		}
		if err := o.sleep(ctx, min(wait, o.MaxBackoff)); err != nil {
			return nil, err
		}
	}
}
