package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/vaulttest"
	"github.com/voicenotes/voicenotes/persistence"
)

// clockSink is a speaker that takes audio at the pace a device would.
type clockSink struct {
	mu      sync.Mutex
	written int
	start   time.Time
}

func (s *clockSink) Format() (int, int) { return 16000, 1 }
func (s *clockSink) Close() error       { return nil }
func (s *clockSink) Write(buf []float32) error {
	s.mu.Lock()
	if s.start.IsZero() {
		s.start = time.Now()
	}
	s.written += len(buf)
	due := s.start.Add(time.Duration(s.written) * time.Second / 16000)
	s.mu.Unlock()
	time.Sleep(time.Until(due))
	return nil
}

// TestFollowAlong: a note with word timings gets a Follow tab with its
// words as edited; tapping a word plays from it and marks it; the mark
// moves with playback; Ctrl+→ goes to the next sentence, → skips 5 s;
// a note without timings has no Follow tab.
func TestFollowAlong(t *testing.T) {
	w, v := newTestWindow(t, nil)
	w.svc.OpenOutput = func(rate, channels int) (audio.Sink, error) { return &clockSink{}, nil }
	n := v.NewNote()
	n.Title, n.Body, n.TranscriptionStatus = "timed", "first words here. then the second sentence goes on for a while.\n", persistence.StatusDone
	n.Markers, n.Duration = []persistence.Marker{{At: 5 * time.Second, Label: "the point"}}, 12*time.Second
	s := make([]int16, 16000*12) // 12 s of audio
	vaulttest.SaveWithAudio(t, v, n, audio.EncodePCM16(16000, 1, s), ".wav")
	vtt := "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\nfirst words here.\n\n00:00:06.000 --> 00:00:11.000\nthen the second sentence goes on for a while.\n"
	if err := os.WriteFile(v.TimingsPath(n), []byte(vtt), 0o600); err != nil {
		t.Fatal(err)
	}
	plain := addNote(t, v, "untimed", "no timings")
	w.Reload()
	w.selectByID(n.ID)
	eventually(t, "the Follow tab", func() bool { return len(w.tabs.Items) == 3 })
	// The Preview has the marker as a heading where it was dropped.
	w.tabs.SelectIndex(1)
	if p := w.preview.String(); !(strings.Index(p, "here.") < strings.Index(p, "⚑ 0:05 — the point") && strings.Index(p, "⚑ 0:05 — the point") < strings.Index(p, "then the second")) {
		t.Errorf("the Preview does not have the marker before 'then':\n%s", p)
	}
	w.tabs.Select(w.followTab)
	if len(w.follow.chips) != 12 {
		t.Fatalf("%d words in Follow, want 12", len(w.follow.chips))
	}
	// The marker at 5 s stands before "then" (said at 6 s).
	if objs := w.followFlow.Objects; len(objs) != 13 || objs[3].(*wordChip).word.Text != "⚑ 0:05 — the point" || objs[4] != w.follow.chips[3] {
		t.Errorf("the marker is not before 'then' in Follow")
	}
	if got := w.waveform.Markers(); len(got) != 1 || got[0] < 0.41 || got[0] > 0.42 {
		t.Errorf("waveform markers %v, want one at 5/12", got)
	}
	// Tap "then": playback starts at 6 s and "then" is marked.
	test.Tap(w.follow.chips[3])
	eventually(t, "playing from 'then'", func() bool { return w.playPos >= 6*time.Second && w.follow.marked >= 3 })
	if w.follow.chips[3].word.Text != "then" || w.follow.marked > 4 {
		t.Errorf("marked word %d after tapping 'then'", w.follow.marked)
	}
	// The mark follows playback.
	eventually(t, "the mark to move on", func() bool { return w.follow.marked >= 5 })
	// ← skips 5 s back.
	w.win.Canvas().Unfocus()
	w.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyLeft})
	eventually(t, "5 s back", func() bool { return w.playPos < 6*time.Second })
	// Ctrl+← from inside the second sentence's first second goes to the
	// first sentence: "first".
	w.sentence(-1)
	eventually(t, "the first sentence", func() bool { return w.follow.marked == 0 })
	w.sentence(1)
	eventually(t, "the next sentence", func() bool { return w.follow.marked == 3 })
	// Hovering a word says when it was said.
	w.hoverWord(w.follow.words[4], true)
	if !strings.Contains(w.followAt.Text, "“the” at 0:0") {
		t.Errorf("hover: %q", w.followAt.Text)
	}
	w.stopPlayback()
	// The caret on "then" in the transcript says when it was said, and
	// Ctrl+Enter plays from there (also after an edit elsewhere).
	w.tabs.SelectIndex(0)
	w.win.Canvas().Focus(w.editor)
	w.editor.SetText("First words here. " + w.editor.Text[len("first words here. "):])
	for range len("First words here. t") {
		w.editor.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	}
	eventually(t, "the time of the word at the caret", func() bool {
		return w.caretAt.Visible() && strings.HasPrefix(w.caretAt.Text, "“then” was said at 0:06")
	})
	w.editor.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
	eventually(t, "playing from the caret's word", func() bool {
		return w.player != nil && w.player.player.Playing() && w.playPos >= 6*time.Second && w.playPos < 7*time.Second
	})
	if strings.Contains(w.editor.Text, "\n\n") {
		t.Error("Ctrl+Enter typed a line break into the transcript")
	}
	w.stopPlayback()
	// Export as subtitles from the window: a .srt name makes SRT from
	// the timings, with the edit above in it.
	// The export dialog names the formats; subtitles are offered.
	w.ExportSelected()
	if opts := w.exportChoice.Options; !slices.Contains(opts, "Subtitles (SRT)") || !slices.Contains(opts, "Subtitles (WebVTT)") || !slices.Contains(opts, "Markdown") {
		t.Errorf("the export dialog offers %q", opts)
	}
	w.exportDialog.Hide()
	srt := filepath.Join(t.TempDir(), "timed.srt")
	if err := w.exportTo(w.selected, srt); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(srt); !strings.HasPrefix(string(data), "1\n00:00:00,000 --> 00:00:03,000\nFirst words here.\n") {
		t.Errorf("the window's SRT export:\n%s", data)
	}
	// A word typed since has no time of its own: the hint says so and
	// names the spoken word nearest it, which Ctrl+Enter plays from.
	w.editor.SetText("First words here. really " + w.editor.Text[len("First words here. "):])
	w.editor.CursorRow, w.editor.CursorColumn = 0, 0
	for range len("First words here. re") {
		w.editor.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	}
	eventually(t, "the hint for a typed word", func() bool {
		return w.caretAt.Visible() && strings.HasPrefix(w.caretAt.Text, "“really” was typed, not said · the nearest spoken word, “here.”, at 0:0")
	})
	w.editor.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
	eventually(t, "playing from the spoken word nearest the typed one", func() bool {
		return w.player != nil && w.player.player.Playing() && w.playPos < 3*time.Second
	})
	w.stopPlayback()
	// A note without timings: no Follow tab.
	w.selectByID(plain.ID)
	eventually(t, "no Follow tab", func() bool { return len(w.tabs.Items) == 2 })
	if err := w.exportTo(plain, filepath.Join(t.TempDir(), "plain.vtt")); err == nil || !strings.Contains(err.Error(), "transcribe it again") {
		t.Errorf("VTT export of a note without timings: %v", err)
	}
	w.ExportSelected()
	if opts := w.exportChoice.Options; len(opts) != 3 || slices.ContainsFunc(opts, func(o string) bool { return strings.Contains(o, "Subtitles") }) {
		t.Errorf("for a note without timings the export dialog offers %q; want no subtitles", opts)
	}
	w.exportDialog.Hide()
	// The edit above is saved before the vault's folder goes.
	if err := w.Shutdown(); err != nil {
		t.Error(err)
	}
}

// TestPlaybackSpeed: the speed chosen applies to the playing audio and to
// later playback, and is remembered for the next window.
func TestPlaybackSpeed(t *testing.T) {
	w, v := newTestWindow(t, nil)
	w.svc.OpenOutput = func(rate, channels int) (audio.Sink, error) { return &clockSink{}, nil }
	n := v.NewNote()
	n.TranscriptionStatus = persistence.StatusDone
	s := make([]int16, 16000*5)
	vaulttest.SaveWithAudio(t, v, n, audio.EncodePCM16(16000, 1, s), ".wav")
	w.Reload()
	w.selectByID(n.ID)
	if w.speedSelect.Selected != "1×" {
		t.Fatalf("first speed %q", w.speedSelect.Selected)
	}
	test.Tap(w.playButton)
	w.speedSelect.SetSelected("1.5×")
	if w.player == nil || w.player.player.Speed() != 1.5 {
		t.Fatal("the playing audio did not take the new speed")
	}
	w.stopPlayback()
	test.Tap(w.playButton)
	if w.player.player.Speed() != 1.5 {
		t.Errorf("playing again: speed %v", w.player.player.Speed())
	}
	w.stopPlayback()
	// Remembered: a new window starts at it.
	again := New(w.app, w.svc)
	got := again.speedSelect.Selected
	again.Shutdown()
	if got != "1.5×" {
		t.Errorf("a new window shows %q", got)
	}
}

// TestMarkWhileRecording: `voicenotes mark LABEL` (through the window's
// command handler) and Ctrl+M drop markers in the recording in progress,
// which the saved note has; with no recording the command says so.
func TestMarkWhileRecording(t *testing.T) {
	w, v := newTestWindow(t, nil)
	command := func(cmd string) string {
		reply := make(chan string, 1)
		go func() { reply <- w.HandleCommand(cmd) }()
		var r string
		eventually(t, "the reply to "+cmd, func() bool {
			select {
			case r = <-reply:
				return true
			default:
				return false
			}
		})
		return r
	}
	if r := command("mark"); r != "not recording" {
		t.Errorf("mark with no recording: %q", r)
	}
	test.Tap(w.recordButton)
	eventually(t, "half a second recorded", func() bool { return w.rec != nil && w.rec.s != nil && w.rec.s.Elapsed() >= 500*time.Millisecond })
	if r := command("mark the budget part"); !strings.HasPrefix(r, "marked at 0:0") {
		t.Errorf("mark: %q", r)
	}
	// Ctrl+M while typing in the search field: the field passes it on.
	w.win.Canvas().Focus(w.search)
	w.win.Canvas().Focused().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierShortcutDefault})
	eventually(t, "the status to tell of the unlabelled marker", func() bool { return regexp.MustCompile(`^Marker at 0:0\d$`).MatchString(w.status.Text) })
	if r := command("markdown"); !strings.HasPrefix(r, "unknown command") {
		t.Errorf("a command that only starts with mark: %q", r)
	}
	// Ctrl+R in the tag field stops and saves, and Ctrl+A there still
	// selects its text (a field's own shortcuts stay its own).
	w.win.Canvas().Focus(w.tagField)
	w.tagField.SetText("idea")
	w.tagField.TypedShortcut(&fyne.ShortcutSelectAll{})
	if got := w.tagField.SelectedText(); got != "idea" {
		t.Errorf("Ctrl+A in the tag field selected %q", got)
	}
	w.tagField.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault})
	eventually(t, "the note saved", func() bool { return len(w.notes) == 1 })
	n, _ := v.Note(w.notes[0].ID)
	if len(n.Markers) != 2 || n.Markers[0].Label != "the budget part" || n.Markers[0].At < 400*time.Millisecond {
		t.Errorf("the note's markers: %+v", n.Markers)
	}
}

// TestFollowScrollsToTheLastWord: a transcript longer than the tab is laid
// out as tall as its words take at the tab's width, so the scroller
// reaches the last word.
func TestFollowScrollsToTheLastWord(t *testing.T) {
	w, v := newTestWindow(t, nil)
	w.win.Resize(fyne.NewSize(1100, 700))
	n := v.NewNote()
	var words, cues []string
	for i := range 400 {
		words = append(words, fmt.Sprintf("word%d", i))
		cues = append(cues, fmt.Sprintf("\n%s --> %s\nword%d\n", vttStamp(i), vttStamp(i+1), i))
	}
	n.Title, n.Body, n.TranscriptionStatus = "long", strings.Join(words, " "), persistence.StatusDone
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(v.TimingsPath(n), []byte("WEBVTT\n"+strings.Join(cues, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	w.Reload()
	w.selectByID(n.ID)
	eventually(t, "the Follow tab", func() bool { return len(w.tabs.Items) == 3 })
	w.tabs.Select(w.followTab)
	eventually(t, "the words laid out", func() bool { return len(w.follow.chips) == 400 && w.followFlow.Size().Width > 0 })
	last := w.follow.chips[399]
	bottom := last.Position().Y + last.Size().Height
	if h := w.followFlow.Size().Height; bottom > h+0.5 || h < 10*last.Size().Height {
		t.Errorf("the words end at %v in a container %v high: the last ones cannot be scrolled to", bottom, h)
	}
	// Narrower: more rows, and the container grows with them.
	before := w.followFlow.Size().Height
	w.win.Resize(fyne.NewSize(800, 700))
	bottom = last.Position().Y + last.Size().Height
	if h := w.followFlow.Size().Height; h <= before || bottom > h+0.5 {
		t.Errorf("after narrowing the window: words end at %v in a container %v high (was %v)", bottom, h, before)
	}
}

func vttStamp(i int) string { return fmt.Sprintf("00:%02d:%02d.000", i/60, i%60) }
