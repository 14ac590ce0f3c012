//go:build unix

package transcribe

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
)

// TestUploadIsTheFileChecked: the recording's name is swapped for a link
// to a private file after the upload began (another program writing in
// the vault), and the server asks for a retry. Every attempt sends the
// recording that was checked, never the file the link now names.
func TestUploadIsTheFileChecked(t *testing.T) {
	f := &fakeAPI{key: "k", script: []int{503}}
	f.t = t
	path := speechWAV(t, 1, 10)
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(tempdir.New(t), "private.txt")
	if err := os.WriteFile(secret, bytes.Repeat([]byte("my password "), 100), 0o600); err != nil {
		t.Fatal(err)
	}
	var swapped atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if swapped.CompareAndSwap(false, true) {
			if err := os.Remove(path); err != nil {
				t.Error(err)
			}
			if err := os.Symlink(secret, path); err != nil {
				t.Error(err)
			}
		}
		f.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	o, err := NewOpenAI(Config{BaseURL: srv.URL + "/v1", Model: "whisper-1", APIKey: f.key})
	if err != nil {
		t.Fatal(err)
	}
	o.MaxBackoff = time.Second
	if _, err := o.Transcribe(context.Background(), path, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	if len(f.uploads) != 2 {
		t.Fatalf("%d uploads; want the first (answered 503) and its retry", len(f.uploads))
	}
	for i, got := range f.uploads {
		if bytes.Contains(got, []byte("password")) {
			t.Fatalf("upload %d sent the private file the name was swapped for", i+1)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("upload %d is not the recording's bytes (%d bytes, want %d)", i+1, len(got), len(want))
		}
	}
}

// TestUploadRefusesALink: the engine is handed a file a link in the
// vault names, resolved and checked; a link in its place by the time it
// opens it is refused, not followed.
func TestUploadRefusesALink(t *testing.T) {
	f := &fakeAPI{key: "k"}
	o, _ := newFake(t, f)
	dir := tempdir.New(t)
	secret := filepath.Join(dir, "private.txt")
	if err := os.WriteFile(secret, []byte("my password"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "a1.wav")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Transcribe(context.Background(), link, Options{}, nil); err == nil {
		t.Fatal("a link was uploaded")
	}
	if len(f.uploads) != 0 {
		t.Fatalf("%d uploads through a link", len(f.uploads))
	}
}
