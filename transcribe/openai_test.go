package transcribe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/timeline"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// fakeAPI answers POST /v1/audio/transcriptions as OpenAI documents it,
// checking what the real API requires. script gives the status of each
// request in turn (200 once it runs out).
type fakeAPI struct {
	t      *testing.T
	key    string
	script []int
	delay  time.Duration
	// overrun stretches the word times it answers by this factor, past
	// the end of the audio it was sent when above 1 (a faulty server).
	overrun float64
	// empty answers every transcription with no text, as a server does
	// for silence.
	empty bool
	// texts, when set, are the transcripts of the requests in turn (the
	// last one again after them); otherwise each says its part.
	texts []string
	// received, when set, gets a value as each request arrives.
	received chan struct{}

	mu      sync.Mutex
	uploads [][]byte
	fields  []map[string]string
	times   []time.Time
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	n := len(f.times)
	f.times = append(f.times, time.Now())
	status := 200
	if n < len(f.script) {
		status = f.script[n]
	}
	f.mu.Unlock()
	if f.received != nil {
		f.received <- struct{}{}
	}
	apiError := func(code int, msg, typ string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}})
	}
	if r.Method == http.MethodGet && r.URL.Path == "/v1/models" {
		// GET /v1/models, as documented: a list object; a wrong key is
		// refused with the key echoed in part, as OpenAI does.
		if r.Header.Get("Authorization") != "Bearer "+f.key {
			apiError(401, "Incorrect API key provided: "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+". You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		var data []map[string]any
		for _, id := range []string{"whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe"} {
			data = append(data, map[string]any{"id": id, "object": "model", "created": 1677610602, "owned_by": "openai-internal"})
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data})
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
		apiError(404, fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), "invalid_request_error")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.key {
		apiError(401, "Incorrect API key provided.", "invalid_request_error")
		return
	}
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		apiError(400, "Could not parse multipart form", "invalid_request_error")
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil || r.FormValue("model") == "" {
		apiError(400, "you must provide a model parameter and a file", "invalid_request_error")
		return
	}
	data, _ := io.ReadAll(file)
	fields := map[string]string{"model": r.FormValue("model"), "language": r.FormValue("language"), "response_format": r.FormValue("response_format"), "filename": hdr.Filename, "prompt": r.FormValue("prompt")}
	f.mu.Lock()
	f.uploads = append(f.uploads, data)
	f.fields = append(f.fields, fields)
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	switch status {
	case 429:
		w.Header().Set("Retry-After", "1")
		apiError(429, "Rate limit reached for requests", "requests")
		return
	case 200:
	default:
		apiError(status, "error "+fmt.Sprint(status), "invalid_request_error")
		return
	}
	secs := float64(len(data)-44) / 32000
	text := fmt.Sprintf("part %d of %.1f seconds.", n, secs)
	if len(f.texts) > 0 {
		text = f.texts[min(n, len(f.texts)-1)]
	}
	if f.empty {
		text = ""
	}
	w.Header().Set("Content-Type", "application/json")
	if fields["response_format"] == "verbose_json" {
		// As documented: segments unless granularities leave them out,
		// words only when asked for.
		reply := map[string]any{"task": "transcribe", "language": "english", "duration": secs, "text": text}
		gran := r.MultipartForm.Value["timestamp_granularities[]"]
		if len(gran) == 0 || slices.Contains(gran, "segment") {
			reply["segments"] = []map[string]any{{"id": 0, "start": 0.0, "end": secs, "text": " " + text}}
		}
		if slices.Contains(gran, "word") {
			var words []map[string]any
			ws := strings.Fields(text)
			for i, wd := range ws {
				k := max(f.overrun, 1)
				words = append(words, map[string]any{"word": wd, "start": k * secs * float64(i) / float64(len(ws)), "end": k * secs * float64(i+1) / float64(len(ws))})
			}
			reply["words"] = words
		}
		json.NewEncoder(w).Encode(reply)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"text": text})
}

// speechWAV writes secs seconds of 16 kHz "speech" (tone bursts) with a
// silent gap at every gapEvery seconds, and returns its path.
func speechWAV(t *testing.T, secs, gapEvery float64) string {
	t.Helper()
	n := int(secs * 16000)
	s := make([]int16, n)
	for i := range s {
		at := float64(i) / 16000
		if math.Mod(at, gapEvery) < gapEvery-0.3 { // 300 ms pause before each mark
			s[i] = int16(8000 * math.Sin(2*math.Pi*300*at))
		}
	}
	path := filepath.Join(tempdir.New(t), "speech.wav")
	if err := audio.WritePCM16(path, 16000, 1, s); err != nil {
		t.Fatal(err)
	}
	return path
}

func newFake(t *testing.T, f *fakeAPI) (*OpenAI, *httptest.Server) {
	t.Helper()
	f.t = t
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	o, err := NewOpenAI(Config{BaseURL: srv.URL + "/v1", Model: "whisper-1", APIKey: f.key})
	if err != nil {
		t.Fatal(err)
	}
	o.MaxBackoff = 2 * time.Second
	return o, srv
}

func TestOpenAIRequestAndAnswer(t *testing.T) {
	f := &fakeAPI{key: "sk-test"}
	o, _ := newFake(t, f)
	path := speechWAV(t, 3, 10)
	var prog []float64
	res, err := o.Transcribe(context.Background(), path, Options{Language: "en"}, func(p float64) { prog = append(prog, p) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "part 0 of 3.0 seconds." || len(res.Segments) != 1 || res.Segments[0].End != 3 || res.Language != "english" {
		t.Errorf("result %+v", res)
	}
	want, _ := os.ReadFile(path)
	if len(f.uploads) != 1 || !bytes.Equal(f.uploads[0], want) {
		t.Error("the uploaded file is not the recording's bytes")
	}
	if got := f.fields[0]; got["model"] != "whisper-1" || got["language"] != "en" || got["response_format"] != "verbose_json" || got["filename"] != "audio.wav" {
		t.Errorf("form fields %v", got)
	}
	if len(prog) == 0 || prog[len(prog)-1] != 1 {
		t.Errorf("progress %v", prog)
	}
}

func TestOpenAIRetriesRateLimit(t *testing.T) {
	f := &fakeAPI{key: "k", script: []int{429, 503}}
	o, _ := newFake(t, f)
	res, err := o.Transcribe(context.Background(), speechWAV(t, 1, 10), Options{}, nil)
	if err != nil || !strings.HasPrefix(res.Text, "part 2") {
		t.Fatalf("after 429 and 503: %v %v", res, err)
	}
	if gap := f.times[1].Sub(f.times[0]); gap < 900*time.Millisecond {
		t.Errorf("retried after %v; the server said Retry-After: 1", gap)
	}
}

func TestOpenAIErrorsAreClearAndNotRetried(t *testing.T) {
	for _, tc := range []struct {
		status int
		key    string
		want   string
	}{
		{401, "wrong", "API key was refused"},
		{403, "k", "may not use this model"},
		{413, "k", "too large"},
		{400, "k", "rejected the request"},
	} {
		f := &fakeAPI{key: "k", script: []int{tc.status}}
		o, _ := newFake(t, f)
		o.key = tc.key
		_, err := o.Transcribe(context.Background(), speechWAV(t, 1, 10), Options{}, nil)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Status != tc.status || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d: %v, want an APIError saying %q", tc.status, err, tc.want)
		}
		if len(f.times) != 1 {
			t.Errorf("%d: %d requests; a %d must not be retried", tc.status, len(f.times), tc.status)
		}
	}
}

func TestOpenAITimeoutAndCancel(t *testing.T) {
	f := &fakeAPI{key: "k", delay: 5 * time.Second}
	o, _ := newFake(t, f)
	o.RequestTimeout = 300 * time.Millisecond
	start := time.Now()
	_, err := o.Transcribe(context.Background(), speechWAV(t, 0.1, 10), Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), "did not answer within") || time.Since(start) > 3*time.Second {
		t.Errorf("slow server: %v after %v", err, time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	o.RequestTimeout = time.Minute
	time.AfterFunc(200*time.Millisecond, cancel)
	start = time.Now()
	if _, err := o.Transcribe(ctx, speechWAV(t, 0.1, 10), Options{}, nil); !errors.Is(err, context.Canceled) || time.Since(start) > 3*time.Second {
		t.Errorf("cancelled: %v after %v", err, time.Since(start))
	}
}

// TestOpenAIChunksLongAudio: audio over the upload limit goes up in pieces
// cut in pauses, each a valid WAV under the limit, and the text is joined.
func TestOpenAIChunksLongAudio(t *testing.T) {
	f := &fakeAPI{key: "k"}
	o, _ := newFake(t, f)
	o.ChunkBytes = 10 * 32000 // 10 s per request
	path := speechWAV(t, 35, 1.5)
	var prog []float64
	res, err := o.Transcribe(context.Background(), path, Options{}, func(p float64) { prog = append(prog, p) })
	if err != nil {
		t.Fatal(err)
	}
	// Cuts fall in the pauses (every 1.5 s), so pieces run a little under 10 s.
	n := len(f.uploads)
	if n != 4 {
		t.Fatalf("%d uploads for 35 s of at most 10 s each, cut in pauses, want 4", n)
	}
	total := 0
	for i, u := range f.uploads {
		r, err := audio.NewWAVReader(bytes.NewReader(u), int64(len(u)))
		if err != nil || len(u) > o.ChunkBytes {
			t.Fatalf("upload %d: %d bytes, %v", i, len(u), err)
		}
		total += int(r.Frames())
		if i < len(f.uploads)-1 {
			// The cut falls in a pause: the last 5 ms are silent.
			s, _ := r.Read(nil, int(r.Frames()))
			for _, v := range s[len(s)-80:] {
				if v != 0 {
					t.Fatalf("upload %d (%d samples, ending at %.3f s) ends in sound, not in a pause", i, r.Frames(), float64(total)/16000)
				}
			}
		}
	}
	if total != 35*16000 {
		t.Errorf("uploads hold %d samples, want %d", total, 35*16000)
	}
	if !strings.HasPrefix(res.Text, "part 0") || strings.Count(res.Text, "part") != n || len(res.Segments) != n {
		t.Errorf("joined result %+v", res)
	}
	if res.Segments[1].Start < 8 || res.Segments[n-1].End < 34.9 || res.Segments[n-1].End > 35.1 {
		t.Errorf("segment times not offset by chunk: %+v", res.Segments)
	}
	if len(prog) != n || prog[n-1] != 1 {
		t.Errorf("progress %v", prog)
	}
}

func TestOpenAIConfig(t *testing.T) {
	for _, tc := range []struct {
		url, model, want string
	}{
		{"http://api.example.com/v1", "whisper-1", "unencrypted"},
		{"ftp://x/v1", "whisper-1", "not an http"},
		{"", "whisper-1", "needs a base URL"},
		{"https://api.openai.com/v1", "", "needs a model"},
	} {
		if _, err := NewOpenAI(Config{BaseURL: tc.url, Model: tc.model}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %q: %v, want %q", tc.url, tc.model, err, tc.want)
		}
	}
	for _, ok := range []string{"https://api.groq.com/openai/v1", "http://127.0.0.1:8080/v1", "http://localhost:9000/v1", "http://[::1]:8000/v1"} {
		if _, err := NewOpenAI(Config{BaseURL: ok, Model: "m"}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// TestRedirectsElsewhereAreRefused: a server that answers 307 to another
// host (or port) never gets the audio re-sent there, and it is not retried.
func TestRedirectsElsewhereAreRefused(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		io.Copy(io.Discard, r.Body)
	}))
	defer other.Close()
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		http.Redirect(w, r, other.URL+"/v1/audio/transcriptions", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	o, err := NewOpenAI(Config{BaseURL: srv.URL + "/v1", Model: "whisper-1", APIKey: "sk-secret"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.Transcribe(context.Background(), speechWAV(t, 1, 10), Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), "only sent to the server in Settings") {
		t.Errorf("Transcribe = %v; want the redirect refused, saying why", err)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the audio reached the other host %d times", n)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("the server was asked %d times; a refused redirect is not retried", n)
	}
}

// TestKeyNeverInErrors: a server that echoes the API key (and a bearer
// header) in its error: the error, and so the note and the log, never
// hold it.
func TestKeyNeverInErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s (header %s)"}}`, "sk-supersecret-123", r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	o, err := NewOpenAI(Config{BaseURL: srv.URL + "/v1", Model: "whisper-1", APIKey: "sk-supersecret-123"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.Transcribe(context.Background(), speechWAV(t, 1, 10), Options{}, nil)
	if err == nil || strings.Contains(err.Error(), "supersecret") || !strings.Contains(err.Error(), "401") {
		t.Errorf("error = %v; want the 401 without the key", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || strings.Contains(apiErr.Message, "supersecret") {
		t.Errorf("the APIError under it still holds the key: %+v", apiErr)
	}
}

// TestMalformedAnswerIsNotRetried: a 200 whose body is not the API's JSON
// cannot get better by asking again.
func TestMalformedAnswerIsNotRetried(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		io.Copy(io.Discard, r.Body)
		fmt.Fprint(w, "<html>a captive portal</html>")
	}))
	defer srv.Close()
	o, err := NewOpenAI(Config{BaseURL: srv.URL + "/v1", Model: "whisper-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Transcribe(context.Background(), speechWAV(t, 1, 10), Options{}, nil); err == nil {
		t.Error("a malformed answer was taken")
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("asked %d times; want 1", n)
	}
}

// TestPing: "Test connection" reports what the server said: reached, key
// accepted, model offered or not; a refused key without the key in the
// message; a server without a model list as reached.
func TestPing(t *testing.T) {
	f := &fakeAPI{t: t, key: "sk-right-key-1234"}
	o, srv := newFake(t, f)
	msg, err := o.Ping(context.Background())
	if err != nil || !strings.Contains(msg, `model "whisper-1" is offered`) {
		t.Errorf("ping: %q, %v", msg, err)
	}
	other, _ := NewOpenAI(Config{BaseURL: srv.URL + "/v1", Model: "whisper-9", APIKey: f.key})
	if _, err := other.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), `does not offer model "whisper-9"`) {
		t.Errorf("ping for a model not offered: %v", err)
	}
	wrong, _ := NewOpenAI(Config{BaseURL: srv.URL + "/v1", Model: "whisper-1", APIKey: "sk-wrong-key-5678"})
	_, err = wrong.Ping(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "key was refused") || strings.Contains(err.Error(), "sk-wrong-key-5678") {
		t.Errorf("ping with a wrong key: %v (it must say so, without the key)", err)
	}
	bare := httptest.NewServer(http.NotFoundHandler()) // whisper.cpp's server has no /models
	defer bare.Close()
	b, _ := NewOpenAI(Config{BaseURL: bare.URL, Model: "m"})
	if msg, err := b.Ping(context.Background()); err != nil || !strings.Contains(msg, "no model list") {
		t.Errorf("ping a server without /models: %q, %v", msg, err)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	d, _ := NewOpenAI(Config{BaseURL: dead.URL, Model: "m"})
	if _, err := d.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), "could not reach") {
		t.Errorf("ping a server that is gone: %v", err)
	}
}

func TestCheckBaseURL(t *testing.T) {
	for _, ok := range []string{"https://api.openai.com/v1", "http://127.0.0.1:8080/v1", "http://localhost:9000", "http://[::1]:8000/v1"} {
		if err := CheckBaseURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for in, want := range map[string]string{"": "needs a base URL", "ftp://x/v1": "not an http(s) URL", "api.openai.com/v1": "not an http(s) URL",
		"http://example.com/v1": "unencrypted", "https://user:pass@example.com/v1": "user name or password; give the key in the API key field"} {
		if err := CheckBaseURL(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

// TestOpenAIWordTimings: the engine asks for word and segment times, puts
// each chunk's at its place in the whole recording, and they are kept
// beside the note as WebVTT.
func TestOpenAIWordTimings(t *testing.T) {
	f := &fakeAPI{t: t, key: "k"}
	o, _ := newFake(t, f)
	o.ChunkBytes = 44 + 32000*4 // four seconds a chunk
	path := speechWAV(t, 10, 3)
	res, err := o.Transcribe(context.Background(), path, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Words) < 8 || res.Words[0].Start != 0 {
		t.Fatalf("words: %+v", res.Words)
	}
	last := res.Words[len(res.Words)-1]
	if last.End < 9 || last.End > 10.01 {
		t.Errorf("the last word ends at %.2f s of a 10 s recording: chunks not put in place", last.End)
	}
	for i := 1; i < len(res.Words); i++ {
		if res.Words[i].Start < res.Words[i-1].Start {
			t.Fatalf("words out of order at %d: %+v", i, res.Words)
		}
	}
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := v.NewNote()
	n.TranscriptionStatus = persistence.StatusDone
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	if err := SaveTimings(v, n, res); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(v.TimingsPath(n))
	cues, perr := timeline.ParseVTT(bytes.NewReader(data))
	var words []string
	for _, w := range timeline.Words(cues) {
		words = append(words, w.Text)
	}
	if err != nil || perr != nil || !strings.HasPrefix(string(data), "WEBVTT\n\nNOTE ") || !strings.Contains(string(data), "\n\n00:00:00.000 --> ") || !strings.Contains(strings.Join(words, " "), "part 1") {
		t.Errorf("timings file: %v %v\n%s", err, perr, data)
	}
	// Words a server times past the piece of audio it was sent stay in
	// that piece: in order, and inside the recording.
	f.overrun = 1.6
	res, err = o.Transcribe(context.Background(), path, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n.Duration = 10 * time.Second
	if err := SaveTimings(v, n, res); err != nil {
		t.Errorf("the timings of a server that overruns each piece were not kept in place: %v", err)
	}
	f.overrun = 0
	// A transcript with no times takes the old timings away.
	if err := SaveTimings(v, n, &Result{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(v.TimingsPath(n)); !os.IsNotExist(err) {
		t.Errorf("stale timings kept: %v", err)
	}
}

// TestKeyInTheAddressNeverInErrors: a key given in the server's address
// (?key=..., as some servers take it, or user:password@) is never in an
// error, which goes into the note's transcriptionError and onto the
// screen: not when the server cannot be reached (Go's error quotes the
// URL), not when the server echoes the address it was asked.
func TestKeyInTheAddressNeverInErrors(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"message":"no such model at http://%s%s"}}`, r.Host, r.URL.RequestURI())
	}))
	defer echo.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens there now
	for _, base := range []string{echo.URL + "/v1?key=qsecret-456", closed.URL + "/v1?api_key=qsecret-456&x=1", strings.Replace(closed.URL, "http://", "http://user:qsecret-456@", 1) + "/v1"} {
		o, err := NewOpenAI(Config{BaseURL: base, Model: "whisper-1"})
		if err != nil {
			// Refused as typed (a password in the address): the refusal
			// does not repeat it.
			if strings.Contains(err.Error(), "qsecret") || !strings.Contains(err.Error(), "[redacted]") {
				t.Errorf("%s refused with %v", base, err)
			}
			continue
		}
		o.MaxBackoff = 10 * time.Millisecond
		_, err = o.Transcribe(context.Background(), speechWAV(t, 1, 10), Options{}, nil)
		if err == nil || strings.Contains(err.Error(), "qsecret") {
			t.Errorf("%s: error = %v; want an error without the key", base, err)
		}
	}
}

// TestSlowBodyIsNotRetried: a server that sends its headers at once and
// then its body a byte at a time past the request's deadline is a slow
// server: the request is not sent again (it was, five times over: 335 s
// for 2 s of audio).
func TestSlowBodyIsNotRetried(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		for _, b := range []byte(`{"text":"slowly"}`) {
			w.Write([]byte{b})
			w.(http.Flusher).Flush()
			select {
			case <-time.After(300 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	}))
	defer srv.Close()
	o, err := NewOpenAI(Config{BaseURL: srv.URL + "/v1", Model: "whisper-1"})
	if err != nil {
		t.Fatal(err)
	}
	o.RequestTimeout, o.MaxBackoff = time.Second, 10*time.Millisecond
	_, err = o.Transcribe(context.Background(), speechWAV(t, 0.5, 10), Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), "did not finish its answer") {
		t.Errorf("a trickling answer: %v", err)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("asked %d times; a slow server is asked once", n)
	}
}

// TestHugeErrorMessage: a server answers 400 with a 9 MB message. The
// note is marked FAILED (it stayed TRANSCRIBING: the message was too
// large to save) with the message cut to what a person reads.
func TestHugeErrorMessage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		// The client reads what it needs and hangs up; the rest of the
		// message must not hold the server (Wine's sockets do not tell
		// the writer the reader is gone).
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(w, `{"error":{"message":%q}}`, strings.Repeat("no. ", 9<<20/4))
	}))
	defer srv.Close()
	o, err := NewOpenAI(Config{BaseURL: srv.URL + "/v1", Model: "whisper-1"})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	n := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	q, _ := queueFor(t, v, o)
	q.Enqueue(n.ID)
	q.Drain(context.Background())
	got, err := v.Note(n.ID)
	if err != nil || got.TranscriptionStatus != persistence.StatusFailed || len(got.TranscriptionError) > 2000 || !strings.Contains(got.TranscriptionError, "no. no.") {
		t.Errorf("after a 9 MB error message: %v, status %s, error of %d bytes", err, got.TranscriptionStatus, len(got.TranscriptionError))
	}
}

// TestJobDeadline: a server busy every time it is asked (503, answered
// slowly) is asked again only until the job's own deadline, which covers
// every retry: the job ends saying the server is too slow now, however
// many retries were allowed.
func TestJobDeadline(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		io.Copy(io.Discard, r.Body)
		select {
		case <-time.After(150 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"error":{"message":"overloaded"}}`)
	}))
	defer srv.Close()
	o, err := NewOpenAI(Config{BaseURL: srv.URL + "/v1", Model: "whisper-1"})
	if err != nil {
		t.Fatal(err)
	}
	o.RequestTimeout, o.MaxBackoff, o.MaxAttempts = 200*time.Millisecond, 10*time.Millisecond, 1000
	_, err = o.Transcribe(context.Background(), speechWAV(t, 0.5, 10), Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), "in all, retries included") {
		t.Errorf("a server busy for ever: %v (asked %d times)", err, asked.Load())
	}
	if n := asked.Load(); n >= 1000 {
		t.Errorf("asked %d times: the job's deadline did not end it", n)
	}
}
