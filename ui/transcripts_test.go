package ui

import (
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// TestTranscriptsInTheWindow: the person fixes a word PocketSphinx
// misheard; the window offers to remember the correction and, told to,
// writes it to the vocabulary, which the vocabulary editor shows and can
// take out. A new transcript that changed a word the person also changed
// shows "Choose (1)…"; taking the new word replaces the mark and is
// saved. The transcripts dialog lists both versions with their engines;
// restoring the first brings its text back, and Undo the person's.
func TestTranscriptsInTheWindow(t *testing.T) {
	w, v := newTestWindow(t, nil)
	n := addNote(t, v, "Sense", "")
	first := "and mr john guess what and then at leisure to consider\n"
	if _, err := transcribe.Take(v, n.ID, &transcribe.Result{Text: first}, transcribe.Provenance{Engine: transcribe.PocketSphinxName, Model: "en-us"}, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	w.Reload()
	w.selectByID(n.ID)
	pump()
	if w.editor.Text != first || !w.learnBar.Hidden || !w.conflictsButton.Hidden {
		t.Fatalf("shown %q, offer shown %v, choose shown %v", w.editor.Text, !w.learnBar.Hidden, !w.conflictsButton.Hidden)
	}

	// A correction: offered once saved, remembered when the person says.
	fixed := strings.Replace(first, "guess what", "Dashwood", 1)
	w.editor.SetText(fixed)
	eventually(t, "the offer to remember the correction", func() bool { return !w.learnBar.Hidden })
	if got := w.learnText.Text; !strings.Contains(got, "\u201cguess what\u201d \u2192 \u201cDashwood\u201d") {
		t.Errorf("offer %q", got)
	}
	if _, err := os.Stat(transcribe.VocabularyPath(v)); !os.IsNotExist(err) {
		t.Fatal("the vocabulary was written before the person said so")
	}
	test.Tap(w.learnYes)
	eventually(t, "the rule in vocabulary.md", func() bool {
		data, _ := os.ReadFile(transcribe.VocabularyPath(v))
		return strings.Contains(string(data), "guess what → Dashwood\n")
	})
	if !w.learnBar.Hidden {
		t.Error("the offer stayed after it was taken")
	}
	e := w.ShowVocabulary()
	if !strings.Contains(e.Text.Text, "guess what → Dashwood") {
		t.Errorf("the vocabulary editor shows %q", e.Text.Text)
	}
	e.Text.SetText(strings.Replace(e.Text.Text, "guess what → Dashwood\n", "", 1))
	if err := e.Save(); err != nil {
		t.Fatal(err)
	}
	if voc, _ := transcribe.LoadVocabulary(v); len(voc.Rules) != 0 {
		t.Errorf("the rule removed in the editor is still there: %+v", voc.Rules)
	}
	e.Dialog.Hide()

	// The person changes a word; a new transcript changes it too.
	w.editor.SetText(strings.Replace(fixed, "leisure", "time", 1))
	eventually(t, "the edit saved", func() bool { return !w.saver.isDirty(n.ID) })
	second := "And Mister John Dashwood had then pleasure to consider."
	got, err := transcribe.Take(v, n.ID, &transcribe.Result{Text: second}, transcribe.Provenance{Engine: transcribe.OpenAIName, Model: "whisper-1", Server: "api.example.com"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w.onTranscription(transcribe.Update{ID: n.ID, Status: persistence.StatusDone, Note: got})
	eventually(t, "the merged text shown", func() bool { return strings.Contains(w.editor.Text, "⟦yours: time ‖ new: pleasure⟧") })
	if w.conflictsButton.Hidden || w.conflictsButton.Text != "Choose (1)…" {
		t.Fatalf("choose button shown %v, %q", !w.conflictsButton.Hidden, w.conflictsButton.Text)
	}
	cd := w.ShowConflicts()
	test.Tap(cd.Theirs[0])
	if strings.Contains(w.editor.Text, "⟦") || !strings.Contains(w.editor.Text, "had then pleasure to consider") || !w.conflictsButton.Hidden {
		t.Errorf("after taking the new word: %q", w.editor.Text)
	}
	eventually(t, "the choice saved", func() bool {
		n, _ := v.Note(n.ID)
		return n != nil && n.Body == w.editor.Text
	})
	mine := w.editor.Text

	// The transcripts, and a restore with its Undo.
	var td *TranscriptsDialog
	w.ShowTranscripts(func(d *TranscriptsDialog) { td = d })
	eventually(t, "the transcripts dialog", func() bool { return td != nil })
	if len(td.Versions) != 2 || td.Versions[0].Engine != transcribe.PocketSphinxName || td.Versions[1].Server != "api.example.com" || !td.Versions[1].Current {
		t.Fatalf("versions %+v", td.Versions)
	}
	test.Tap(td.Restore[0])
	eventually(t, "version 1 restored", func() bool { return w.editor.Text == first })
	if n, _ := v.Note(n.ID); n.Body != first || n.Engine != transcribe.PocketSphinxName {
		t.Errorf("on disk after the restore: %q by %s", n.Body, n.Engine)
	}
	w.Undo()
	eventually(t, "the person's text back", func() bool { return w.editor.Text == mine })
	if n, _ := v.Note(n.ID); n.Body != mine {
		t.Errorf("on disk after Undo: %q", n.Body)
	}
}

// TestTrayState: the tray says what Voice Notes is doing without the
// window: listening while a recording runs, transcribing while the queue
// works on a note, idle otherwise.
func TestTrayState(t *testing.T) {
	w, _ := newTestWindow(t, nil)
	if label, _ := w.TrayState(); label != "Idle" {
		t.Errorf("at start: %q", label)
	}
	w.ToggleRecording()
	eventually(t, "the recording", func() bool { return w.rec != nil && w.rec.s != nil })
	if label, _ := w.TrayState(); label != "Listening: recording" {
		t.Errorf("recording: %q", label)
	}
	before := len(w.notes)
	w.ToggleRecording()
	// Its note in the list: saved (the window forgets the recording at
	// the stop, before the session's save ends).
	eventually(t, "the recording saved", func() bool { return len(w.notes) == before+1 })
	w.onTranscription(transcribe.Update{ID: "x", Status: persistence.StatusTranscribing, Progress: 0.5})
	pump()
	if label, _ := w.TrayState(); label != "Transcribing…" {
		t.Errorf("transcribing: %q", label)
	}
	w.onTranscription(transcribe.Update{ID: "x", Status: persistence.StatusDone, Progress: 1})
	pump()
	if label, _ := w.TrayState(); label != "Idle" {
		t.Errorf("after: %q", label)
	}
}
