package transform

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// Input is what a transformation works on: the note's text without the
// section the transformation itself writes (so a summary is never made
// of an earlier summary), or the selection when one is given.
func Input(t *Transformation, n *persistence.Note, selection string) string {
	if selection != "" {
		return selection
	}
	body := n.Body
	if t.Output == Section {
		body, _ = withoutSection(body, t.HeadingText())
	}
	return strings.TrimSpace(body)
}

// Messages are the chat messages for t on note n: the placeholders of the
// system message and prompt replaced in one pass (text put in is never
// read again, so a transcript that says "{{title}}" stays as said).
func Messages(t *Transformation, n *persistence.Note, input, selection string) []Message {
	sel := selection
	if sel == "" {
		sel = input
	}
	date := ""
	if !n.CreatedAt.IsZero() {
		date = n.CreatedAt.Local().Format("Monday 2 January 2006, 15:04")
	}
	r := strings.NewReplacer(
		"{{transcript}}", input,
		"{{selection}}", sel,
		"{{title}}", n.Title,
		"{{date}}", date,
		"{{tags}}", strings.Join(n.Tags, ", "),
	)
	var out []Message
	if strings.TrimSpace(t.System) != "" {
		out = append(out, Message{Role: "system", Content: r.Replace(t.System)})
	}
	return append(out, Message{Role: "user", Content: r.Replace(t.Prompt)})
}

// Provenance is one line of a note's "transformed" list: which
// transformation, model and server made its text, and when.
func Provenance(t *Transformation, model, host string, at time.Time) string {
	line := strings.Join([]string{t.Name, model, host, at.UTC().Format(persistence.TimeFormat)}, " · ")
	return strings.Map(func(r rune) rune {
		if r < 0x20 {
			return ' '
		}
		return r
	}, line)
}

// sectionRE finds a level-2 heading line.
var sectionRE = regexp.MustCompile(`(?m)^## +(.+?)[ \t]*$`)

// withoutSection is body without the section under "## heading" (to the
// next level-1 or level-2 heading, or the end), and whether it had one.
func withoutSection(body, heading string) (string, bool) {
	start, end, ok := findSection(body, heading)
	if !ok {
		return body, false
	}
	return strings.TrimRight(body[:start], "\n") + "\n" + strings.TrimLeft(body[end:], "\n"), true
}

// findSection finds the section under "## heading": from its heading line
// to the next heading of level 1 or 2, or the end.
func findSection(body, heading string) (start, end int, ok bool) {
	for _, m := range sectionRE.FindAllStringSubmatchIndex(body, -1) {
		if strings.TrimSpace(body[m[2]:m[3]]) != heading {
			continue
		}
		start, end = m[0], len(body)
		rest := body[m[1]:]
		if i := nextHeadingRE.FindStringIndex(rest); i != nil {
			end = m[1] + i[0]
		}
		return start, end, true
	}
	return 0, 0, false
}

var nextHeadingRE = regexp.MustCompile(`(?m)^#{1,2} `)

// Place puts a result into note n as t's output says, and records what
// made it. It changes n (Replace, Section) or returns a new note
// (NewNote); Clipboard changes nothing. selection, when not empty, is the
// part of the body the result replaces.
func Place(n *persistence.Note, t *Transformation, result, selection, provenance string, newNote func() *persistence.Note) (made *persistence.Note, err error) {
	result = strings.TrimSpace(persistence.NoteText(result))
	if result == "" {
		return nil, fmt.Errorf("%s: the model answered with no text; the note is left as it was", t.Title)
	}
	switch t.Output {
	case Clipboard:
		return nil, nil
	case NewNote:
		m := newNote()
		m.Title = t.HeadingText() + ": " + n.Title
		m.Tags = append([]string(nil), n.Tags...)
		m.Body = result + "\n\n---\n\n" + fmt.Sprintf("Made by the %s transformation from [[%s]].\n", t.Title, n.ID)
		m.TranscriptionStatus = persistence.StatusDone
		m.Transformed = []string{provenance}
		return m, nil
	case Section:
		heading := t.HeadingText()
		block := "## " + heading + "\n\n" + result + "\n"
		if start, end, ok := findSection(n.Body, heading); ok {
			rest := strings.TrimLeft(n.Body[end:], "\n")
			if rest != "" {
				block += "\n"
			}
			n.Body = n.Body[:start] + block + rest
		} else {
			n.Body = strings.TrimRight(n.Body, "\n") + "\n\n" + block
		}
	case Replace:
		machine := n.TranscriptHash != "" && transcribe.Hash(n.Body) == n.TranscriptHash
		if selection != "" {
			i := strings.Index(n.Body, selection)
			if i < 0 {
				return nil, fmt.Errorf("%s: the selected text is no longer in the note; nothing was changed", t.Title)
			}
			n.Body = n.Body[:i] + result + n.Body[i+len(selection):]
		} else {
			n.Body = result + "\n"
		}
		// Machine text stays machine text: a new transcript may
		// replace it as before. Text the person had edited stays theirs.
		if machine {
			n.TranscriptHash = transcribe.Hash(n.Body)
		}
	}
	n.Transformed = withProvenance(n.Transformed, t.Name, provenance)
	return nil, nil
}

// withProvenance is list with line in place of t's earlier line, at the end.
func withProvenance(list []string, name, line string) []string {
	var out []string
	for _, l := range list {
		if l != name && !strings.HasPrefix(l, name+" · ") {
			out = append(out, l)
		}
	}
	return append(out, line)
}
