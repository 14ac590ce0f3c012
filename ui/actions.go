package ui

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/export"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

var (
	errNoAudio  = errors.New("this note has no audio file next to it")
	errNoOutput = errors.New("this build cannot play audio: it has no audio output")
)

// Retranscribe queues the selected note again. A transcript the user
// edited is kept, and the new one is put beneath it.
func (w *Window) Retranscribe() {
	n := w.selected
	if n == nil {
		return
	}
	if w.queue == nil || w.settings().Engine == "" {
		w.showError(errors.New("no transcription engine is set up; see Settings"))
		return
	}
	w.saver.flush(n)
	go func() {
		w.saver.wait()
		w.queue.Enqueue(n.ID)
	}()
	w.setStatus("Transcribing " + displayTitle(n) + " again")
}

// CopyText puts the transcript on the clipboard.
func (w *Window) CopyText() {
	if w.selected != nil {
		w.app.Clipboard().SetContent(w.editor.Text)
		w.setStatus("Copied the transcript")
	}
}

// RevealFile opens the folder holding the note in the file manager.
func (w *Window) RevealFile() {
	if w.selected == nil {
		return
	}
	w.revealPath(filepath.Dir(w.selected.Path))
}

// revealPath opens a folder in the file manager.
func (w *Window) revealPath(dir string) {
	u := &url.URL{Scheme: "file", Path: dir}
	if err := w.app.OpenURL(u); err != nil {
		w.showError(fmt.Errorf("could not open the file manager: %w; the folder is %s", err, dir))
	}
}

// DeleteSelected moves the note and its audio to the vault's trash; Undo
// brings it back.
func (w *Window) DeleteSelected() {
	n := w.selected
	if n == nil {
		return
	}
	w.saver.flush(n)
	if err := w.saver.wait(); err != nil {
		w.showError(fmt.Errorf("the note could not be saved before deleting: %w", err))
		return
	}
	w.stopPlayback()
	t, err := w.svc.Vault.Trash(n.ID)
	if err != nil {
		w.showError(err)
		return
	}
	w.pushUndo(func() error {
		if err := w.svc.Vault.Restore(t); err != nil {
			return err
		}
		w.Reload()
		w.selectByID(t.ID)
		w.setStatus("Restored the note")
		return nil
	})
	at := slices.IndexFunc(w.shown, func(o *persistence.Note) bool { return o.ID == n.ID })
	w.selected = nil
	w.Reload()
	w.showNote(nil)
	// The next note takes its place, as in a mail program: Delete again
	// deletes on down the list.
	if len(w.shown) > 0 && at >= 0 {
		w.list.Select(min(at, len(w.shown)-1))
	}
	w.tell(fmt.Sprintf("Moved \"%s\" to the trash", displayTitle(n)))
}

// pushUndo adds what Undo (the button, Ctrl+Z) does next: the last delete
// or transformation, taken back.
func (w *Window) pushUndo(undo func() error) {
	w.undos = append(w.undos, undo)
	w.undo.Show()
}

// Undo takes back the last delete or transformation.
func (w *Window) Undo() {
	if len(w.undos) == 0 {
		return
	}
	undo := w.undos[len(w.undos)-1]
	if err := undo(); err != nil {
		w.showError(err)
		return
	}
	w.undos = w.undos[:len(w.undos)-1]
	if len(w.undos) == 0 {
		w.undo.Hide()
	}
}

// bindKeys sets the keyboard shortcuts.
func (w *Window) bindKeys() {
	c := w.win.Canvas()
	mod := fyne.KeyModifierShortcutDefault
	w.ownKeys = map[string]func(){}
	// own: the window's, also while a text field has the keyboard.
	ownWith := func(m fyne.KeyModifier, key fyne.KeyName, run func()) {
		s := &desktop.CustomShortcut{KeyName: key, Modifier: m}
		c.AddShortcut(s, func(fyne.Shortcut) { run() })
		w.ownKeys[s.ShortcutName()] = run
	}
	own := func(key fyne.KeyName, run func()) { ownWith(mod, key, run) }
	own(fyne.KeyR, w.ToggleRecording)
	own(fyne.KeyM, func() { w.MarkRecording("") })
	own(fyne.KeyF, func() { c.Focus(w.search) })
	own(fyne.KeyT, func() {
		if w.selected != nil {
			c.Focus(w.tagField)
		}
	})
	own(fyne.KeyE, w.ExportSelected)
	ownWith(mod|fyne.KeyModifierShift, fyne.KeyT, w.ShowTransformMenu) // arrows and Enter choose in it
	own(fyne.KeyReturn, w.playFromCaret)
	// Undo (Ctrl+Z reaches the window as Fyne's Undo shortcut) brings back
	// a deleted note when no text field has the keyboard; in a field it
	// undoes typing.
	c.AddShortcut(&fyne.ShortcutUndo{}, func(fyne.Shortcut) { w.Undo() })
	// Ctrl+←/→ move by word in a text field; elsewhere, by sentence.
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: mod}, func(fyne.Shortcut) { w.sentence(-1) })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: mod}, func(fyne.Shortcut) { w.sentence(1) })
	// Keys no focused widget took: Space plays, Delete deletes. Over a
	// dialog they act on nothing behind it; Esc cancels a transformation
	// under way.
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		if c.Overlays().Top() != nil {
			if e.Name == fyne.KeyEscape && w.transforming != nil {
				w.transforming.Hide() // its Cancel
			}
			return
		}
		switch e.Name {
		case fyne.KeySpace:
			w.TogglePlay()
		case fyne.KeyDelete:
			w.DeleteSelected()
		case fyne.KeyEscape:
			w.CancelRecording()
		case fyne.KeyLeft:
			w.skip(-5 * time.Second)
		case fyne.KeyRight:
			w.skip(5 * time.Second)
		}
	})
}

// ExportSelected asks where to save the note; the file name's extension
// (.html, .txt, .md, or .srt and .vtt for subtitles) chooses the format.
// The file is written atomically.
func (w *Window) ExportSelected() {
	n := w.selected
	if n == nil {
		return
	}
	formats := w.exportFormats(n)
	labels := make([]string, len(formats))
	for i, f := range formats {
		labels[i] = f.label
	}
	choice := widget.NewRadioGroup(labels, func(chosen string) { w.trace("export chose %q", chosen) })
	w.exportChoice = choice
	choice.Required = true
	choice.SetSelected(labels[0])
	content := fyne.CanvasObject(choice)
	if len(formats) == len(exportFormats)-len(export.SubtitleFormats) {
		hint := widget.NewLabel("Subtitles (SRT, WebVTT) need word timings: transcribe the note with timings to make them.")
		hint.Wrapping = fyne.TextWrapWord
		hint.Importance = widget.LowImportance
		content = container.NewVBox(choice, hint)
	}
	d := dialog.NewCustomWithoutButtons("Export “"+clip(displayTitle(n))+"” as", content, w.win)
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), d.Hide)
	choose := widget.NewButtonWithIcon("Choose where…", theme.ConfirmIcon(), func() {
		d.Hide()
		for _, f := range formats {
			if f.label == choice.Selected {
				w.exportAs(n, f.ext)
			}
		}
	})
	choose.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{cancel, choose})
	w.exportDialog = d
	d.Resize(fyne.NewSize(460, 300))
	d.Show()
	w.trace("export offers %q", labels)
	w.afterPaint(func() {
		// Where each choice is, as the tests click them.
		gp, gs := w.app.Driver().AbsolutePositionForObject(choice), choice.MinSize()
		row := gs.Height / float32(len(labels))
		for i, l := range labels {
			w.traceBox(fmt.Sprintf("export choice %q", l), gp.AddXY(0, row*float32(i)), fyne.NewSize(gs.Width, row))
		}
		for _, b := range []*widget.Button{cancel, choose} {
			w.traceBox(fmt.Sprintf("export button %q", b.Text), w.app.Driver().AbsolutePositionForObject(b), b.Size())
		}
	})
}

// exportFormat is a format the export dialog offers by name.
type exportFormat struct{ label, ext string }

var exportFormats = []exportFormat{
	{"Web page (HTML, with the audio)", "html"},
	{"Markdown", "md"},
	{"Plain text", "txt"},
	{"Subtitles (SRT)", "srt"},
	{"Subtitles (WebVTT)", "vtt"},
}

// exportFormats are the formats note n can be exported as: subtitles only
// when it has word timings.
func (w *Window) exportFormats(n *persistence.Note) []exportFormat {
	timed, err := export.Timings(w.svc.Vault, n)
	var out []exportFormat
	for _, f := range exportFormats {
		if slices.Contains(export.SubtitleFormats, f.ext) && (err != nil || len(timed) == 0) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// exportAs asks where to write note n as ext, and writes it there.
func (w *Window) exportAs(n *persistence.Note, ext string) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path := wc.URI().Path()
		wc.Close() // written below, atomically, in place of this empty file
		if filepath.Ext(path) == "" {
			path += "." + ext
		}
		if err := w.exportTo(n, path); err != nil {
			w.showError(err)
			return
		}
		w.exportDir = filepath.Dir(path)
		w.setStatus("Exported to " + path)
	}, w.win)
	// Where the last export went, else Documents, else home: left to
	// itself the dialog opened in the app's own settings folder, where
	// nobody looks for a file.
	if dir := w.exportFolder(); dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
		}
	}
	d.SetFileName(strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '-'
		}
		return r
	}, displayTitle(n)) + "." + ext)
	d.SetFilter(storage.NewExtensionFileFilter([]string{"." + ext}))
	d.Show()
	w.trace("export asks where, as %s", ext)
}

// exportFolder is the folder an export is first offered: the last one
// exported to, else the person's Documents, else their home.
func (w *Window) exportFolder() string {
	docs, _ := persistence.DocumentsDir()
	home, _ := os.UserHomeDir()
	for _, dir := range []string{w.exportDir, docs, home} {
		if st, err := os.Stat(dir); dir != "" && err == nil && st.IsDir() {
			return dir
		}
	}
	return ""
}

func (w *Window) exportTo(n *persistence.Note, path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format == "markdown" {
		format = "md"
	}
	if format == "" {
		format, path = "html", path+".html"
	}
	timed, err := export.Timings(w.svc.Vault, n)
	if err != nil && (!errors.Is(err, timeline.ErrTimings) || slices.Contains(export.SubtitleFormats, format)) {
		return err // wrong timings only place a page's markers; subtitles need them
	}
	var data []byte
	if slices.Contains(export.SubtitleFormats, format) {
		if data, err = export.Subtitles(n, timed, format); err != nil {
			return err
		}
	} else {
		audioPath, _ := w.svc.Vault.AudioPath(n)
		if data, err = export.Render(n, format, audioPath, filepath.Dir(path), timed); err != nil {
			return err
		}
	}
	return persistence.WriteFile(persistence.OS, path, data, persistence.FilePerm)
}
