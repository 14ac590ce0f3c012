package transform

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeChat answers POST /v1/chat/completions and GET /v1/models as
// OpenAI documents them: a JSON request with model and messages; with
// "stream": true an event stream of chat.completion.chunk objects (the
// role first, then content deltas, then a chunk with finish_reason, then
// "data: [DONE]"); errors as {"error": {message, type, param, code}};
// a wrong key refused with 401 quoting the key; 429 with Retry-After.
type fakeChat struct {
	t   *testing.T
	key string
	// answer makes the reply to a request (default: "ok").
	answer func(req chatRequest) string
	// script gives the status of each request in turn (200 once it runs out).
	script []int
	// retryAfter is sent with a 429, when set.
	retryAfter string
	// pieces is how many deltas the answer is sent in (default 3).
	pieces int
	// cutAfter ends the stream after this many deltas, without a finish
	// reason or [DONE] (0: not cut).
	cutAfter int
	// stallAfter stops sending after this many deltas until the client
	// goes (0: never).
	stallAfter int
	// finish is the last chunk's finish_reason (default "stop").
	finish string
	// errorAfter sends an error object in the stream after this many
	// deltas (0: none).
	errorAfter int
	// noStream answers with one JSON completion even when asked to stream.
	noStream bool
	// afterFirst runs once the first delta is sent (flushed).
	afterFirst func()

	mu       sync.Mutex
	requests []chatRequest
	times    []time.Time
}

type chatRequest struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Stream      bool      `json:"stream"`
	Temperature *float64  `json:"temperature"`
}

func newFakeChat(t *testing.T, f *fakeChat) (*Chat, *httptest.Server) {
	t.Helper()
	f.t = t
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := NewChat(srv.URL+"/v1", f.key)
	if err != nil {
		t.Fatal(err)
	}
	c.MaxBackoff = 2 * time.Second
	return c, srv
}

func (f *fakeChat) apiError(w http.ResponseWriter, code int, msg, typ string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}})
}

func (f *fakeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+f.key && f.key != "" {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		f.apiError(w, 401, "Incorrect API key provided: "+got+". You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error")
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == "/v1/models" {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": []map[string]any{
			{"id": "gpt-4o-mini", "object": "model", "created": 1686935002, "owned_by": "openai"},
			{"id": "llama3.2", "object": "model", "created": 1686935002, "owned_by": "library"},
		}})
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		f.apiError(w, 404, fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), "invalid_request_error")
		return
	}
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.apiError(w, 400, "We could not parse the JSON body of your request.", "invalid_request_error")
		return
	}
	if req.Model == "" || len(req.Messages) == 0 {
		f.apiError(w, 400, "you must provide a model parameter", "invalid_request_error")
		return
	}
	for _, m := range req.Messages {
		if m.Role != "system" && m.Role != "user" && m.Role != "assistant" {
			f.apiError(w, 400, "Invalid value for 'messages[].role'", "invalid_request_error")
			return
		}
	}
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, req)
	f.times = append(f.times, time.Now())
	status := 200
	if n < len(f.script) {
		status = f.script[n]
	}
	f.mu.Unlock()
	switch status {
	case 200:
	case 429:
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		f.apiError(w, 429, "Rate limit reached for requests", "requests")
		return
	default:
		f.apiError(w, status, "The server had an error while processing your request.", "server_error")
		return
	}
	text := "ok"
	if f.answer != nil {
		text = f.answer(req)
	}
	finish := f.finish
	if finish == "" {
		finish = "stop"
	}
	id, created := fmt.Sprintf("chatcmpl-%d", n), time.Now().Unix()
	if !req.Stream || f.noStream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": id, "object": "chat.completion", "created": created, "model": req.Model,
			"choices": []map[string]any{{"index": 0, "message": map[string]any{"role": "assistant", "content": text}, "finish_reason": finish}},
			"usage":   map[string]any{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	fl := w.(http.Flusher)
	send := func(v any) {
		data, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", data)
		fl.Flush()
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": req.Model,
			"choices": []map[string]any{{"index": 0, "delta": delta, "finish_reason": finish}}}
	}
	send(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	fmt.Fprint(w, ": keep-alive\n\n")
	pieces := max(f.pieces, 1)
	if f.pieces == 0 {
		pieces = 3
	}
	size := (len(text) + pieces - 1) / pieces
	for i := 0; i < pieces; i++ {
		if f.cutAfter > 0 && i == f.cutAfter {
			return // the connection ends mid-answer
		}
		if f.stallAfter > 0 && i == f.stallAfter {
			<-r.Context().Done()
			return
		}
		if f.errorAfter > 0 && i == f.errorAfter {
			fmt.Fprint(w, `data: {"error":{"message":"The model is overloaded, key `+f.key+`","type":"server_error"}}`+"\n\n")
			fl.Flush()
			return
		}
		lo, hi := min(i*size, len(text)), min((i+1)*size, len(text))
		send(chunk(map[string]any{"content": text[lo:hi]}, nil))
		if i == 0 && f.afterFirst != nil {
			f.afterFirst()
		}
	}
	send(chunk(map[string]any{}, finish))
	fmt.Fprint(w, "data: [DONE]\n\n")
	fl.Flush()
}
