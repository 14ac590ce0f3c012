package session_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/session"
	"github.com/voicenotes/voicenotes/transcribe"
)

const clip = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav"

// clipSource is a microphone that says the LibriVox clip in real time,
// then silence, and tells when it has delivered a given amount.
type clipSource struct {
	samples []int16
	pos     int
	start   time.Time
	mu      sync.Mutex
	marks   map[int]chan struct{}
}

func (c *clipSource) Format() (int, int) { return 16000, 1 }
func (c *clipSource) Close() error       { return nil }
func (c *clipSource) Read(buf []int16) error {
	if c.start.IsZero() {
		c.start = time.Now()
	}
	time.Sleep(time.Until(c.start.Add(time.Duration(c.pos+len(buf)) * time.Second / 16000)))
	for i := range buf {
		buf[i] = 0
		if c.pos+i < len(c.samples) {
			buf[i] = c.samples[c.pos+i]
		}
	}
	c.pos += len(buf)
	c.mu.Lock()
	for at, ch := range c.marks {
		if c.pos >= at {
			close(ch)
			delete(c.marks, at)
		}
	}
	c.mu.Unlock()
	return nil
}

func (c *clipSource) reached(n int) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	if c.marks == nil {
		c.marks = map[int]chan struct{}{}
	}
	c.marks[n] = ch
	return ch
}

func readClip(t *testing.T) []int16 {
	t.Helper()
	if _, err := os.Stat(clip); err != nil {
		t.Skipf("%s is missing: make setup installs pocketsphinx-testdata", clip)
	}
	var s []int16
	if err := audio.ReadMonoFile(context.Background(), clip, 16000, 1600, func(b []int16) error { s = append(s, b...); return nil }, nil); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLiveTextLosesNothingWhileTheModelLoads: capture starts at once; the
// decoder, whose model takes a while to load, gets every sample captured
// meanwhile, so the note's live transcript is exactly what transcribing
// its saved audio gives.
func TestLiveTextLosesNothingWhileTheModelLoads(t *testing.T) {
	engine, err := transcribe.New(transcribe.PocketSphinxName, transcribe.Config{})
	if errors.Is(err, transcribe.ErrUnavailable) {
		t.Skip("this build has no PocketSphinx (build with make, which sets the pocketsphinx tag)")
	}
	if err != nil {
		t.Fatal(err)
	}
	samples := readClip(t)
	v, err := persistence.Open(t.TempDir(), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	src := &clipSource{samples: samples}
	loaded := make(chan struct{})
	var events []session.Event
	var mu sync.Mutex
	s, err := session.Start(session.Config{
		Vault: v, Title: "Austen",
		Open: func() (audio.Source, error) { return src, nil },
		Engine: func() (transcribe.Engine, transcribe.Options, error) {
			<-src.reached(16000) // the model takes a second to load
			close(loaded)
			return engine, transcribe.Options{}, nil
		},
		OnEvent: func(e session.Event) { mu.Lock(); events = append(events, e); mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	<-loaded
	<-src.reached(len(samples) + 8000) // the clip and half a second after it
	n, err := s.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if n.TranscriptionStatus != persistence.StatusDone || n.Engine != transcribe.PocketSphinxName {
		t.Fatalf("note %+v: want the live transcript committed", n)
	}
	path, _ := v.AudioPath(n)
	want, err := engine.Transcribe(context.Background(), path, transcribe.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Note(n.ID); got.Body != want.Text+"\n" {
		t.Errorf("live transcript %q; transcribing the saved audio gives %q", got.Body, want.Text)
	}
	mu.Lock()
	defer mu.Unlock()
	kinds := map[session.Kind]int{}
	for _, e := range events {
		kinds[e.Kind]++
	}
	if kinds[session.Listening] != 1 || kinds[session.Saved] != 1 || kinds[session.Level] == 0 || kinds[session.Text] == 0 {
		t.Errorf("events by kind: %v; want listening and saved once, levels and live text", kinds)
	}
}

// TestStopTwiceAndQueue: without a streaming engine the note is queued;
// a second Stop (Ctrl+C while saving) returns the same note.
func TestStopTwiceAndQueue(t *testing.T) {
	v, err := persistence.Open(t.TempDir(), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	src := &clipSource{}
	var queued []string
	s, err := session.Start(session.Config{
		Vault: v, Open: func() (audio.Source, error) { return src, nil },
		Engine:  func() (transcribe.Engine, transcribe.Options, error) { return fileOnly{}, transcribe.Options{}, nil },
		Enqueue: func(id string) { queued = append(queued, id) },
	})
	if err != nil {
		t.Fatal(err)
	}
	<-src.reached(8000)
	a, errA := s.Stop()
	b, errB := s.Stop()
	if errA != nil || errB != nil || a == nil || a != b {
		t.Fatalf("Stop twice: %v %v / %v %v", a, errA, b, errB)
	}
	if len(queued) != 1 || queued[0] != a.ID {
		t.Errorf("queued %v; want the note %s", queued, a.ID)
	}
	if _, err := os.Stat(filepath.Join(v.RecordingsPath(), a.ID+".wav")); err != nil {
		t.Error(err)
	}
}

// fileOnly is an engine that transcribes files only (as the OpenAI
// engine does); it is never asked to here.
type fileOnly struct{}

func (fileOnly) Name() string { return "file-only" }
func (fileOnly) Transcribe(context.Context, string, transcribe.Options, func(float64)) (*transcribe.Result, error) {
	return nil, errors.New("not called")
}

// TestMarkers: markers dropped while recording land in the note at the
// recording's time; after the recording ends Mark says so; a cancelled
// recording leaves no markers file.
func TestMarkers(t *testing.T) {
	v, err := persistence.Open(t.TempDir(), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	src := &clipSource{}
	var marked []persistence.Marker
	var mu sync.Mutex
	s, err := session.Start(session.Config{
		Vault: v, Open: func() (audio.Source, error) { return src, nil },
		OnEvent: func(e session.Event) {
			if e.Kind == session.Marked {
				mu.Lock()
				marked = append(marked, e.Marker)
				mu.Unlock()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	<-src.reached(16000) // a second said
	a, err := s.Mark("this part matters")
	if err != nil {
		t.Fatal(err)
	}
	<-src.reached(32000)
	b, _ := s.Mark("")
	n, err := s.Stop()
	if err != nil {
		t.Fatal(err)
	}
	// The recorder stores what the device delivered, a moment behind it.
	if a.At < 700*time.Millisecond || a.At > 1200*time.Millisecond || b.At < 1700*time.Millisecond || b.At > 2200*time.Millisecond {
		t.Errorf("markers at %v and %v, want about 1 s and 2 s", a.At, b.At)
	}
	if len(n.Markers) != 2 || n.Markers[0] != a || n.Markers[1] != b {
		t.Errorf("the note's markers %v, want %v %v", n.Markers, a, b)
	}
	mu.Lock()
	if len(marked) != 2 {
		t.Errorf("%d Marked events, want 2", len(marked))
	}
	mu.Unlock()
	if _, err := os.Stat(v.MarkersPath(n.ID)); !os.IsNotExist(err) {
		t.Errorf("the markers file stayed: %v", err)
	}
	if _, err := s.Mark("late"); err == nil {
		t.Error("a marker after the end was taken")
	}

	src2 := &clipSource{}
	s2, _ := session.Start(session.Config{Vault: v, Open: func() (audio.Source, error) { return src2, nil }})
	<-src2.reached(8000)
	s2.Mark("gone with it")
	s2.Cancel()
	if _, err := os.Stat(v.MarkersPath(s2.ID())); !os.IsNotExist(err) {
		t.Errorf("a cancelled recording left its markers: %v", err)
	}
}

// TestKeptAsChosen: with Store "flac" the saved note's audio is FLAC and
// the WAV is gone before the note is queued (the queue reads the kept
// file); a format that cannot be made keeps the WAV and says why.
func TestKeptAsChosen(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
	v, err := persistence.Open(t.TempDir(), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for _, tc := range []struct{ store, ext, warning string }{{"flac", ".flac", ""}, {"mp9", ".wav", "unknown storage format"}} {
		src := &clipSource{samples: readClip(t)}
		var queuedAudio string
		var saved session.Event
		s, err := session.Start(session.Config{
			Vault: v, Open: func() (audio.Source, error) { return src, nil }, Store: tc.store,
			Engine: func() (transcribe.Engine, transcribe.Options, error) { return fileOnly{}, transcribe.Options{}, nil },
			Enqueue: func(id string) {
				n, _ := v.Note(id)
				queuedAudio, _ = v.AudioPath(n)
			},
			OnEvent: func(e session.Event) {
				if e.Kind == session.Saved {
					saved = e
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		<-src.reached(8000)
		n, err := s.Stop()
		if err != nil {
			t.Fatal(err)
		}
		path, _ := v.AudioPath(n)
		if filepath.Ext(path) != tc.ext || filepath.Ext(queuedAudio) != tc.ext || saved.Note == nil || saved.Note.Audio != filepath.Base(path) {
			t.Errorf("store %s: the note's audio is %s, the queue read %s, the window was told %+v", tc.store, path, queuedAudio, saved.Note)
		}
		if !strings.Contains(saved.Warning, tc.warning) || (tc.warning == "") != (saved.Warning == "") {
			t.Errorf("store %s: warning %q", tc.store, saved.Warning)
		}
		if tc.ext != ".wav" {
			if _, err := os.Stat(filepath.Join(v.RecordingsPath(), n.ID+".wav")); !os.IsNotExist(err) {
				t.Errorf("store %s: the WAV stayed (%v)", tc.store, err)
			}
		}
	}
}
