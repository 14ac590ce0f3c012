package persistence

import (
	"time"

	"go.yaml.in/yaml/v3"
)

// Status is a note's transcription state, as Whispering names it.
type Status string

const (
	StatusUnprocessed  Status = "UNPROCESSED"
	StatusTranscribing Status = "TRANSCRIBING"
	StatusDone         Status = "DONE"
	StatusFailed       Status = "FAILED"
)

// Valid reports whether s is one of the four states.
func (s Status) Valid() bool {
	switch s {
	case StatusUnprocessed, StatusTranscribing, StatusDone, StatusFailed:
		return true
	}
	return false
}

// Note is one recording's Markdown file: frontmatter fields and the
// transcript as the body. Keys written by other tools are kept, in their
// order, on every save.
type Note struct {
	ID                  string
	Title               string
	Subtitle            string
	Timestamp           time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
	TranscriptionStatus Status
	TranscriptionError  string
	Duration            time.Duration
	Audio               string // the audio file's name, beside the note
	Engine              string
	Language            string
	Tags                []string
	// Markers are moments the person marked while recording ("this part
	// matters"), in the order of their times.
	Markers   []Marker
	Recovered bool
	// AutoTitle: the title is one the app made (the time, a file name, the
	// first words): a transcript may replace it. A title the person typed
	// clears it and is never replaced.
	AutoTitle bool
	// TranscriptHash is the SHA-256 of the body as the engine wrote it: a
	// body that no longer matches was edited by the user, and a new
	// transcript must not replace it.
	TranscriptHash string
	// Transformed says what made the text, after the engine: one line a
	// transformation ("summary · llama3.2 · localhost:11434 ·
	// 2026-12-05T03:00:00.000Z"), in the order they ran.
	Transformed []string
	Body        string

	// Path is the file the note was read from; empty for a new note.
	Path string

	disk version    // the file as last read or written here
	raw  []byte     // the frontmatter block as read
	bom  bool       // the file began with a byte order mark (kept when written)
	crlf bool       // its frontmatter's lines end in CR LF (kept when written)
	meta *yaml.Node // raw parsed by the YAML library; made when first needed
	orig *Note      // field values as read, to leave unchanged keys untouched
	// headerOnly: listed by Vault.Headers, without its text; never written.
	headerOnly bool
	// rescue: the file Vault.Rescued read this unsaved edit from.
	rescue string
}

// TimeFormat is how timestamps are written: ISO 8601 in UTC with
// milliseconds, as JavaScript's toISOString (and so Whispering) writes them.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// Frontmatter keys this app understands, in the order a new note gets them.
var knownKeys = []string{
	"id", "title", "subtitle", "timestamp", "createdAt", "updatedAt",
	"transcriptionStatus", "transcriptionError", "duration", "audio",
	"engine", "language", "tags", "markers", "recovered", "transcriptHash", "titleAuto", "transformed",
}

// Keys every note carries, even when empty, for Whispering compatibility.
var alwaysKeys = map[string]bool{
	"id": true, "title": true, "subtitle": true, "timestamp": true,
	"createdAt": true, "updatedAt": true, "transcriptionStatus": true,
}
