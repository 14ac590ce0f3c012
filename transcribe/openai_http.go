package transcribe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/internal/remote"
)

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
	return remote.ParseBaseURL(s, "your voice", "https://api.openai.com/v1")
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
		return "", &remote.RedactedError{Msg: o.redact(fmt.Sprintf("could not reach %s: %v", o.base.Host, err)), Err: err}
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
	apiErr := &APIError{Server: "transcription server", Status: resp.StatusCode, Message: remote.Clip(o.redact(remote.ErrorMessage(data)), maxMessage)}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		apiErr.Advice = "the API key was refused: check it"
	case http.StatusForbidden:
		apiErr.Advice = "this key may not use this service"
	}
	return "", apiErr
}

// APIError is an answer the server gave that no retry will change.
type APIError = remote.APIError

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
	if opt.Prompt != "" {
		w.WriteField("prompt", opt.Prompt)
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
		if errors.Is(err, remote.ErrRedirect) {
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
	apiErr := &APIError{Server: "transcription server", Status: resp.StatusCode, Message: remote.Clip(o.redact(remote.ErrorMessage(data)), maxMessage)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		apiErr.Advice = "the service is busy; retried"
		return nil, remote.RetryAfter(resp.Header.Get("Retry-After")), apiErr
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
