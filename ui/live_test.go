package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/voicenotes/voicenotes/transcribe"
)

// countingEngine "hears" a word in every quarter second of audio:
// word1 word2 …, so the live text grows as the recording does.
type countingEngine struct{}

func (countingEngine) Name() string { return "counting" }
func (countingEngine) Transcribe(context.Context, string, transcribe.Options, func(float64)) (*transcribe.Result, error) {
	return &transcribe.Result{}, nil
}
func (countingEngine) Stream(transcribe.Options) (transcribe.Stream, error) {
	return &countingStream{}, nil
}

type countingStream struct {
	mu      sync.Mutex
	samples int
}

func (c *countingStream) Write(s []int16) error {
	c.mu.Lock()
	c.samples += len(s)
	c.mu.Unlock()
	return nil
}

func (c *countingStream) Text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var words []string
	for i := range c.samples / 4000 {
		words = append(words, fmt.Sprintf("word%d", i+1))
	}
	return strings.Join(words, " ")
}

func (c *countingStream) Finish() (*transcribe.Result, error) {
	return &transcribe.Result{Text: c.Text(), Language: "en"}, nil
}
func (c *countingStream) Close() error { return nil }

// TestLivePane: while recording, the note pane is the recording's: the
// title field takes a title for it, the big pane shows the transcript
// growing with its newest words, a marker shows as it is dropped, and a
// row above the list stands for it; choosing another note and then that
// row goes back to it. At Stop the pane becomes the saved note, with the
// typed title and the text that was live.
func TestLivePane(t *testing.T) {
	w, v := newTestWindow(t, nil)
	other := addNote(t, v, "Earlier", "an earlier note")
	w.Reload()
	w.app.Preferences().SetString("engine", "counting") // transcribing as it records
	w.app.Preferences().SetBool("settingsSaved", true)
	w.svc.Engine = func() (transcribe.Engine, transcribe.Options, error) {
		return countingEngine{}, transcribe.Options{}, nil
	}
	w.standby = transcribe.NewStandby(liveEngine(w.app, w.svc.Engine))
	w.selectByID(other.ID)
	test.Tap(w.recordButton)
	if !w.liveShown || w.tabs.Visible() || !w.livePane.Visible() || !w.recordingBox.Visible() || w.selected != nil {
		t.Fatalf("while recording the pane is not the recording's: live %v, tabs %v, row %v, selected %v", w.liveShown, w.tabs.Visible(), w.recordingBox.Visible(), w.selected)
	}
	if w.titleEntry.Disabled() {
		t.Fatal("the title field is disabled while recording")
	}
	test.Type(w.titleEntry, "Plans for Monday")
	eventually(t, "three live words in the pane", func() bool { return strings.Contains(w.liveBody.Text, "word3") })
	m := w.MarkRecording("the point")
	if !strings.HasPrefix(m, "marked at") {
		t.Fatalf("a marker while recording: %q", m)
	}
	eventually(t, "the marker in the pane", func() bool {
		return strings.Contains(w.meta.Text, "⚑ ") && strings.Contains(w.meta.Text, "the point")
	})
	// Away to another note and back by the recording's row.
	w.selectByID(other.ID)
	if w.liveShown || !w.tabs.Visible() || w.editor.Text != "an earlier note" {
		t.Fatalf("choosing a note while recording does not show it: live %v, editor %q", w.liveShown, w.editor.Text)
	}
	test.Tap(w.recordingRow)
	if !w.liveShown || w.titleEntry.Text != "Plans for Monday" {
		t.Fatalf("the recording's row does not bring it back with its title: live %v, title %q", w.liveShown, w.titleEntry.Text)
	}
	eventually(t, "eight live words, the newest in the pane and the toolbar", func() bool {
		return strings.Contains(w.liveBody.Text, "word8") && strings.Contains(w.liveText.Text, "word8") && strings.Contains(w.recordingLine.Text, "word8")
	})
	live := ""
	eventually(t, "the recording stopped", func() bool {
		if w.rec != nil && w.rec.s != nil {
			test.Tap(w.recordButton)
		}
		live = w.liveBody.Text
		return w.rec == nil
	})
	eventually(t, "the saved note in the pane", func() bool { return w.selected != nil && w.selected.ID != other.ID && !w.liveShown })
	if w.titleEntry.Text != "Plans for Monday" || !strings.HasPrefix(w.editor.Text, live) || w.recordingBox.Visible() {
		t.Errorf("after Stop: title %q, text %q (live was %q), row shown %v", w.titleEntry.Text, w.editor.Text, live, w.recordingBox.Visible())
	}
	id := w.selected.ID
	eventually(t, "the typed title on disk", func() bool {
		n, err := v.Note(id)
		return err == nil && n.Title == "Plans for Monday" && !n.AutoTitle && len(n.Markers) == 1
	})
	n, _ := v.Note(id)
	if n.Duration < 2*time.Second || !strings.HasPrefix(n.Body, "word1 word2") {
		t.Errorf("the saved note: %v long, %q", n.Duration, n.Body)
	}
}
