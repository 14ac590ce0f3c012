package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/transform"
)

// transformEditor is the dialog that edits the vault's transformations:
// each is a file in .voicenotes/transformations, written atomically when
// saved here.
type transformEditor struct {
	dialog   dialog.Dialog
	list     *widget.Select
	name     *widget.Entry // the file name: what the command line calls it
	title    *widget.Entry
	output   *widget.Select
	heading  *widget.Entry
	model    *widget.Entry
	temp     *widget.Entry
	auto     *widget.Check
	then     *widget.Select
	system   *widget.Entry
	prompt   *widget.Entry
	status   *widget.Label
	current  *transform.Transformation // being edited; nil: a new one
	all      []*transform.Transformation
	onChange func()
}

// Outputs as Settings names them.
var outputLabels = map[transform.Output]string{
	transform.Replace:   "Replace the text",
	transform.Section:   "Add a section under the text",
	transform.NewNote:   "Make a new note",
	transform.Clipboard: "Copy to the clipboard only",
}

const noNext = "(nothing)"

// ShowTransformEditor opens the editor of the vault's transformations.
func (w *Window) ShowTransformEditor() *transformEditor {
	e := &transformEditor{
		name: widget.NewEntry(), title: widget.NewEntry(), heading: widget.NewEntry(), model: widget.NewEntry(),
		temp: widget.NewEntry(), auto: widget.NewCheck("Run after each transcription", nil),
		system: widget.NewMultiLineEntry(), prompt: widget.NewMultiLineEntry(), status: widget.NewLabel(""),
	}
	var labels []string
	for _, o := range transform.Outputs {
		labels = append(labels, outputLabels[o])
	}
	e.output = widget.NewSelect(labels, nil)
	e.then = widget.NewSelect([]string{noNext}, nil)
	e.list = widget.NewSelect(nil, func(s string) {
		for _, t := range e.all {
			if t.Title+" ("+t.Name+")" == s {
				e.show(t)
			}
		}
	})
	e.name.SetPlaceHolder("file name, such as meeting-notes")
	e.model.SetPlaceHolder("empty: the chat model in Settings")
	e.temp.SetPlaceHolder("empty: the server's default; 0 to 2")
	e.system.SetPlaceHolder("optional: who the model is and how it answers")
	e.system.SetMinRowsVisible(2)
	e.prompt.SetPlaceHolder("The prompt. {{transcript}} is the note's text; also {{selection}}, {{title}}, {{date}}, {{tags}}.")
	e.prompt.SetMinRowsVisible(8)
	e.prompt.Wrapping, e.system.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
	e.status.Wrapping = fyne.TextWrapWord
	v := w.svc.Vault
	reload := func(want string) {
		ts, bad, err := transform.Load(v)
		if err != nil {
			e.status.SetText("✗ " + err.Error())
			return
		}
		e.all = ts
		var names []string
		for _, t := range ts {
			names = append(names, t.Title+" ("+t.Name+")")
		}
		e.list.SetOptions(names)
		e.then.SetOptions(append([]string{noNext}, namesOf(ts)...))
		var msgs []string
		for _, b := range bad {
			msgs = append(msgs, b.Error())
		}
		e.status.SetText(strings.Join(msgs, "\n"))
		for _, t := range ts {
			if t.Name == want {
				e.list.SetSelected(t.Title + " (" + t.Name + ")")
				return
			}
		}
		if len(ts) > 0 {
			e.list.SetSelected(names[0])
		} else {
			e.show(nil)
		}
	}
	newOne := widget.NewButton("New", func() { e.list.ClearSelected(); e.show(nil) })
	copyOne := widget.NewButton("Copy", func() {
		if e.current == nil {
			return
		}
		c := *e.current
		c.Name, c.Title, c.Path = e.current.Name+"-copy", e.current.Title+" (copy)", ""
		e.list.ClearSelected()
		e.show(&c)
		e.current = nil // saved as a new file
	})
	deleteOne := widget.NewButton("Delete", func() {
		t := e.current
		if t == nil || t.Path == "" {
			return
		}
		dialog.ShowConfirm("Delete "+t.Title+"?", "Its file "+t.Path+" is removed.", func(ok bool) {
			if !ok {
				return
			}
			if err := os.Remove(t.Path); err != nil {
				e.status.SetText("✗ " + err.Error())
				return
			}
			reload("")
			e.changed()
		}, w.win)
	})
	folder := widget.NewButton("Show folder", func() { w.revealPath(transform.Dir(v)) })
	save := widget.NewButton("Save", func() {
		name, err := w.saveTransformation(e)
		if err != nil {
			e.status.SetText("✗ " + err.Error())
			return
		}
		reload(name)
		e.status.SetText("✓ Saved " + name + transform.Ext)
		e.changed()
	})
	save.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem("Name", e.title),
		widget.NewFormItem("File name", e.name),
		widget.NewFormItem("Result", e.output),
		widget.NewFormItem("Section heading", e.heading),
		widget.NewFormItem("Chat model", e.model),
		widget.NewFormItem("Temperature", e.temp),
		widget.NewFormItem("", e.auto),
		widget.NewFormItem("Then", e.then),
		widget.NewFormItem("System message", e.system),
		widget.NewFormItem("Prompt", e.prompt),
	)
	e.output.OnChanged = func(s string) {
		if s == outputLabels[transform.Section] {
			e.heading.Enable()
		} else {
			e.heading.Disable()
		}
	}
	top := container.NewBorder(nil, nil, nil, container.NewHBox(newOne, copyOne, deleteOne, folder), e.list)
	content := container.NewBorder(top, container.NewVBox(e.status, container.NewHBox(save)), nil, nil, container.NewVScroll(form))
	e.dialog = dialog.NewCustom("Transformations", "Close", content, w.win)
	e.dialog.Resize(fyne.NewSize(760, 640))
	reload("")
	e.dialog.Show()
	return e
}

func (e *transformEditor) changed() {
	if e.onChange != nil {
		e.onChange()
	}
}

func namesOf(ts []*transform.Transformation) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

// show fills the form with t (nil: an empty new one).
func (e *transformEditor) show(t *transform.Transformation) {
	e.current = t
	if t == nil {
		t = &transform.Transformation{Output: transform.Section, Prompt: "{{transcript}}"}
	}
	e.name.SetText(t.Name)
	if t.Path != "" {
		e.name.Disable() // renaming is a new file: Copy, then Delete
	} else {
		e.name.Enable()
	}
	e.title.SetText(t.Title)
	e.output.SetSelected(outputLabels[t.Output])
	e.heading.SetText(t.Heading)
	e.model.SetText(t.Model)
	e.temp.SetText("")
	if t.Temperature != nil {
		e.temp.SetText(strconv.FormatFloat(*t.Temperature, 'f', -1, 64))
	}
	e.auto.SetChecked(t.Auto)
	e.then.SetSelected(noNext)
	if t.Then != "" {
		e.then.SetSelected(t.Then)
	}
	e.system.SetText(t.System)
	e.prompt.SetText(t.Prompt)
}

// saveTransformation checks the form and writes its file; it returns the
// name saved.
func (w *Window) saveTransformation(e *transformEditor) (string, error) {
	t := &transform.Transformation{
		Name: strings.TrimSpace(e.name.Text), Title: strings.TrimSpace(e.title.Text), Heading: strings.TrimSpace(e.heading.Text),
		Model: strings.TrimSpace(e.model.Text), Auto: e.auto.Checked, System: e.system.Text, Prompt: e.prompt.Text,
	}
	if t.Title == "" {
		t.Title = t.Name
	}
	for o, l := range outputLabels {
		if l == e.output.Selected {
			t.Output = o
		}
	}
	if s := strings.TrimSpace(e.temp.Text); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return "", fmt.Errorf("temperature %q is not a number from 0 to 2", s)
		}
		t.Temperature = &f
	}
	if e.then.Selected != noNext {
		t.Then = e.then.Selected
	}
	if e.current == nil {
		if _, err := os.Lstat(filepath.Join(transform.Dir(w.svc.Vault), t.Name+transform.Ext)); err == nil {
			return "", fmt.Errorf("there is a transformation %q already: choose another file name", t.Name)
		}
	}
	if t.Then == t.Name {
		return "", errors.New("a transformation cannot be followed by itself")
	}
	all := slices.DeleteFunc(slices.Clone(e.all), func(o *transform.Transformation) bool { return o.Name == t.Name })
	if _, err := transform.Chain(append(all, t), t); err != nil {
		return "", err
	}
	return t.Name, transform.Save(w.svc.Vault, t)
}
