package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/merge"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// A note's transcripts (every machine text it had, transcribe.Versions),
// the places a re-transcription could not merge (marked in the text), and
// the corrections the person makes, which the window offers to remember
// in the vault's vocabulary.

// TranscriptsDialog is the list of a note's transcripts (exported for
// tests).
type TranscriptsDialog struct {
	Dialog   dialog.Dialog
	Versions []transcribe.Version
	Restore  []*widget.Button // one a version
}

// ShowTranscripts lists the selected note's transcripts, each with what
// made it, and offers to restore one. done (may be nil) gets the dialog
// once it shows.
func (w *Window) ShowTranscripts(done func(*TranscriptsDialog)) {
	n := w.selected
	if n == nil {
		return
	}
	v := w.svc.Vault
	w.saver.flush(n)
	go func() {
		w.saver.wait()
		fresh, err := v.Note(n.ID)
		var versions []transcribe.Version
		if err == nil {
			versions, err = transcribe.Versions(v, fresh)
		}
		w.do(func() {
			if err != nil {
				w.showError(err)
				return
			}
			d := w.transcriptsDialog(fresh, versions)
			if done != nil {
				done(d)
			}
		})
	}()
}

func (w *Window) transcriptsDialog(n *persistence.Note, versions []transcribe.Version) *TranscriptsDialog {
	td := &TranscriptsDialog{Versions: versions}
	rows := container.NewVBox()
	if len(versions) == 0 {
		l := widget.NewLabel("No transcripts are kept for this note yet: from its next transcription on, each one is kept here with the engine that made it.")
		l.Wrapping = fyne.TextWrapWord
		rows.Add(l)
	}
	for i := len(versions) - 1; i >= 0; i-- { // newest first
		ver := versions[i]
		made := []string{ver.Engine}
		for _, s := range []string{ver.Model, ver.Server, ver.Language} {
			if s != "" {
				made = append(made, s)
			}
		}
		head := fmt.Sprintf("%d · %s · %s · %d words", ver.N, ver.At.Local().Format("2 Jan 2006 15:04"), strings.Join(made, " · "), len(strings.Fields(ver.Text)))
		if ver.Current {
			head += " · the note's machine text"
		}
		title := widget.NewLabelWithStyle(head, fyne.TextAlignLeading, fyne.TextStyle{Bold: ver.Current})
		preview := widget.NewLabel(shorten(ver.Text, 160))
		preview.Wrapping = fyne.TextWrapWord
		preview.Importance = widget.LowImportance
		k := ver.N
		restore := widget.NewButtonWithIcon("Restore", theme.HistoryIcon(), func() {
			td.Dialog.Hide()
			w.restoreTranscript(n, k)
		})
		if ver.Current && transcribe.Hash(n.Body) == n.TranscriptHash {
			restore.Disable() // it is the text
		}
		td.Restore = append([]*widget.Button{restore}, td.Restore...)
		rows.Add(container.NewBorder(nil, nil, nil, restore, container.NewVBox(title, preview)))
	}
	folder := widget.NewButtonWithIcon("Show folder", theme.FolderOpenIcon(), func() { w.revealPath(w.svc.Vault.HistoryDir(n.ID)) })
	if len(versions) == 0 {
		folder.Disable()
	}
	note := widget.NewLabel("Restoring keeps the text you have now in the note's history (.voicenotes/history); Undo (Ctrl+Z) brings it back.")
	note.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(rows)
	scroll.SetMinSize(fyne.NewSize(560, 320))
	td.Dialog = dialog.NewCustom("Transcripts of \""+displayTitle(n)+"\"", "Close", container.NewBorder(nil, container.NewVBox(note, folder), nil, nil, scroll), w.win)
	td.Dialog.Show()
	return td
}

// restoreTranscript makes version k the note's text, off the UI thread,
// with an Undo that puts the text back.
func (w *Window) restoreTranscript(n *persistence.Note, k int) {
	v := w.svc.Vault
	go func() {
		before, err := v.Note(n.ID)
		var restored *persistence.Note
		if err == nil {
			restored, err = transcribe.Restore(v, n.ID, k)
		}
		w.do(func() {
			if err != nil {
				w.showError(err)
				return
			}
			w.mergeNotes(map[string]*persistence.Note{restored.Path: restored})
			w.selectByID(n.ID)
			w.pushUndo(func() error {
				back, err := v.Update(n.ID, func(x *persistence.Note) error {
					x.Body, x.TranscriptHash, x.Engine, x.Language, x.Transformed = before.Body, before.TranscriptHash, before.Engine, before.Language, before.Transformed
					return nil
				})
				if err != nil {
					return err
				}
				w.mergeNotes(map[string]*persistence.Note{back.Path: back})
				w.selectByID(n.ID)
				w.setStatus("Restore undone")
				return nil
			})
			w.setStatus(fmt.Sprintf("Transcript %d restored; your text before is kept", k))
		})
	}()
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// showConflictsButton shows "Choose…" while the note's text holds places
// a re-transcription could not merge.
func (w *Window) showConflictsButton() {
	if w.conflictsButton == nil {
		return
	}
	c := 0
	if w.selected != nil {
		c = len(merge.Find(w.editor.Text))
	}
	if c == 0 {
		w.conflictsButton.Hide()
		return
	}
	w.conflictsButton.SetText(fmt.Sprintf("Choose (%d)…", c))
	w.conflictsButton.Show()
}

// ConflictsDialog is the list of places to choose (exported for tests).
type ConflictsDialog struct {
	Dialog        dialog.Dialog
	Yours, Theirs []*widget.Button
}

// ShowConflicts lists the places where the person and the last
// transcript changed the same words, each with "Keep yours" and "Take
// new"; a choice replaces the mark in the text (and is saved as typing
// is).
func (w *Window) ShowConflicts() *ConflictsDialog {
	if w.selected == nil {
		return nil
	}
	places := merge.Find(w.editor.Text)
	if len(places) == 0 {
		return nil
	}
	cd := &ConflictsDialog{}
	rows := container.NewVBox()
	intro := widget.NewLabel("Where you changed words that the new transcript also heard differently, both are kept in the text as ⟦yours: … ‖ new: …⟧. Choose one for each:")
	intro.Wrapping = fyne.TextWrapWord
	rows.Add(intro)
	for i, p := range places {
		what := widget.NewLabel(fmt.Sprintf("%d. yours: %s\n    new: %s", i+1, shorten(p.Mine, 80), shorten(p.Theirs, 80)))
		what.Wrapping = fyne.TextWrapWord
		var yours, theirs *widget.Button
		choose := func(keepYours bool) func() {
			return func() {
				// The text may have changed since: the i-th mark as it is now.
				now := merge.Find(w.editor.Text)
				idx := -1
				for j, q := range now {
					if q.Conflict == p.Conflict {
						idx = j
						break
					}
				}
				if idx < 0 {
					w.setStatus("That place was already chosen")
				} else {
					w.editor.SetText(merge.Resolve(w.editor.Text, now[idx], keepYours))
				}
				yours.Disable()
				theirs.Disable()
				w.showConflictsButton()
				if len(merge.Find(w.editor.Text)) == 0 {
					cd.Dialog.Hide()
					w.setStatus("Every place is chosen")
				}
			}
		}
		yours = widget.NewButton("Keep yours", choose(true))
		theirs = widget.NewButton("Take new", choose(false))
		cd.Yours, cd.Theirs = append(cd.Yours, yours), append(cd.Theirs, theirs)
		rows.Add(container.NewBorder(nil, nil, nil, container.NewHBox(yours, theirs), what))
	}
	scroll := container.NewVScroll(rows)
	scroll.SetMinSize(fyne.NewSize(520, 260))
	cd.Dialog = dialog.NewCustom("Choose between your words and the new transcript", "Close", scroll, w.win)
	cd.Dialog.Show()
	return cd
}

// Learning from corrections: once an edit is saved, the words the person
// replaced in the machine text are compared with the vocabulary; one it
// lacks (and the person has not declined) is offered in a bar above the
// text. Nothing is remembered unless the person says so.

// offerCorrection looks, off the UI thread, for a correction in note n
// to offer.
func (w *Window) offerCorrection(n *persistence.Note) {
	if w.learnBar == nil || n == nil || strings.TrimSpace(n.Body) == "" || transcribe.Hash(n.Body) == n.TranscriptHash {
		return
	}
	v := w.svc.Vault
	id, body, hash := n.ID, n.Body, n.TranscriptHash
	declined := make(map[transcribe.Rule]bool, len(w.declined))
	for r := range w.declined {
		declined[r] = true
	}
	go func() {
		machine, ok := w.machineText(v, id, hash)
		if !ok {
			return
		}
		voc, _ := transcribe.LoadVocabulary(v)
		var offer *transcribe.Rule
		for _, r := range transcribe.Corrections(machine, body) {
			if !voc.Knows(r) && !declined[r] {
				offer = &r
				break
			}
		}
		w.do(func() {
			if w.selected == nil || w.selected.ID != id {
				return
			}
			if offer == nil {
				w.learnBar.Hide()
				return
			}
			w.offered = *offer
			w.learnText.SetText(fmt.Sprintf("Remember \u201c%s\u201d \u2192 \u201c%s\u201d for future transcripts?", offer.Wrong, offer.Right))
			w.learnBar.Show()
		})
	}()
}

// machineText is the machine text note id's body started from (its
// current transcript version), cached by its hash.
func (w *Window) machineText(v *persistence.Vault, id, hash string) (string, bool) {
	w.machineMu.Lock()
	if c, ok := w.machine[id]; ok && c.hash == hash {
		w.machineMu.Unlock()
		return c.text, true
	}
	w.machineMu.Unlock()
	n, err := v.Note(id)
	if err != nil {
		return "", false
	}
	versions, err := transcribe.Versions(v, n)
	if err != nil {
		return "", false
	}
	for _, ver := range versions {
		if ver.Hash == hash {
			w.machineMu.Lock()
			w.machine[id] = machineCache{hash, ver.Text}
			w.machineMu.Unlock()
			return ver.Text, true
		}
	}
	return "", false
}

type machineCache struct{ hash, text string }

// RememberCorrection adds the offered correction to the vocabulary.
func (w *Window) RememberCorrection() {
	r := w.offered
	w.learnBar.Hide()
	if r.Wrong == "" {
		return
	}
	v := w.svc.Vault
	go func() {
		err := transcribe.Remember(v, r)
		w.do(func() {
			if err != nil {
				w.showError(err)
				return
			}
			w.setStatus(fmt.Sprintf("Remembered: %s (in %s)", r, transcribe.VocabularyFile))
		})
	}()
}

// DeclineCorrection hides the offer and does not make it again.
func (w *Window) DeclineCorrection() {
	w.declined[w.offered] = true
	w.learnBar.Hide()
}

// buildLearnBar makes the bar that offers a correction.
func (w *Window) buildLearnBar() fyne.CanvasObject {
	w.learnText = widget.NewLabel("")
	w.learnText.Wrapping = fyne.TextWrapWord
	w.learnYes = widget.NewButton("Remember", w.RememberCorrection)
	w.learnYes.Importance = widget.HighImportance
	w.learnNo = widget.NewButton("Not now", w.DeclineCorrection)
	w.learnBar = container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), container.NewHBox(w.learnYes, w.learnNo), w.learnText)
	w.learnBar.Hide()
	return w.learnBar
}

// VocabularyEditor edits the vault's vocabulary.md (exported for tests).
type VocabularyEditor struct {
	Dialog dialog.Dialog
	Text   *widget.Entry
	Status *widget.Label
	save   func() error
}

// Save writes the text to the vocabulary file (the dialog's Save).
func (e *VocabularyEditor) Save() error { return e.save() }

// ShowVocabulary opens the vocabulary to edit: a word or phrase a line,
// or a rule "heard → meant"; Save writes the file.
func (w *Window) ShowVocabulary() *VocabularyEditor {
	v := w.svc.Vault
	e := &VocabularyEditor{Text: widget.NewMultiLineEntry(), Status: widget.NewLabel("")}
	e.Text.SetMinRowsVisible(12)
	e.Status.Wrapping = fyne.TextWrapWord
	text, err := transcribe.ReadVocabularyText(v)
	if err != nil {
		e.Status.SetText("✗ " + err.Error())
	}
	if text == "" {
		text = transcribe.VocabularyHeader
	}
	e.Text.SetText(text)
	help := widget.NewLabel("One word or phrase a line for the engines to know (names, jargon), or a rule \u201cheard \u2192 meant\u201d for what they hear wrong. The file is " + transcribe.VocabularyPath(v) + ".")
	help.Wrapping = fyne.TextWrapWord
	e.save = func() error {
		if err := transcribe.SaveVocabulary(v, e.Text.Text); err != nil {
			return err
		}
		voc := transcribe.ParseVocabulary(e.Text.Text)
		w.setStatus(fmt.Sprintf("Vocabulary saved: %d words, %d rules", len(voc.Terms), len(voc.Rules)))
		return nil
	}
	e.Dialog = dialog.NewCustomConfirm("Vocabulary", "Save", "Cancel", container.NewBorder(help, e.Status, nil, nil, e.Text), func(ok bool) {
		if ok {
			if err := e.Save(); err != nil {
				w.showError(err)
			}
		}
	}, w.win)
	e.Dialog.Resize(fyne.NewSize(600, 480))
	e.Dialog.Show()
	return e
}
