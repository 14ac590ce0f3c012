package transform

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/internal/remote"
)

// Chat is a client of OpenAI's chat completions protocol
// (POST {base}/chat/completions, streamed as server-sent events), which
// OpenAI, Groq, OpenRouter, Ollama and llama.cpp's server all speak.
type Chat struct {
	base   *url.URL
	key    string
	client *http.Client

	// MaxAttempts is how many times a request is tried in all when the
	// server is busy (429, 5xx) or cannot be reached, before it answered.
	MaxAttempts int
	MaxBackoff  time.Duration
	// Stall ends an answer that sends nothing for this long.
	Stall time.Duration
	// Deadline bounds the whole job, retries included.
	Deadline time.Duration
	sleep    func(context.Context, time.Duration) error
}

// NewChat checks the server's base URL (https, or http only to this
// computer: notes are private) and makes a client.
func NewChat(baseURL, key string) (*Chat, error) {
	if baseURL == "" {
		return nil, errors.New("no chat server is set: give its base URL in Settings (such as https://api.openai.com/v1, or http://127.0.0.1:11434/v1 for Ollama) or with --base-url")
	}
	u, err := remote.ParseBaseURL(baseURL, "your notes", "https://api.openai.com/v1")
	if err != nil {
		return nil, err
	}
	return &Chat{base: u, key: key, client: remote.Client("a note"), MaxAttempts: 4, MaxBackoff: 30 * time.Second,
		Stall: 30 * time.Second, Deadline: 5 * time.Minute, sleep: remote.Sleep}, nil
}

// Host is the server, as a note's provenance names it.
func (c *Chat) Host() string { return c.base.Host }

// Message is one message of a chat.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is what is asked.
type Request struct {
	Model       string
	Messages    []Message
	Temperature *float64
}

// APIError is an answer the server gave that no retry will change.
type APIError = remote.APIError

// ErrIncomplete is an answer that ended before the model finished: a cut
// stream, a stall, or the model's length limit. Nothing of it is saved.
var ErrIncomplete = errors.New("the answer is incomplete")

// maxAnswer bounds an answer: a note holds at most persistence.MaxNoteSize.
const maxAnswer = 8 << 20

// Complete asks the model and returns its whole answer. progress (may be
// nil) gets the answer so far as it streams in. An answer is whole only
// when the server said it ended ([DONE], or a finish reason of "stop");
// anything else is an error wrapping ErrIncomplete, never a part taken
// for the whole.
func (c *Chat) Complete(ctx context.Context, r Request, progress func(sofar string)) (string, error) {
	if r.Model == "" {
		return "", errors.New("no chat model is set: give one in Settings, in the transformation's 'model:', or with --model")
	}
	ctx, cancel := context.WithTimeout(ctx, c.Deadline)
	defer cancel()
	body := map[string]any{"model": r.Model, "messages": r.Messages, "stream": true}
	if r.Temperature != nil {
		body["temperature"] = *r.Temperature
	}
	data, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	backoff := time.Second
	for attempt := 1; ; attempt++ {
		text, wait, err := c.post(ctx, data, progress)
		if err == nil {
			return text, nil
		}
		if wait < 0 || attempt >= c.MaxAttempts || ctx.Err() != nil {
			if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(err, ErrIncomplete) {
				return "", fmt.Errorf("the chat server did not answer within %v: %w", c.Deadline, err)
			}
			return "", err
		}
		if wait == 0 {
			wait = min(backoff, c.MaxBackoff)
			backoff *= 2
		} else if wait > c.MaxBackoff {
			return "", fmt.Errorf("%w; it asked to wait %v before trying again, longer than %v", err, wait.Round(time.Second), c.MaxBackoff)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return "", err
		}
	}
}

// errStalled is why a stalled answer's request was cancelled.
var errStalled = errors.New("stalled")

// post sends one request. wait is -1 when a retry cannot help, 0 for
// "retry with backoff", or the server's Retry-After.
func (c *Chat) post(ctx context.Context, data []byte, progress func(string)) (text string, wait time.Duration, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.String()+"/chat/completions", bytes.NewReader(data))
	if err != nil {
		return "", -1, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	// No byte for Stall (before the headers too) ends the request.
	stall := time.AfterFunc(c.Stall, func() { cancel(errStalled) })
	defer stall.Stop()
	resp, err := c.client.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, remote.ErrRedirect):
			return "", -1, c.redacted(err, "sending the note to the chat server: %v", err)
		case errors.Is(context.Cause(ctx), errStalled):
			return "", -1, c.redacted(err, "the chat server at %s sent nothing for %v: %v", c.base.Host, c.Stall, err)
		case ctx.Err() != nil:
			return "", -1, err
		}
		return "", 0, c.redacted(err, "reaching the chat server at %s: %v", c.base.Host, err)
	}
	defer resp.Body.Close()
	body := &stallReader{r: resp.Body, stall: stall, every: c.Stall}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(body, 64<<10))
		apiErr := &APIError{Server: "the chat server", Status: resp.StatusCode, Message: remote.Clip(remote.Redact(remote.ErrorMessage(msg), c.key), 500)}
		switch {
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			apiErr.Advice = "the server is busy"
			return "", remote.RetryAfter(resp.Header.Get("Retry-After")), apiErr
		case resp.StatusCode == http.StatusUnauthorized:
			apiErr.Advice = "the API key was refused: check it in Settings"
		case resp.StatusCode == http.StatusForbidden:
			apiErr.Advice = "this key may not use this model"
		case resp.StatusCode == http.StatusNotFound:
			apiErr.Advice = "check the base URL and the model name"
		case resp.StatusCode == http.StatusBadRequest:
			apiErr.Advice = "the server refused the request: check the model name, and that the note fits the model's context"
		}
		return "", -1, apiErr
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "text/event-stream" {
		text, err = c.readStream(body, progress)
	} else {
		text, err = c.readWhole(body)
	}
	if err != nil {
		if errors.Is(context.Cause(ctx), errStalled) {
			return "", -1, fmt.Errorf("%w: the chat server stopped sending for %v", ErrIncomplete, c.Stall)
		}
		if ctx.Err() != nil && !errors.Is(err, ErrIncomplete) {
			return "", -1, fmt.Errorf("%w: %v", ErrIncomplete, ctx.Err())
		}
		return "", -1, err
	}
	return text, 0, nil
}

// redacted is err with a message made of format and args, the key and
// any token taken out.
func (c *Chat) redacted(err error, format string, args ...any) error {
	return &remote.RedactedError{Msg: remote.Redact(fmt.Sprintf(format, args...), c.key), Err: err}
}

// stallReader pushes the stall deadline back at every byte read.
type stallReader struct {
	r     io.Reader
	stall *time.Timer
	every time.Duration
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.stall.Reset(s.every)
	}
	return n, err
}

// choice is the part of a completion (or of one streamed chunk) read.
type choice struct {
	Delta struct {
		Content *string `json:"content"`
	} `json:"delta"`
	Message struct {
		Content *string `json:"content"`
	} `json:"message"`
	FinishReason *string `json:"finish_reason"`
}

type completion struct {
	Choices []choice `json:"choices"`
	Error   *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// finished says whether a finish reason means the model ended its answer.
func finished(reason *string) (bool, error) {
	switch {
	case reason == nil:
		return false, nil
	case *reason == "length":
		return false, fmt.Errorf("%w: the model stopped at its length limit before it finished (raise the model's output limit on the server, or transform a shorter part)", ErrIncomplete)
	case *reason == "content_filter":
		return false, fmt.Errorf("%w: the server's content filter stopped the answer", ErrIncomplete)
	}
	return true, nil
}

// readStream reads server-sent events: "data: <chunk>" lines, events
// ending at a blank line, comments (": ...") ignored, "data: [DONE]" the
// end. A stream that ends without [DONE] is whole only if a chunk said
// its finish reason.
func (c *Chat) readStream(r io.Reader, progress func(string)) (string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxAnswer)
	var text strings.Builder
	var data []string
	done, ended := false, false // the model finished; the server said [DONE]
	dispatch := func() error {
		if len(data) == 0 {
			return nil
		}
		payload := strings.Join(data, "\n")
		data = data[:0]
		if strings.TrimSpace(payload) == "[DONE]" {
			done, ended = true, true
			return nil
		}
		var chunk completion
		if err := json.Unmarshal([]byte(payload), &chunk); err != nil {
			return fmt.Errorf("the chat server sent a chunk that is not the expected JSON (%v): %s", err, remote.Clip(remote.Redact(payload, c.key), 200))
		}
		if chunk.Error != nil {
			return fmt.Errorf("%w: the chat server reported an error in the middle of its answer: %s", ErrIncomplete, remote.Clip(remote.Redact(chunk.Error.Message, c.key), 500))
		}
		for _, ch := range chunk.Choices[:min(1, len(chunk.Choices))] {
			if ch.Delta.Content != nil && *ch.Delta.Content != "" {
				if text.Len()+len(*ch.Delta.Content) > maxAnswer {
					return fmt.Errorf("the answer is over %d MB, more than a note holds", maxAnswer>>20)
				}
				text.WriteString(*ch.Delta.Content)
				if progress != nil {
					progress(text.String())
				}
			}
			ok, err := finished(ch.FinishReason)
			if err != nil {
				return err
			}
			if ok {
				done = true
			}
		}
		return nil
	}
	for !ended && sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case line == "":
			if err := dispatch(); err != nil {
				return "", err
			}
		case strings.HasPrefix(line, ":"): // a comment: keep-alive
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		} // other fields (event:, id:, retry:) say nothing here
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return "", fmt.Errorf("the chat server sent a line over %d MB", maxAnswer>>20)
		}
		if !done {
			return "", fmt.Errorf("%w: the stream was cut after %d characters (%v)", ErrIncomplete, text.Len(), err)
		}
	}
	if err := dispatch(); err != nil { // a last event without its blank line
		return "", err
	}
	if !done {
		return "", fmt.Errorf("%w: the stream ended after %d characters without saying it was done", ErrIncomplete, text.Len())
	}
	return text.String(), nil
}

// readWhole reads an answer that is not streamed (a server that ignores
// "stream": true answers with one JSON completion).
func (c *Chat) readWhole(r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxAnswer+1))
	if err != nil {
		return "", fmt.Errorf("%w: reading the chat server's answer: %v", ErrIncomplete, err)
	}
	var comp completion
	if err := json.Unmarshal(data, &comp); err != nil {
		return "", fmt.Errorf("the chat server's answer is not the expected JSON (%v): %s", err, remote.Clip(remote.Redact(string(data), c.key), 200))
	}
	if comp.Error != nil {
		return "", fmt.Errorf("the chat server answered with an error: %s", remote.Clip(remote.Redact(comp.Error.Message, c.key), 500))
	}
	if len(comp.Choices) == 0 || comp.Choices[0].Message.Content == nil {
		return "", errors.New("the chat server's answer holds no message")
	}
	if _, err := finished(comp.Choices[0].FinishReason); err != nil {
		return "", err
	}
	return *comp.Choices[0].Message.Content, nil
}

// Models asks the server which models it offers (GET {base}/models), for
// Settings' Test button.
func (c *Chat) Models(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.String()+"/models", nil)
	if err != nil {
		return nil, err
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, c.redacted(err, "could not reach the chat server at %s: %v", c.base.Host, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode != http.StatusOK {
		apiErr := &APIError{Server: "the chat server", Status: resp.StatusCode, Message: remote.Clip(remote.Redact(remote.ErrorMessage(data), c.key), 500)}
		if resp.StatusCode == http.StatusUnauthorized {
			apiErr.Advice = "the API key was refused: check it"
		}
		return nil, apiErr
	}
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("%s answered, but not with a model list", c.base.Host)
	}
	var ids []string
	for _, m := range list.Data {
		ids = append(ids, m.ID)
	}
	return ids, nil
}
