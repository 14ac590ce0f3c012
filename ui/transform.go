package ui

import (
	"context"
	"errors"
	"fmt"
	"log"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
	"github.com/voicenotes/voicenotes/transform"
)

// Transformations in the window: the Transform button's menu lists them;
// one runs on the selected note (or on the transcript's selection), its
// answer streaming into a dialog that can cancel it; Undo takes it back.

// transformView is what the window shows of a transformation.
type transformView struct {
	transformButton *TipButton
	// transforming is the dialog of the transformation under way (nil:
	// none), its text the answer so far, cancelTransform its end.
	transforming    dialog.Dialog
	transformText   *widget.Label
	cancelTransform context.CancelFunc
	// transformMenuList is the vault's transformations as last read, for
	// the menu to show at once (transformMenuVault: which vault's).
	transformMenuList  []*transform.Transformation
	transformMenuVault *persistence.Vault
}

func (w *Window) buildTransformButton() *TipButton {
	w.transformButton = w.newTipButton("Transform", theme.DocumentCreateIcon(), "Clean up, summarise, list action items, write an email… with a chat model (Ctrl+Shift+T; the text before is kept, Undo takes it back)", w.ShowTransformMenu)
	return w.transformButton
}

// ShowTransformMenu lists the vault's transformations under the button.
func (w *Window) ShowTransformMenu() {
	if w.selected == nil || w.transforming != nil {
		return
	}
	// The list read last time shows at once, in the frame of the key
	// that asked for it (keys typed next go to it, not lost while files
	// are read); it is read again off the UI thread for the next time.
	v := w.svc.Vault
	shown := w.transformMenuList != nil && w.transformMenuVault == v
	if shown {
		w.popTransformMenu(w.transformMenuList)
	}
	go func() { // the first time, the shipped ones are written (and synced)
		ts, bad, err := transform.Load(v)
		for _, b := range bad {
			log.Printf("transformations: %v", b)
		}
		w.do(func() {
			if err != nil {
				if !shown {
					w.showError(fmt.Errorf("the transformations could not be read: %w", err))
				}
				return
			}
			w.transformMenuList, w.transformMenuVault = ts, v
			if !shown {
				w.popTransformMenu(ts)
			}
		})
	}()
}

// popTransformMenu shows the menu of transformations under the button.
func (w *Window) popTransformMenu(ts []*transform.Transformation) {
	var items []*fyne.MenuItem
	for _, t := range ts {
		items = append(items, fyne.NewMenuItem(t.Title, func() { w.RunTransformation(ts, t) }))
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem("Edit transformations…", func() { w.ShowTransformEditor() }))
	c := w.win.Canvas()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(w.transformButton)
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c, pos.Add(fyne.NewPos(0, w.transformButton.Size().Height)))
	w.trace("transform menu shown")
}

// chatSetup is the chat server's client and model from Settings, or why
// there is none.
func (w *Window) chatSetup() (*transform.Chat, string, error) {
	s := w.settings()
	if s.ChatBaseURL == "" {
		return nil, "", errors.New("transformations need a chat server: choose one in Settings (OpenAI, Groq, OpenRouter, or Ollama or llama.cpp's server on this computer)")
	}
	key, err := transcribe.LoadAPIKey(s.ChatBaseURL)
	if err != nil {
		// No keychain here: a server on this computer needs no key,
		// and one that does will say so.
		log.Printf("transform: no API key from the keychain (%v); asking without one", err)
		key = ""
	}
	chat, err := transform.NewChat(s.ChatBaseURL, key)
	return chat, s.ChatModel, err
}

// RunTransformation runs t (and its chain) on the selected note, or on
// the transcript's selection if there is one. The note's unsaved typing
// is saved first; the answer streams into a dialog with Cancel; the
// result is saved as t says, and Undo takes it back.
func (w *Window) RunTransformation(ts []*transform.Transformation, t *transform.Transformation) {
	n := w.selected
	if n == nil || w.transforming != nil {
		return
	}
	chain, err := transform.Chain(ts, t)
	if err != nil {
		w.showError(err)
		return
	}
	chat, model, err := w.chatSetup()
	if err != nil {
		w.showError(err)
		return
	}
	selection := ""
	if w.tabs.Selected() == w.tabs.Items[0] {
		selection = w.editor.SelectedText()
	}
	w.saver.flush(n)
	ctx, cancel := context.WithCancel(context.Background())
	w.cancelTransform = cancel
	w.transformText = widget.NewLabel("Waiting for " + chat.Host() + "…")
	w.transformText.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(w.transformText)
	scroll.SetMinSize(fyne.NewSize(520, 260))
	what := t.Title
	if selection != "" {
		what += " (the selected text)"
	}
	d := dialog.NewCustom(what, "Cancel", container.NewBorder(widget.NewProgressBarInfinite(), nil, nil, nil, scroll), w.win)
	d.SetOnClosed(func() { cancel() }) // Cancel, or Esc
	w.transforming = d
	d.Show()
	r := &transform.Runner{Vault: w.svc.Vault, Chat: chat, Model: model}
	id := n.ID
	w.trace("transform %s %s", id, t.Name)
	go func() {
		var steps []transform.Step
		err := w.saver.wait()
		if err == nil {
			steps, err = r.Run(ctx, id, chain, selection, false, func(t *transform.Transformation, sofar string) {
				w.do(func() {
					if w.transformText != nil {
						w.transformText.SetText(sofar)
						scroll.ScrollToBottom()
					}
				})
			})
		}
		w.do(func() { w.transformed(r, id, steps, err, ctx.Err() != nil) })
	}()
}

// transformed shows what a transformation did, on the UI thread.
func (w *Window) transformed(r *transform.Runner, id string, steps []transform.Step, err error, cancelled bool) {
	if d := w.transforming; d != nil {
		w.transforming, w.transformText, w.cancelTransform = nil, nil, nil
		d.Hide()
	}
	changes := map[string]*persistence.Note{}
	var made *persistence.Note
	for _, s := range steps {
		if s.Note != nil {
			changes[s.Note.Path] = s.Note
		}
		if s.New != nil {
			changes[s.New.Path] = s.New
			made = s.New
		}
		if s.T.Output == transform.Clipboard {
			w.app.Clipboard().SetContent(s.Result)
		}
	}
	w.mergeNotes(changes)
	if len(steps) > 0 {
		w.pushUndo(func() error {
			for i := len(steps) - 1; i >= 0; i-- {
				n, err := r.Undo(steps[i])
				if err != nil {
					return err
				}
				if n != nil {
					w.mergeNotes(map[string]*persistence.Note{n.Path: n})
				}
			}
			w.Reload()
			w.selectByID(id)
			w.setStatus("Transformation undone")
			return nil
		})
	}
	switch {
	case cancelled:
		w.tell("Transformation cancelled: the note is as it was")
		w.trace("transform cancelled %s", id)
		return
	case err != nil:
		w.trace("transform failed %s", id)
		w.showError(err)
		return
	}
	last := steps[len(steps)-1]
	w.trace("transformed %s %s", id, last.T.Name)
	switch {
	case last.T.Output == transform.Clipboard:
		w.tell(last.T.Title + ": copied to the clipboard")
	case made != nil:
		w.tell(fmt.Sprintf("%s: made the note \"%s\" (Undo moves it to the trash)", last.T.Title, displayTitle(made)))
	default:
		w.tell(last.T.Title + ": done; the text before is kept (Undo puts it back)")
	}
}
