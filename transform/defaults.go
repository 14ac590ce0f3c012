package transform

import (
	"github.com/voicenotes/voicenotes/persistence"
)

// The transformations a vault starts with. They are files like any other
// once written: the person edits, copies or deletes them.
var shipped = []*Transformation{
	{
		Name: "clean-up", Title: "Clean up", Output: Replace, Temperature: ptr(0.2),
		Description: "Punctuation, capitals and paragraphs; fillers and false starts out; the words kept.",
		System:      "You edit transcripts of speech. You answer with the edited text only: no introduction, no comment, no quotes around it.",
		Prompt: `Clean up this transcript of speech. Add punctuation, capital letters and paragraph breaks. Remove filler words (um, uh, you know, like), false starts and words said twice. Correct a misheard word only where the context makes the right one certain. Keep the speaker's own words, meaning, order and language: do not summarise, shorten, add or explain anything.

Transcript:

{{transcript}}`,
	},
	{
		Name: "summary", Title: "Summary", Output: Section, Heading: "Summary", Temperature: ptr(0.3),
		Description: "A few sentences with what matters, under the transcript.",
		System:      "You summarise notes. You answer with the summary only, in the language of the note.",
		Prompt: `Summarise this voice note, titled "{{title}}" and recorded on {{date}}, in two to five sentences. Keep names, numbers, dates and decisions exactly as said. Write it as plain sentences, without a heading.

Note:

{{transcript}}`,
	},
	{
		Name: "action-items", Title: "Action items", Output: Section, Heading: "Action items", Temperature: ptr(0.2),
		Description: "What someone has to do, as a checklist under the transcript.",
		System:      "You extract action items from notes. You answer with a Markdown checklist only.",
		Prompt: `List every action item in this voice note: something someone said they or another person will do, must do or should do. Write each as one line of a Markdown checklist ("- [ ] ..."), starting with a verb, with who and when where the note says. If there are none, answer with the single line "- [ ] (none found)".

Note:

{{transcript}}`,
	},
	{
		Name: "email", Title: "Email", Output: NewNote, Heading: "Email", Temperature: ptr(0.5),
		Description: "The note rewritten as an email, as a new note beside it.",
		System:      "You write clear, friendly emails. You answer with the email only: a subject line, a blank line, then the body.",
		Prompt: `Write an email from this voice note. Start with "Subject: " and a short subject, then a blank line, then the email. Keep every fact, name, number and date as said; leave out fillers and asides; keep it short. Do not invent a recipient or a signature: write "Hi," and end with the last sentence.

Voice note:

{{transcript}}`,
	},
}

func ptr(f float64) *float64 { return &f }

// writeDefaults writes the shipped transformations into a vault that has
// no transformations folder yet.
func writeDefaults(v *persistence.Vault) error {
	for _, t := range shipped {
		c := *t
		if err := Save(v, &c); err != nil {
			return err
		}
	}
	return nil
}
