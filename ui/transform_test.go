package ui

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/voicenotes/voicenotes/internal/fakechat"
	"github.com/voicenotes/voicenotes/internal/vaulttest"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/settings"
	"github.com/voicenotes/voicenotes/transcribe"
	"github.com/voicenotes/voicenotes/transform"
	"github.com/zalando/go-keyring"
)

// transformWindow is a window on a vault with one note, its chat server
// the fake f.
func transformWindow(t *testing.T, f *fakechat.Server) (*Window, *persistence.Vault, *persistence.Note, []*transform.Transformation) {
	t.Helper()
	w, v := newTestWindow(t, nil)
	base := fakechat.Start(t, f)
	s := w.settings()
	s.ChatBaseURL, s.ChatModel = base, "llama3.2"
	if err := settings.Save(w.app.Preferences(), s, nil); err != nil {
		t.Fatal(err)
	}
	n := addNote(t, v, "Groceries", "um so milk and uh eggs\n")
	w.Reload()
	w.selectByID(n.ID)
	ts, _, err := transform.Load(v)
	if err != nil {
		t.Fatal(err)
	}
	return w, v, n, ts
}

// TestTransformInTheWindow: Clean up on the shown note streams its answer
// into the dialog, replaces the text in the editor and on disk, and Undo
// puts the words back.
func TestTransformInTheWindow(t *testing.T) {
	var w *Window
	streamed := false
	f := &fakechat.Server{Pieces: 4, Answer: func(fakechat.Request) string { return "So: milk and eggs." }}
	f.AfterFirst = func() { streamed = true }
	w, v, n, ts := transformWindow(t, f)
	clean, _ := transform.Find(ts, "clean-up")
	w.RunTransformation(ts, clean)
	if w.transforming == nil {
		t.Fatal("no dialog shows the transformation")
	}
	eventually(t, "the transformation to end", func() bool { return w.transforming == nil })
	if !streamed {
		t.Error("the answer was not streamed")
	}
	if w.editor.Text != "So: milk and eggs.\n" {
		t.Errorf("editor %q", w.editor.Text)
	}
	if got, _ := v.Note(n.ID); got.Body != "So: milk and eggs.\n" || len(got.Transformed) != 1 {
		t.Errorf("on disk %q %q", got.Body, got.Transformed)
	}
	if !strings.Contains(w.status.Text, "Clean up") || w.undo.Hidden {
		t.Errorf("status %q, undo hidden %v", w.status.Text, w.undo.Hidden)
	}
	w.Undo()
	if got, _ := v.Note(n.ID); got.Body != "um so milk and uh eggs\n" || len(got.Transformed) != 0 {
		t.Errorf("after Undo on disk %q %q", got.Body, got.Transformed)
	}
	eventually(t, "the editor to show the words back", func() bool { return w.editor.Text == "um so milk and uh eggs\n" })
}

// TestCancelATransformation: Cancel while the answer streams ends it; the
// note is as it was.
func TestCancelATransformation(t *testing.T) {
	f := &fakechat.Server{Pieces: 4, StallAfter: 2, Answer: func(fakechat.Request) string { return "Summary: milk and eggs to buy." }}
	w, v, n, ts := transformWindow(t, f)
	before, _ := v.Note(n.ID)
	sum, _ := transform.Find(ts, "summary")
	w.RunTransformation(ts, sum)
	eventually(t, "the first words of the answer", func() bool { return strings.HasPrefix(w.transformResultLines(), "Summary") })
	w.transforming.Hide() // the dialog's Cancel button
	eventually(t, "the transformation to end", func() bool { return w.transforming == nil })
	if got, _ := v.Note(n.ID); got.Body != before.Body || len(got.Transformed) != 0 {
		t.Errorf("after Cancel on disk %q %q", got.Body, got.Transformed)
	}
	if !strings.Contains(w.status.Text, "cancelled") || w.editor.Text != before.Body {
		t.Errorf("status %q, editor %q", w.status.Text, w.editor.Text)
	}
}

// TestTransformWithoutAServer: no chat server in Settings is said, and
// nothing runs.
func TestTransformWithoutAServer(t *testing.T) {
	w, v := newTestWindow(t, nil)
	n := addNote(t, v, "A", "text\n")
	w.Reload()
	w.selectByID(n.ID)
	ts, _, _ := transform.Load(v)
	w.RunTransformation(ts, ts[0])
	if w.transforming != nil {
		t.Error("a transformation started without a chat server")
	}
	if _, _, err := w.chatSetup(); err == nil || !strings.Contains(err.Error(), "Settings") {
		t.Errorf("%v", err)
	}
}

// TestSettingsChatServer: Settings take the chat server, its model and
// key (to the keychain); Test lists the server's models and says whether
// the chosen one is offered; plain http to another computer is refused.
func TestSettingsChatServer(t *testing.T) {
	keyring.MockInit()
	w, _ := newTestWindow(t, nil)
	f := &fakechat.Server{Key: "sk-chat"}
	base := fakechat.Start(t, f)
	form := w.ShowSettings()
	form.ChatBaseURL.SetText(base)
	form.ChatModel.SetText("llama3.2")
	form.ChatKey.SetText("sk-chat")
	test.Tap(form.TestChat)
	eventually(t, "the test's answer", func() bool {
		return strings.HasPrefix(form.ChatStatus.Text, "✓") || strings.HasPrefix(form.ChatStatus.Text, "✗")
	})
	if !strings.Contains(form.ChatStatus.Text, `"llama3.2" is offered`) {
		t.Errorf("test: %q", form.ChatStatus.Text)
	}
	form.ChatModel.SetText("gpt-5-imaginary")
	test.Tap(form.TestChat)
	eventually(t, "the test's answer", func() bool { return strings.HasPrefix(form.ChatStatus.Text, "✗") })
	if !strings.Contains(form.ChatStatus.Text, "llama3.2") {
		t.Errorf("a model not offered: %q", form.ChatStatus.Text)
	}
	form.ChatModel.SetText("llama3.2")
	if err := saveSettings(t, w, form); err != nil {
		t.Fatal(err)
	}
	if s := w.settings(); s.ChatBaseURL != base || s.ChatModel != "llama3.2" {
		t.Errorf("saved %q %q", s.ChatBaseURL, s.ChatModel)
	}
	if k, err := transcribe.KeychainAPIKey(base); err != nil || k != "sk-chat" {
		t.Errorf("keychain holds %q, %v", k, err)
	}
	form = w.ShowSettings()
	form.ChatBaseURL.SetText("http://chat.example.com/v1")
	if form.ChatBaseURL.Validate() == nil {
		t.Error("plain http to another computer passes the field's check")
	}
	if err := saveSettings(t, w, form); err == nil || !strings.Contains(err.Error(), "unencrypted") {
		t.Errorf("saving plain http elsewhere: %v", err)
	}
	if s := w.settings(); s.ChatBaseURL != base {
		t.Errorf("a refused save changed the chat server to %q", s.ChatBaseURL)
	}
}

// TestAutoTransformAfterTranscription: with Clean up set to run after
// each transcription, a note transcribed in the window is queued for it
// as its transcription begins, cleaned once the transcript is saved, and
// shown cleaned; the queue is empty after.
func TestAutoTransformAfterTranscription(t *testing.T) {
	f := &fakechat.Server{Answer: func(req fakechat.Request) string {
		if strings.Contains(req.Messages[len(req.Messages)-1].Content, "the words") {
			return "The words."
		}
		return "NOT THE TRANSCRIPT"
	}}
	w, v, _, ts := transformWindow(t, f)
	// The note is transcribed once, queued below: the window's own look
	// for notes waiting (which a build with an offline engine makes at
	// start) would queue it a second time, and a second transcript runs
	// the transformation again, as it should.
	s := w.settings()
	s.Engine = ""
	if err := settings.Save(w.app.Preferences(), s, nil); err != nil {
		t.Fatal(err)
	}
	clean, _ := transform.Find(ts, "clean-up")
	clean.Auto = true
	if err := transform.Save(v, clean); err != nil {
		t.Fatal(err)
	}
	n := v.NewNote()
	n.Title = "Spoken"
	vaulttest.SaveWithAudio(t, v, n, []byte("RIFF"), ".wav")
	w.svc.Engine = func() (transcribe.Engine, transcribe.Options, error) { return wordsEngine{}, transcribe.Options{}, nil }
	close(w.stop) // restart the background work with this engine, as at launch
	w.stop = make(chan struct{})
	w.startBackground()
	w.Reload()
	w.selectByID(n.ID)
	w.queue.Enqueue(n.ID)
	eventually(t, "the cleaned transcript on screen", func() bool { return w.editor.Text == "The words.\n" })
	got, _ := v.Note(n.ID)
	if got.Body != "The words.\n" || len(got.Transformed) != 1 || got.TranscriptionStatus != persistence.StatusDone {
		t.Errorf("on disk: %q %q %s", got.Body, got.Transformed, got.TranscriptionStatus)
	}
	if p, _ := transform.Pending(v); len(p) != 0 {
		t.Errorf("still queued: %v", p)
	}
	h, _ := transform.History(v, n.ID)
	if len(h) != 1 {
		t.Fatalf("history %v", h)
	}
	if kept, _ := transform.ReadKept(h[0]); kept != "the words\n" {
		t.Errorf("the transcript as the engine wrote it is not kept: %q", kept)
	}
}

// TestTransformEditor: the editor lists the vault's transformations,
// saves a change to one into its file, refuses a prompt that never gives
// the model the note and a chain that loops (saying why), and makes new
// ones and copies as files of their own.
func TestTransformEditor(t *testing.T) {
	w, v := newTestWindow(t, nil)
	e := w.ShowTransformEditor()
	if len(e.list.Options) != 4 {
		t.Fatalf("listed %q", e.list.Options)
	}
	e.list.SetSelected("Summary (summary)")
	if e.current == nil || e.current.Name != "summary" || e.heading.Text != "Summary" {
		t.Fatalf("summary not shown: %+v", e.current)
	}
	e.prompt.SetText("Three bullet points of {{transcript}}")
	e.heading.SetText("In short")
	e.temp.SetText("0.7")
	if _, err := w.saveTransformation(e); err != nil {
		t.Fatal(err)
	}
	ts, _, _ := transform.Load(v)
	sum, _ := transform.Find(ts, "summary")
	if sum.Prompt != "Three bullet points of {{transcript}}" || sum.HeadingText() != "In short" || *sum.Temperature != 0.7 || sum.Output != transform.Section {
		t.Errorf("saved %+v", sum)
	}
	e.show(nil) // New
	e.name.SetText("meeting")
	e.title.SetText("Meeting notes")
	e.output.SetSelected(outputLabels[transform.NewNote])
	e.prompt.SetText("Write minutes.")
	if _, err := w.saveTransformation(e); err == nil || !strings.Contains(err.Error(), "{{transcript}}") {
		t.Errorf("a prompt without the note: %v", err)
	}
	e.prompt.SetText("Write minutes of {{transcript}}")
	if _, err := w.saveTransformation(e); err != nil {
		t.Fatal(err)
	}
	// Summary, then meeting, then summary again: a loop, refused.
	ts, _, _ = transform.Load(v)
	m, _ := transform.Find(ts, "meeting")
	e.all = ts
	e.then.SetOptions(append([]string{noNext}, namesOf(ts)...))
	e.show(m)
	e.then.SetSelected("summary")
	if _, err := w.saveTransformation(e); err != nil {
		t.Fatal(err)
	}
	ts, _, _ = transform.Load(v)
	e.all = ts
	e.show(sum)
	e.then.SetSelected("meeting")
	if _, err := w.saveTransformation(e); err == nil || !strings.Contains(err.Error(), "loop") {
		t.Errorf("a loop: %v", err)
	}
	e.show(nil)
	e.name.SetText("meeting")
	e.prompt.SetText("{{transcript}}")
	if _, err := w.saveTransformation(e); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("a second 'meeting': %v", err)
	}
	ts, _, _ = transform.Load(v)
	m, err := transform.Find(ts, "meeting")
	if err != nil || m.Title != "Meeting notes" || m.Output != transform.NewNote || m.Then != "summary" {
		t.Fatalf("meeting: %+v %v", m, err)
	}
	if len(ts) != 5 {
		t.Errorf("%d transformations", len(ts))
	}
}

// TestSettingsDictation: Settings keep whether a dictation's words are
// typed, the transformation they go through, whether they are pasted
// (and with what) and whether dictation plays its sounds.
func TestSettingsDictation(t *testing.T) {
	w, _ := newTestWindow(t, nil)
	f := w.ShowSettings()
	if !f.DictationTypes.Checked || f.DictationTransform.Selected != noTransform {
		t.Errorf("defaults: types %v, transform %q", f.DictationTypes.Checked, f.DictationTransform.Selected)
	}
	f.DictationTypes.SetChecked(false)
	f.DictationTransform.SetSelected("clean-up")
	if err := saveSettings(t, w, f); err != nil {
		t.Fatal(err)
	}
	if s := w.settings(); s.DictationTypes || s.DictationTransform != "clean-up" {
		t.Errorf("saved: types %v, transform %q", s.DictationTypes, s.DictationTransform)
	}
	f = w.ShowSettings()
	if f.DictationTypes.Checked || f.DictationTransform.Selected != "clean-up" {
		t.Errorf("shown again: types %v, transform %q", f.DictationTypes.Checked, f.DictationTransform.Selected)
	}
	// How the words go in, and the sounds.
	if f.DictationPaste.Selected != typeKeys || f.DictationSounds.Checked {
		t.Errorf("defaults: put in by %q, sounds %v", f.DictationPaste.Selected, f.DictationSounds.Checked)
	}
	f.DictationPaste.SetSelected(pasteWith + "Ctrl+Shift+V")
	f.DictationSounds.SetChecked(true)
	if err := saveSettings(t, w, f); err != nil {
		t.Fatal(err)
	}
	if s := w.settings(); s.DictationPaste != "Ctrl+Shift+V" || !s.DictationSounds {
		t.Errorf("saved: paste %q, sounds %v", s.DictationPaste, s.DictationSounds)
	}
	f = w.ShowSettings()
	if f.DictationPaste.Selected != pasteWith+"Ctrl+Shift+V" || !f.DictationSounds.Checked {
		t.Errorf("shown again: put in by %q, sounds %v", f.DictationPaste.Selected, f.DictationSounds.Checked)
	}
	f.DictationPaste.SetSelected(typeKeys)
	if err := saveSettings(t, w, f); err != nil {
		t.Fatal(err)
	}
	if s := w.settings(); s.DictationPaste != "" {
		t.Errorf("typing chosen again, saved paste %q", s.DictationPaste)
	}
	bad := w.settings()
	bad.DictationPaste = "Ctrl+Q"
	if err := bad.Validate(nil); err == nil || !strings.Contains(err.Error(), "Ctrl+Q") {
		t.Errorf("pasting with Ctrl+Q: %v", err)
	}
}

// TestDictationCopiesWhereItCannotType: a dictation started and stopped
// from outside (voicenotes dictate) is a note tagged dictation; with no
// window to type into (none had the keyboard here), its words are on the
// clipboard and the window says why they were not typed.
func TestDictationCopiesWhereItCannotType(t *testing.T) {
	t.Setenv("DISPLAY", "")
	w, v := newTestWindow(t, nil)
	s := w.settings()
	s.Engine, s.AutoTranscribe = transcribe.PocketSphinxName, true // any engine: the window is handed wordsEngine
	if err := settings.Save(w.app.Preferences(), s, nil); err != nil {
		t.Fatal(err)
	}
	w.svc.Engine = func() (transcribe.Engine, transcribe.Options, error) { return wordsEngine{}, transcribe.Options{}, nil }
	close(w.stop)
	w.stop = make(chan struct{})
	w.startBackground()
	if got := w.Dictate(0, ""); got != "dictating" {
		t.Fatalf("first dictate: %q", got)
	}
	eventually(t, "the dictation recording", func() bool { return w.rec != nil && w.rec.s != nil && w.rec.s.Elapsed() >= 300*time.Millisecond })
	if got := w.Dictate(0, ""); got != "stopped" {
		t.Fatalf("second dictate: %q", got)
	}
	eventually(t, "the words on the clipboard", func() bool { return w.app.Clipboard().Content() == "the words" })
	eventually(t, "the window saying why", func() bool { return strings.Contains(w.status.Text, "copied, not typed") })
	notes, _, _ := v.List()
	if len(notes) != 1 || !slices.Contains(notes[0].Tags, DictationTag) {
		t.Errorf("notes %d, tags %v", len(notes), notes[0].Tags)
	}
}

// fakeGrab stands for keyboard.Grab: it hands the test the shortcut's
// press and release.
type fakeGrab struct {
	combo    string
	down, up func()
	closed   atomic.Bool // closed off the UI thread
}

func (g *fakeGrab) Close() error { g.closed.Store(true); return nil }

// TestDictationShortcut: the shortcut chosen in Settings is taken for the
// whole desktop; pressed, it starts a dictation and pressed again stops
// it; as push-to-talk, letting go stops it; a change in Settings takes
// the new one and gives the old back; one another program holds is said
// in Settings.
func TestDictationShortcut(t *testing.T) {
	t.Setenv("DISPLAY", "")
	w, _ := newTestWindow(t, nil)
	var g, esc *fakeGrab
	w.svc.GrabKey = func(combo string, down, up func()) (io.Closer, error) {
		switch combo {
		case "Ctrl+Alt+T":
			return nil, errors.New("Ctrl+Alt+T is taken by another program")
		case "Escape":
			esc = &fakeGrab{combo: combo, down: down, up: up}
			return esc, nil
		}
		g = &fakeGrab{combo: combo, down: down, up: up}
		return g, nil
	}
	w.grabDictationKey(nil)
	eventually(t, "the shortcut taken", func() bool { return w.dictKey.grabbed != nil })
	if g == nil || g.combo != settings.DefaultDictationKey {
		t.Fatalf("grabbed %+v, want %s", g, settings.DefaultDictationKey)
	}
	g.down()
	eventually(t, "a dictation started by the shortcut", func() bool { return w.rec != nil && w.rec.dict != nil && w.rec.s != nil })
	g.up() // toggle: letting go does nothing
	pump()
	if w.rec == nil {
		t.Fatal("letting go of a toggle shortcut stopped the dictation")
	}
	g.down()
	eventually(t, "the dictation stopped by the shortcut", func() bool { return w.rec == nil })
	if esc == nil {
		t.Fatal("Esc was not taken while dictating")
	}
	eventually(t, "Esc given back once the dictation is saved", func() bool { return esc.closed.Load() })
	// Esc while dictating: the dictation ends, nothing is typed, the
	// recording is kept.
	w.app.Clipboard().SetContent("what was there")
	g.down()
	eventually(t, "a dictation", func() bool {
		return w.rec != nil && w.rec.dict != nil && w.rec.s != nil && w.rec.s.Elapsed() > 200*time.Millisecond
	})
	esc.down()
	eventually(t, "the dictation cancelled", func() bool { return w.rec == nil && strings.Contains(w.status.Text, "cancelled") && esc.closed.Load() })
	if w.app.Clipboard().Content() != "what was there" {
		t.Errorf("after Esc: Esc given back %v, clipboard %q", esc.closed.Load(), w.app.Clipboard().Content())
	}
	if notes, _, _ := w.svc.Vault.List(); len(notes) != 2 {
		t.Errorf("%d notes after two dictations, one cancelled", len(notes))
	}
	first := g
	f := w.ShowSettings()
	if !strings.Contains(f.DictationKeyState.Text, "works in every app") {
		t.Errorf("Settings say %q", f.DictationKeyState.Text)
	}
	f.DictationHold.SetChecked(true)
	if err := saveSettings(t, w, f); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the shortcut taken again as push-to-talk, the old one given back", func() bool { return first.closed.Load() && g != first })
	g.down()
	eventually(t, "a dictation while held", func() bool { return w.rec != nil && w.rec.dict != nil && w.rec.s != nil })
	g.up()
	eventually(t, "the dictation stopped when let go", func() bool { return w.rec == nil })
	// Its note saved (the session ends off the UI thread) before the
	// test goes on, and its folder is removed.
	eventually(t, "the third dictation's note", func() bool { return len(w.notes) == 3 })
	f = w.ShowSettings()
	f.DictationKey.SetText("Ctrl+Alt+T")
	if err := saveSettings(t, w, f); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.status.Text, "taken by another program") {
		t.Errorf("status %q", w.status.Text)
	}
	if f := w.ShowSettings(); !strings.Contains(f.DictationKeyState.Text, "taken") {
		t.Errorf("Settings say %q", f.DictationKeyState.Text)
	}
}

// transformResultLines is the answer so far as the dialog shows it.
func (w *Window) transformResultLines() string {
	if w.transformText == nil {
		return ""
	}
	return strings.TrimSpace(w.transformText.Text)
}

// failingEngine is an engine whose server refuses every transcription.
type failingEngine struct{}

func (failingEngine) Name() string { return "failing" }
func (failingEngine) Transcribe(context.Context, string, transcribe.Options, func(float64)) (*transcribe.Result, error) {
	return nil, errors.New("the server answered 503 Service Unavailable")
}

// TestDictationWhoseTranscriptionFails: the engine fails; the clipboard
// keeps what it held, nothing is typed, the note is kept with its audio
// and marked FAILED with why, and the window says the recording is kept.
func TestDictationWhoseTranscriptionFails(t *testing.T) {
	t.Setenv("DISPLAY", "")
	w, v := newTestWindow(t, nil)
	s := w.settings()
	s.Engine, s.AutoTranscribe = transcribe.OpenAIName, true
	s.BaseURL, s.Model = "http://127.0.0.1:1/v1", "whisper-1"
	if err := settings.Save(w.app.Preferences(), s, nil); err != nil {
		t.Fatal(err)
	}
	w.svc.Engine = func() (transcribe.Engine, transcribe.Options, error) {
		return failingEngine{}, transcribe.Options{}, nil
	}
	close(w.stop)
	w.stop = make(chan struct{})
	w.startBackground()
	w.app.Clipboard().SetContent("what I copied before")
	if got := w.Dictate(0, ""); got != "dictating" {
		t.Fatalf("first dictate: %q", got)
	}
	eventually(t, "the dictation recording", func() bool { return w.rec != nil && w.rec.s != nil && w.rec.s.Elapsed() >= 300*time.Millisecond })
	w.Dictate(0, "")
	eventually(t, "the window saying the recording is kept", func() bool {
		return strings.Contains(w.status.Text, "could not be transcribed (the server answered 503")
	})
	if got := w.app.Clipboard().Content(); got != "what I copied before" {
		t.Errorf("the clipboard holds %q", got)
	}
	notes, _, _ := v.List()
	if len(notes) != 1 || notes[0].TranscriptionStatus != persistence.StatusFailed || !strings.Contains(notes[0].TranscriptionError, "503") || !slices.Contains(notes[0].Tags, DictationTag) {
		t.Fatalf("notes %+v", notes)
	}
	if _, ok := v.AudioPath(notes[0]); !ok {
		t.Error("the dictation's audio is gone")
	}
	if label, _ := w.TrayState(); label != "Idle" {
		t.Errorf("the tray says %q", label)
	}
}
