//go:build unix

package transcribe

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/vaulttest"
	"github.com/voicenotes/voicenotes/persistence"
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

// TestUploadRefusesAFileSwappedAfterTheCheck: the note's audio is checked
// to be in the vault, then its folder is replaced by a link to a folder
// outside holding a private file of the same name (a program writing
// into the vault, between the check and the open). Opening without
// following the last name's link does not see a folder's: the upload
// compares the file it opened with the one checked, and sends nothing.
func TestUploadRefusesAFileSwappedAfterTheCheck(t *testing.T) {
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := v.NewNote()
	speech, _ := os.ReadFile(speechWAV(t, 2, 10))
	vaulttest.SaveWithAudio(t, v, n, speech, ".wav")
	f := &fakeAPI{key: "sk-test"}
	o, _ := newFake(t, f)

	path, checked, ok := v.AudioTargetInfo(n)
	if !ok {
		t.Fatal("the note's audio was not found")
	}
	if _, err := o.Transcribe(context.Background(), path, Options{Audio: checked}, nil); err != nil || len(f.uploads) != 1 {
		t.Fatalf("the checked file itself: %v, %d uploads", err, len(f.uploads))
	}

	path, checked, _ = v.AudioTargetInfo(n)
	outside := tempdir.New(t)
	secret := append([]byte("RIFF private "), bytes.Repeat([]byte("secret "), 100)...)
	if err := os.WriteFile(filepath.Join(outside, filepath.Base(path)), secret, 0o600); err != nil {
		t.Fatal(err)
	}
	rec := v.RecordingsPath()
	if err := os.Rename(rec, rec+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, rec); err != nil {
		t.Fatal(err)
	}
	_, err = o.Transcribe(context.Background(), path, Options{Audio: checked}, nil)
	if len(f.uploads) != 1 {
		t.Fatalf("a file outside the vault was sent (%d uploads; the last %.20q)", len(f.uploads), f.uploads[len(f.uploads)-1])
	}
	if err == nil || !strings.Contains(err.Error(), "nothing was sent") {
		t.Errorf("the refusal says %v", err)
	}
	// The scenario is real: without the identity, the open reaches the
	// file outside.
	if _, err := o.Transcribe(context.Background(), path, Options{}, nil); len(f.uploads) != 2 || !bytes.HasPrefix(f.uploads[1], []byte("RIFF private")) {
		t.Errorf("without the check: %v, %d uploads", err, len(f.uploads))
	}
}

// TestSplitDecodesTheFileChecked: a recording too large to send whole and
// not WAV is decoded by ffmpeg to be split. Its folder is replaced by a
// link to a folder outside holding another file of the same name after
// the file was opened and checked, before ffmpeg reads it: what is sent
// is still the recording, decoded from the handle checked, not the file
// the name now reaches.
func TestSplitDecodesTheFileChecked(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
	mp3 := func(secs float64) []byte {
		out := filepath.Join(tempdir.New(t), "a.mp3")
		if b, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", speechWAV(t, secs, 3), "-c:a", "libmp3lame", "-b:a", "320k", out).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v\n%s", err, b)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := v.NewNote()
	vaulttest.SaveWithAudio(t, v, n, mp3(12), ".mp3") // about 480 kB
	path, checked, ok := v.AudioTargetInfo(n)
	if !ok {
		t.Fatal("the note's audio was not found")
	}
	outside := tempdir.New(t)
	if err := os.WriteFile(filepath.Join(outside, filepath.Base(path)), mp3(3), 0o600); err != nil {
		t.Fatal(err)
	}
	// sent is the seconds of audio uploaded.
	sent := func(uploads [][]byte) (secs float64) {
		for _, u := range uploads {
			secs += float64(len(u)-44) / 2 / audio.StoreRate
		}
		return secs
	}
	f := &fakeAPI{key: "sk-test"}
	o, _ := newFake(t, f)
	o.ChunkBytes = 44 + 2*audio.StoreRate*4 // four seconds a piece
	rec := v.RecordingsPath()
	swap := func() {
		if err := os.Rename(rec, rec+".moved"); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(outside, rec); err != nil {
			t.Fatal(err)
		}
	}
	splitting = swap
	defer func() { splitting = nil }()
	if _, err := o.Transcribe(context.Background(), path, Options{Audio: checked}, nil); err != nil {
		t.Fatal(err)
	}
	if got := sent(f.uploads); len(f.uploads) < 3 || got < 11.5 || got > 12.5 {
		t.Fatalf("%d pieces of %.1f s in all were sent, want the 12 s recording's (3 s: the file outside the vault)", len(f.uploads), got)
	}
	// The scenario is real: by name, the same swap reaches the file
	// outside.
	if err := os.Remove(rec); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(rec+".moved", rec); err != nil {
		t.Fatal(err)
	}
	swap()
	r, done, err := audio.OpenAudio(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if d := r.Duration().Seconds(); d > 4 {
		t.Errorf("decoded by name after the swap: %.1f s, want the 3 s file outside (the swap did not take)", d)
	}
}
