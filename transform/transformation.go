// Package transform turns a note's transcript into the text the person
// wanted (cleaned up, summarised, action items, an email, their own
// prompts) with a chat model on any OpenAI-compatible server.
//
// A transformation is a Markdown file the person owns, in the vault's
// .voicenotes/transformations folder: frontmatter says what it is and
// where its output goes, the body is the prompt. What a transformation
// changes is kept first (history.go), and the note records what made its
// text (persistence.Note.Transformed).
package transform

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/adrg/frontmatter"
	"go.yaml.in/yaml/v3"

	"github.com/voicenotes/voicenotes/internal/regular"
	"github.com/voicenotes/voicenotes/persistence"
)

// Output is where a transformation's result goes.
type Output string

const (
	// Replace puts the result in place of the transcript (or of the
	// selection it ran on).
	Replace Output = "replace"
	// Section puts it under its own heading beneath the transcript, in
	// place of what an earlier run put there.
	Section Output = "section"
	// NewNote makes a new note, linked to the one it came from.
	NewNote Output = "note"
	// Clipboard changes no note: the result is copied, or printed.
	Clipboard Output = "clipboard"
)

// Outputs are the outputs in the order Settings offers them.
var Outputs = []Output{Replace, Section, NewNote, Clipboard}

// Transformation is one transformation file.
type Transformation struct {
	// Name is the file's name without .md: how the command line names it.
	Name string
	// Title is how menus show it (frontmatter "name"; Name when absent).
	Title       string
	Description string
	// Model is the chat model; empty: the one in Settings.
	Model string
	// Temperature is sent when set (0 to 2).
	Temperature *float64
	Output      Output
	// Heading is the section's heading, for Section (Title when empty).
	Heading string
	// Auto runs it after each transcription.
	Auto bool
	// Then names the transformation that takes this one's result next.
	Then string
	// System is the system message, if any; Prompt the user message,
	// with placeholders (Placeholders).
	System string
	Prompt string
	// Path is the file it was read from.
	Path string
}

// Placeholders are what a prompt may hold, each replaced once (text put in
// is never read for placeholders again).
var Placeholders = []string{"{{transcript}}", "{{selection}}", "{{title}}", "{{date}}", "{{tags}}"}

// Dir is where a vault's transformations are kept.
func Dir(v *persistence.Vault) string {
	return filepath.Join(v.Root(), persistence.StateDir, "transformations")
}

// Ext is a transformation file's extension.
const Ext = ".md"

// maxFile bounds a transformation file: a prompt, not a book.
const maxFile = 1 << 20

type fileMeta struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description,omitempty"`
	Model       string   `yaml:"model,omitempty"`
	Temperature *float64 `yaml:"temperature,omitempty"`
	Output      Output   `yaml:"output"`
	Section     string   `yaml:"section,omitempty"`
	Auto        bool     `yaml:"auto,omitempty"`
	Then        string   `yaml:"then,omitempty"`
	System      string   `yaml:"system,omitempty"`
}

// Parse reads a transformation file's bytes; name is its file name
// without the extension.
func Parse(name string, data []byte) (*Transformation, error) {
	var m fileMeta
	body, err := frontmatter.Parse(bytes.NewReader(data), &m)
	if err != nil {
		return nil, fmt.Errorf("its frontmatter is not valid YAML: %w", err)
	}
	t := &Transformation{Name: name, Title: strings.TrimSpace(m.Name), Description: m.Description, Model: strings.TrimSpace(m.Model),
		Temperature: m.Temperature, Output: m.Output, Heading: strings.TrimSpace(m.Section), Auto: m.Auto,
		Then: strings.TrimSpace(m.Then), System: m.System, Prompt: strings.TrimSpace(string(body))}
	if t.Title == "" {
		t.Title = name
	}
	if t.Output == "" {
		t.Output = Replace
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// Validate says what is wrong with a transformation, in words for the
// person who wrote the file.
func (t *Transformation) Validate() error {
	if err := ValidateName(t.Name); err != nil {
		return err
	}
	if !slices.Contains(Outputs, t.Output) {
		return fmt.Errorf("output %q is not one of replace, section, note, clipboard", t.Output)
	}
	if t.Temperature != nil && (math.IsNaN(*t.Temperature) || *t.Temperature < 0 || *t.Temperature > 2) {
		return fmt.Errorf("temperature %g is outside 0 to 2", *t.Temperature)
	}
	if t.Prompt == "" {
		return errors.New("it has no prompt: write it below the frontmatter, with {{transcript}} where the text goes")
	}
	if !strings.Contains(t.Prompt, "{{transcript}}") && !strings.Contains(t.Prompt, "{{selection}}") && !strings.Contains(t.System, "{{transcript}}") {
		return errors.New("its prompt never says {{transcript}} (or {{selection}}): the model would not see the note")
	}
	if strings.ContainsAny(t.Heading, "\n\r") {
		return errors.New("its section heading must be one line")
	}
	return nil
}

// ValidateName checks a transformation's name, which is a file name.
func ValidateName(name string) error {
	if name == "" || len(name) > 80 || strings.HasPrefix(name, ".") || strings.ContainsAny(name, `/\:*?"<>|`) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 }) {
		return fmt.Errorf("%q is not a transformation name: use letters, digits, spaces and dashes (it is the file name)", name)
	}
	return nil
}

// Marshal is the transformation as its file.
func (t *Transformation) Marshal() ([]byte, error) {
	m := fileMeta{Name: t.Title, Description: t.Description, Model: t.Model, Temperature: t.Temperature, Output: t.Output,
		Section: t.Heading, Auto: t.Auto, Then: t.Then, System: t.System}
	y, err := yaml.Marshal(m)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	b.Write(y)
	b.WriteString("---\n\n")
	b.WriteString(strings.TrimSpace(t.Prompt))
	b.WriteString("\n")
	return b.Bytes(), nil
}

// HeadingText is the section heading a Section transformation writes.
func (t *Transformation) HeadingText() string {
	if t.Heading != "" {
		return t.Heading
	}
	return t.Title
}

// BadFile is a transformation file that could not be read, and why.
type BadFile struct {
	Path string
	Err  error
}

func (b BadFile) Error() string { return fmt.Sprintf("%s: %v", b.Path, b.Err) }

// Load reads the vault's transformations, sorted by title. The four
// shipped ones are written the first time (when the folder does not
// exist), so a person may edit or delete them for good. Files that cannot
// be read are returned apart, with why.
func Load(v *persistence.Vault) ([]*Transformation, []BadFile, error) {
	dir := Dir(v)
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := writeDefaults(v); err != nil {
			// A vault that cannot be written (read-only media) still
			// offers them, from memory.
			var out []*Transformation
			for _, t := range shipped {
				c := *t
				out = append(out, &c)
			}
			return out, []BadFile{{dir, fmt.Errorf("the shipped transformations could not be written here (%w); they are offered as shipped", err)}}, nil
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var out []*Transformation
	var bad []BadFile
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, Ext) || strings.HasPrefix(name, ".") || !e.Type().IsRegular() {
			continue // temp files, links, folders
		}
		path := filepath.Join(dir, name)
		t, err := readFile(path)
		if err != nil {
			bad = append(bad, BadFile{path, err})
			continue
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *Transformation) int {
		return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
	})
	return out, bad, nil
}

func readFile(path string) (*Transformation, error) {
	f, err := regular.OpenNoFollow(path) // a link or a pipe is not read
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxFile {
		return nil, fmt.Errorf("it is %d bytes; a transformation file holds at most %d", st.Size(), maxFile)
	}
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil && st.Size() > 0 {
		return nil, err
	}
	t, err := Parse(strings.TrimSuffix(filepath.Base(path), Ext), data)
	if err != nil {
		return nil, err
	}
	t.Path = path
	return t, nil
}

// Find is the transformation with this name (its file name) or title.
func Find(ts []*Transformation, name string) (*Transformation, error) {
	for _, t := range ts {
		if t.Name == name {
			return t, nil
		}
	}
	for _, t := range ts {
		if strings.EqualFold(t.Title, name) || strings.EqualFold(t.Name, name) {
			return t, nil
		}
	}
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	return nil, fmt.Errorf("no transformation %q (there are: %s; voicenotes transformations lists them)", name, strings.Join(names, ", "))
}

// Chain is t and the transformations its Then names, in order. A loop or
// a missing name is an error, found before anything runs.
func Chain(ts []*Transformation, t *Transformation) ([]*Transformation, error) {
	chain := []*Transformation{t}
	for cur := t; cur.Then != ""; {
		next, err := Find(ts, cur.Then)
		if err != nil {
			return nil, fmt.Errorf("%s says then: %s, which is not there: %w", cur.Name, cur.Then, err)
		}
		if slices.Contains(chain, next) {
			return nil, fmt.Errorf("the transformations starting at %s loop (%s comes again); change a 'then:'", t.Name, next.Name)
		}
		chain = append(chain, next)
		cur = next
	}
	return chain, nil
}

// Save writes a transformation's file, atomically, 0600.
func Save(v *persistence.Vault, t *Transformation) error {
	if err := t.Validate(); err != nil {
		return err
	}
	data, err := t.Marshal()
	if err != nil {
		return err
	}
	if err := persistence.MkdirPrivate(persistence.OS, Dir(v)); err != nil {
		return err
	}
	path := filepath.Join(Dir(v), t.Name+Ext)
	if err := persistence.WriteFile(persistence.OS, path, data, persistence.FilePerm); err != nil {
		return err
	}
	t.Path = path
	return nil
}
