package transcribe

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
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
		client:         &http.Client{CheckRedirect: checkRedirect},
		ChunkBytes:     MaxUpload,
		RequestTimeout: 60 * time.Second,
		MaxAttempts:    5,
		MaxBackoff:     30 * time.Second,
		sleep:          sleepCtx,
	}, nil
}

// CheckBaseURL says what is wrong with a base URL for the OpenAI-compatible
// engine, if anything: it must be http(s), and plain http only to this
// computer, because voice is private. Settings checks it as it is typed.
func CheckBaseURL(s string) error {
	_, err := parseBaseURL(s)
	return err
}

func parseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("the OpenAI-compatible engine needs a base URL, such as https://api.openai.com/v1 or http://127.0.0.1:8080/v1")
	}
	u, err := url.Parse(strings.TrimRight(s, "/"))
	shown := redactURL(s) // what the person typed, less any secret in it
	if err == nil && u.User != nil {
		return nil, fmt.Errorf("base URL %q holds a user name or password; give the key in the API key field (it is kept in the system keychain), not in the address", shown)
	}
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("base URL %q is not an http(s) URL such as https://api.openai.com/v1", shown)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("base URL %q sends your voice unencrypted; use https, or http only to this computer (localhost)", shown)
	}
	return u, nil
}

// Ping asks the server for its models (GET {base}/models, which OpenAI,
// Groq, Speaches and LocalAI answer) with the key, and says what it
// answered, in words for the Settings' "Test connection": whether it was
// reached, whether the key was accepted, whether the model is offered. A
// server without a model list (whisper.cpp's) is reported as reached.
// Nothing the server says is shown before the key is taken out of it.
func (o *OpenAI) Ping(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.base.String()+"/models", nil)
	if err != nil {
		return "", err
	}
	if o.key != "" {
		req.Header.Set("Authorization", "Bearer "+o.key)
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return "", &redactedError{msg: o.redact(fmt.Sprintf("could not reach %s: %v", o.base.Host, err)), err: err}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	switch {
	case resp.StatusCode == http.StatusOK:
		var list struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if json.Unmarshal(data, &list) != nil {
			return fmt.Sprintf("%s answered, but not with a model list; it may still transcribe", o.base.Host), nil
		}
		for _, m := range list.Data {
			if m.ID == o.model {
				return fmt.Sprintf("Connected to %s: the key works and model %q is offered (%d models)", o.base.Host, o.model, len(list.Data)), nil
			}
		}
		return "", fmt.Errorf("connected to %s and the key works, but it does not offer model %q (it offers %d others); check the model name", o.base.Host, o.model, len(list.Data))
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed:
		return fmt.Sprintf("%s answered (HTTP %d: it has no model list, as whisper.cpp's server has none); transcription was not tried", o.base.Host, resp.StatusCode), nil
	}
	apiErr := &APIError{Status: resp.StatusCode, Message: clipText(o.redact(errorMessage(data)), maxMessage)}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		apiErr.Advice = "the API key was refused: check it"
	case http.StatusForbidden:
		apiErr.Advice = "this key may not use this service"
	}
	return "", apiErr
}

// errRedirect marks a redirect the client refused to follow.
var errRedirect = errors.New("redirect refused")

// checkRedirect follows a redirect only to the same host and port, never
// from https to http, and to plain http only on this computer: audio (and
// the API key) go only where the user pointed them.
func checkRedirect(req *http.Request, via []*http.Request) error {
	from := via[0].URL
	switch {
	case len(via) >= 5:
		return fmt.Errorf("%w: more than 5 redirects", errRedirect)
	case req.URL.Host != from.Host:
		return fmt.Errorf("%w: the server at %s sent the request on to %s; audio is only sent to the server in Settings", errRedirect, from.Host, req.URL.Host)
	case from.Scheme == "https" && req.URL.Scheme != "https":
		return fmt.Errorf("%w: the server at %s redirected from https to plain http", errRedirect, from.Host)
	case req.URL.Scheme == "http" && !isLoopback(req.URL.Hostname()):
		return fmt.Errorf("%w: plain http to %s would send your voice unencrypted", errRedirect, req.URL.Host)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (*OpenAI) Name() string { return OpenAIName }

// APIError is an answer the server gave that no retry will change.
type APIError struct {
	Status  int
	Message string // the server's own words
	Advice  string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("transcription server answered %d", e.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Advice != "" {
		msg += " (" + e.Advice + ")"
	}
	return msg
}

// Transcribe uploads the audio, in chunks split at quiet moments when it
// is larger than the upload limit, and joins the text.
func (o *OpenAI) Transcribe(ctx context.Context, path string, opt Options, progress func(float64)) (*Result, error) {
	chunks, cleanup, err := o.chunks(ctx, path)
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
			return nil, &redactedError{o.redact(err.Error()), err}
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

// chunk is one upload: a file, or a piece of a recording, read from disk
// as it is sent (never held in memory: an hour of audio is 115 MB).
type chunk struct {
	open    func() (io.ReadCloser, error) // the bytes to send, from the start
	size    int64
	name    string // file name sent, whose extension tells the format
	seconds float64
}

// chunks returns the upload(s) for a file: the file itself when it fits,
// else 16 kHz mono WAV pieces cut at the quietest 100 ms near each limit.
// For those the audio is decoded once into a scratch file beside it (a
// temp name that startup cleanup removes should a crash leave it), which
// cleanup deletes. Memory stays near one fifth of a piece, for the search
// of the cut.
func (o *OpenAI) chunks(ctx context.Context, path string) (out []chunk, cleanup func(), err error) {
	cleanup = func() {}
	f, err := persistence.OpenRegularOS(path) // never a pipe
	if err != nil {
		return nil, cleanup, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, cleanup, err
	}
	w, werr := audio.NewWAVReader(f, st.Size())
	var r audio.Reader = w
	if st.Size() <= int64(o.ChunkBytes) {
		secs := 0.0
		if werr == nil {
			secs = w.Duration().Seconds()
		}
		open := func() (io.ReadCloser, error) { return persistence.OpenRegularOS(path) }
		// Named for what it holds: WebM saved as .wav goes as .webm.
		return []chunk{{open, st.Size(), audio.UploadName(path), secs}}, cleanup, nil
	}
	if werr != nil {
		// Too large to send whole and not WAV: decode it (ffmpeg) to split.
		decoded, done, err := audio.OpenAudio(ctx, path)
		if err != nil {
			return nil, cleanup, fmt.Errorf("%s is larger than the %d MB upload limit and cannot be decoded to be split: %w", path, o.ChunkBytes>>20, err)
		}
		defer done()
		r = decoded
	}
	scratch, err := persistence.CreatePending(persistence.OS, path+".upload", persistence.FilePerm)
	if err != nil {
		return nil, cleanup, err
	}
	var pcm *os.File
	cleanup = func() {
		if pcm != nil {
			pcm.Close()
		}
		scratch.Cleanup()
	}
	var samples int64
	var buf []byte
	err = audio.ReadMono(ctx, r, audio.StoreRate, audio.StoreRate, func(s []int16) error {
		buf = audio.AppendPCM16(buf[:0], s)
		samples += int64(len(s))
		_, err := scratch.Write(buf)
		return err
	}, nil)
	if err == nil {
		pcm, err = os.Open(scratch.TempName())
	}
	if err != nil {
		cleanup()
		return nil, func() {}, fmt.Errorf("%s: %w", path, err)
	}
	limit := int64(o.ChunkBytes-44) / 2 // samples per piece
	for start := int64(0); start < samples; {
		end := samples
		if end-start > limit {
			// Only the last fifth is searched for the cut: read just that.
			from := start + limit*4/5
			raw := make([]byte, 2*(start+limit-from))
			if _, err := pcm.ReadAt(raw, 2*from); err != nil {
				cleanup()
				return nil, func() {}, fmt.Errorf("%s: %w", path, err)
			}
			tail := make([]int16, len(raw)/2)
			for i := range tail {
				tail[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
			}
			end = from + int64(quietestCut(tail))
		}
		s, e := start, end
		open := func() (io.ReadCloser, error) {
			return io.NopCloser(io.MultiReader(bytes.NewReader(audio.PCM16Header(audio.StoreRate, 1, 2*(e-s))), io.NewSectionReader(pcm, 2*s, 2*(e-s)))), nil
		}
		out = append(out, chunk{open, 44 + 2*(e-s), "audio.wav", float64(e-s) / audio.StoreRate})
		start = end
	}
	return out, cleanup, nil
}

// quietestCut picks where to end a chunk in s, the last fifth of the
// chunk, so words are not cut in half: in the quietest 100 ms window of s,
// the centre of the quietest 10 ms (the one nearest the window's centre on
// a tie). It returns an index into s.
func quietestCut(s []int16) int {
	const win, sub = audio.StoreRate / 10, audio.StoreRate / 100
	energy := func(a, b int) float64 {
		var e float64
		for _, v := range s[a:b] {
			e += float64(v) * float64(v)
		}
		return e
	}
	best, bestAt := math.Inf(1), -1
	for at := 0; at+win <= len(s); at += sub {
		if e := energy(at, at+win); e < best {
			best, bestAt = e, at
		}
	}
	if bestAt < 0 {
		return len(s)
	}
	centre := bestAt + win/2
	cut, least := centre, math.Inf(1)
	for at := bestAt; at+sub <= bestAt+win; at += sub / 4 {
		mid := at + sub/2
		e := energy(at, at+sub)
		if e < least || e == least && abs(mid-centre) < abs(cut-centre) {
			cut, least = mid, e
		}
	}
	return cut
}

func abs(x int) int { return max(x, -x) }

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

// form is the multipart request for a chunk, streamed: the part headers,
// the audio read from disk, the other fields. body opens it anew for each
// attempt; its length is known, so no chunked encoding is needed.
func (o *OpenAI) form(c chunk, opt Options, format string) (body func() (io.ReadCloser, error), length int64, ctype string, err error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if _, err := w.CreateFormFile("file", c.name); err != nil {
		return nil, 0, "", err
	}
	head := bytes.Clone(b.Bytes())
	b.Reset()
	w.WriteField("model", o.model)
	w.WriteField("response_format", format)
	if format == "verbose_json" { // when each word and segment was said
		w.WriteField("timestamp_granularities[]", "word")
		w.WriteField("timestamp_granularities[]", "segment")
	}
	if opt.Language != "" {
		w.WriteField("language", opt.Language)
	}
	if err := w.Close(); err != nil {
		return nil, 0, "", err
	}
	tail := bytes.Clone(b.Bytes())
	body = func() (io.ReadCloser, error) {
		audio, err := c.open()
		if err != nil {
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), io.LimitReader(audio, c.size), bytes.NewReader(tail)), audio}, nil
	}
	return body, int64(len(head)) + c.size + int64(len(tail)), w.FormDataContentType(), nil
}

// post sends one request. retryAfter is -1 when a retry cannot help, 0 for
// "retry with backoff", or the server's Retry-After.
func (o *OpenAI) post(ctx context.Context, body func() (io.ReadCloser, error), length int64, ctype string, timeout time.Duration) (*Result, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rc, err := body()
	if err != nil {
		return nil, -1, fmt.Errorf("reading the audio to send: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.base.String()+"/audio/transcriptions", rc)
	if err != nil {
		rc.Close()
		return nil, -1, err
	}
	req.ContentLength = length
	req.GetBody = body
	req.Header.Set("Content-Type", ctype)
	if o.key != "" {
		req.Header.Set("Authorization", "Bearer "+o.key)
	}
	resp, err := o.client.Do(req)
	if err != nil {
		if errors.Is(err, errRedirect) {
			return nil, -1, fmt.Errorf("sending audio for transcription: %w", err)
		}
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			// A slow server is not retried: it may still be working (and
			// billing) on the request.
			return nil, -1, fmt.Errorf("the transcription server did not answer within %v: %w", timeout.Round(time.Second), err)
		}
		return nil, 0, fmt.Errorf("reaching the transcription server at %s: %w", o.base.Host, err)
	}
	defer resp.Body.Close()
	// An answer is read whole up to 64 MB (an hour's words and their
	// times); an error, up to 64 kB: its message is for a person.
	limit := int64(64 << 20)
	if resp.StatusCode != http.StatusOK {
		limit = 64 << 10
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		if ctx.Err() != nil {
			// A body that trickles past the deadline is a slow server
			// too: not retried (it was, five times over).
			return nil, -1, fmt.Errorf("the transcription server did not finish its answer within %v: %w", timeout.Round(time.Second), err)
		}
		return nil, 0, fmt.Errorf("reading the transcription server's answer: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		var v verboseJSON
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, -1, fmt.Errorf("the transcription server's answer is not the expected JSON: %w", err)
		}
		res := &Result{Text: v.Text, Language: v.Language}
		for _, s := range v.Segments {
			res.Segments = append(res.Segments, Segment{Start: s.Start, End: s.End, Text: strings.TrimSpace(s.Text)})
		}
		for _, w := range v.Words {
			res.Words = append(res.Words, Segment{Start: w.Start, End: w.End, Text: strings.TrimSpace(w.Word)})
		}
		return res, 0, nil
	}
	apiErr := &APIError{Status: resp.StatusCode, Message: clipText(o.redact(errorMessage(data)), maxMessage)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		apiErr.Advice = "the service is busy; retried"
		return nil, retryAfter(resp.Header.Get("Retry-After")), apiErr
	case resp.StatusCode == http.StatusUnauthorized:
		apiErr.Advice = "the API key was refused: check it in Settings"
	case resp.StatusCode == http.StatusForbidden:
		apiErr.Advice = "this key may not use this model or service"
	case resp.StatusCode == http.StatusRequestEntityTooLarge:
		apiErr.Advice = "the audio is too large for this server: lower the chunk size in Settings"
	case resp.StatusCode == http.StatusNotFound:
		apiErr.Advice = "check the base URL and the model name"
	case resp.StatusCode == http.StatusBadRequest:
		apiErr.Advice = "the server rejected the request: check the model name and language"
	}
	return nil, -1, apiErr
}

// maxMessage bounds a server's error message as kept and shown: what a
// person reads, not a page of HTML (a 9 MB message could not be saved in
// the note, which stayed TRANSCRIBING).
const maxMessage = 500

// clipText is s cut to at most n bytes, at a character, marked when cut.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// redact removes the API key, and any bearer token, from text a server
// sent back: an error that echoes the key must not reach a note, the
// screen or the log.
func (o *OpenAI) redact(s string) string {
	if len(o.key) >= 4 {
		s = strings.ReplaceAll(s, o.key, "[API key]")
	}
	s = bearerRE.ReplaceAllString(s, "${1}[redacted]")
	// A key given in the address (?key=..., &api_key=..., as some
	// servers take it) is a secret too, wherever a URL is quoted.
	return redactURL(s)
}

// redactURL is a URL, or text quoting one, without the values of its
// query or the password of its user.
func redactURL(s string) string {
	s = queryValueRE.ReplaceAllString(s, "${1}[redacted]")
	return userinfoRE.ReplaceAllString(s, "${1}[redacted]@")
}

var (
	bearerRE = regexp.MustCompile(`(?i)(bearer\s+)[^\s"',;]+`)
	// queryValueRE finds the values of a URL's query: every one may be a
	// credential (key, token, sig, code...), and none is needed to read
	// an error.
	queryValueRE = regexp.MustCompile(`([?&][^=\s&#"']+=)[^\s&#"']+`)
	// userinfoRE finds a password in a URL (https://user:secret@host).
	userinfoRE = regexp.MustCompile(`(://[^/\s:@"']+:)[^@\s/"']+@`)
)

// redactedError is an error whose text went through redact; errors.Is and
// errors.As still see the cause.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// errorMessage digs the message out of an OpenAI-style error body.
func errorMessage(data []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
		return e.Error.Message
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(0, time.Until(t))
	}
	return 0
}
