// Package fakechat is a chat-completions server for tests, faithful to
// OpenAI's documented protocol: there is no language model on the
// machines the tests run on.
package fakechat

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

// Server answers POST /v1/chat/completions and GET /v1/models as
// OpenAI documents them: a JSON request with model and messages; with
// "stream": true an event stream of chat.completion.chunk objects (the
// role first, then content deltas, then a chunk with finish_reason, then
// "data: [DONE]"); errors as {"error": {message, type, param, code}};
// a wrong key refused with 401 quoting the key; 429 with Retry-After.
type Server struct {
	Key string
	// Answer makes the reply to a request (default: "ok").
	Answer func(req Request) string
	// Script gives the status of each request in turn (200 once it runs out).
	Script []int
	// RetryAfter is sent with a 429, when set.
	RetryAfter string
	// Pieces is how many deltas the answer is sent in (default 3).
	Pieces int
	// CutAfter ends the stream after this many deltas, without a finish
	// reason or [DONE] (0: not cut).
	CutAfter int
	// StallAfter stops sending after this many deltas until the client
	// goes (0: never).
	StallAfter int
	// Finish is the last chunk's finish_reason (default "stop").
	Finish string
	// ErrorAfter sends an error object in the stream after this many
	// deltas (0: none).
	ErrorAfter int
	// NoStream answers with one JSON completion even when asked to stream.
	NoStream bool
	// AfterFirst runs once the first delta is sent (flushed).
	AfterFirst func()
	// Delay is waited before each delta, as a model generating does.
	Delay time.Duration
	// LastSent, when set, is called as the last delta has been sent
	// (flushed), before the finish chunk and [DONE].
	LastSent func()

	mu       sync.Mutex
	requests []Request
}

// Request is a chat request as the server read it.
type Request struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Stream      bool      `json:"stream"`
	Temperature *float64  `json:"temperature"`
}

// Start serves f on 127.0.0.1 until the test ends and returns its base
// URL (…/v1).
func Start(t testing.TB, f *Server) string {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// Message is one message of a chat request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Requests are the chat requests received so far.
func (f *Server) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

func (f *Server) apiError(w http.ResponseWriter, code int, msg, typ string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}})
}

func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+f.Key && f.Key != "" {
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
	var req Request
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
	status := 200
	if n < len(f.Script) {
		status = f.Script[n]
	}
	f.mu.Unlock()
	switch status {
	case 200:
	case 429:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		f.apiError(w, 429, "Rate limit reached for requests", "requests")
		return
	default:
		f.apiError(w, status, "The server had an error while processing your request.", "server_error")
		return
	}
	text := "ok"
	if f.Answer != nil {
		text = f.Answer(req)
	}
	finish := f.Finish
	if finish == "" {
		finish = "stop"
	}
	id, created := fmt.Sprintf("chatcmpl-%d", n), time.Now().Unix()
	if !req.Stream || f.NoStream {
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
	pieces := max(f.Pieces, 1)
	if f.Pieces == 0 {
		pieces = 3
	}
	size := (len(text) + pieces - 1) / pieces
	for i := 0; i < pieces; i++ {
		if f.CutAfter > 0 && i == f.CutAfter {
			return // the connection ends mid-answer
		}
		if f.StallAfter > 0 && i == f.StallAfter {
			<-r.Context().Done()
			return
		}
		if f.ErrorAfter > 0 && i == f.ErrorAfter {
			fmt.Fprint(w, `data: {"error":{"message":"The model is overloaded, key `+f.Key+`","type":"server_error"}}`+"\n\n")
			fl.Flush()
			return
		}
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		lo, hi := min(i*size, len(text)), min((i+1)*size, len(text))
		send(chunk(map[string]any{"content": text[lo:hi]}, nil))
		if i == 0 && f.AfterFirst != nil {
			f.AfterFirst()
		}
	}
	if f.LastSent != nil {
		f.LastSent()
	}
	send(chunk(map[string]any{}, finish))
	fmt.Fprint(w, "data: [DONE]\n\n")
	fl.Flush()
}
