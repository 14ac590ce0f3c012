package persistence_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

func TestParseFixtures(t *testing.T) {
	for _, tc := range []struct {
		file, title, body string
		status            persistence.Status
	}{
		{"whispering.md", "Groceries", "Buy milk, eggs and bread.\n", persistence.StatusDone},
		{"bom-crlf.md", "Windows note", "Line one\r\nLine two\r\n", persistence.StatusDone},
		{"no-status.md", "Handwritten", "", persistence.StatusUnprocessed},
	} {
		f, err := os.Open(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		n, err := persistence.ParseNote(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if n.Title != tc.title || n.Body != tc.body || n.TranscriptionStatus != tc.status {
			t.Errorf("%s: got title %q body %q status %s", tc.file, n.Title, n.Body, n.TranscriptionStatus)
		}
	}
}

// roundTrip saves a note with these fields in a fresh vault and reads it back.
func roundTrip(t *testing.T, dir string, title, body string, tags []string) *persistence.Note {
	t.Helper()
	v, err := persistence.Open(dir, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := v.NewNote()
	n.Title, n.Subtitle, n.Body, n.Tags = title, title, body, tags
	n.Duration = 61234 * time.Millisecond
	if err := v.Save(n); err != nil {
		t.Fatalf("Save(title %q, body %q): %v", title, body, err)
	}
	got, err := v.Note(n.ID)
	if err != nil {
		data, _ := os.ReadFile(n.Path)
		t.Fatalf("reading back title %q body %q: %v\nfile:\n%s", title, body, err, data)
	}
	if got.Title != title || got.Subtitle != title || got.Body != body || !slices.Equal(got.Tags, tags) || got.Duration != n.Duration || !got.CreatedAt.Equal(n.CreatedAt) {
		data, _ := os.ReadFile(n.Path)
		t.Fatalf("round trip changed the note:\n title %q -> %q\n body %q -> %q\n tags %q -> %q\nfile:\n%s", title, got.Title, body, got.Body, tags, got.Tags, data)
	}
	return got
}

var tricky = []string{
	"", "plain", "---", "---\n", "a\n---\nb", "...", "key: value", "- item", "# heading", "'quoted'", `"double"`,
	"tab\there", "trailing space ", " leading", "line\r\nbreaks\r\n", "\ufeffbom first", "null", "~", "true", "0x1F", "1e3",
	"日本語のメモ", "emoji 🎙️", "\u2028separator", "%!tag", "@at", "`back`", "{a: b}", "[1, 2]", "&anchor", "*alias", "!!str x", "|", ">",
	"\n\n\nleading newlines", "---\n---\n---", "a: b\n---\nc: d\n", "\x7f", "\u0085next line",
}

func TestRoundTripTricky(t *testing.T) {
	dir := tempdir.New(t)
	for _, s := range tricky {
		roundTrip(t, dir, s, s, []string{s, "x"})
	}
}

// FuzzRoundTrip: any valid UTF-8 title, body and tag survive being written
// and read. The bytes are those Save writes (TestRoundTripTricky covers the
// disk); in memory the fuzzer runs a thousand times faster.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range tricky {
		f.Add(s, s+"\n---\n"+s, s)
	}
	f.Fuzz(func(t *testing.T, title, body, tag string) {
		if !utf8.ValidString(title) || !utf8.ValidString(body) || !utf8.ValidString(tag) || strings.ContainsRune(title+body+tag, 0) {
			return // Save refuses these, tested in TestSaveRefusesInvalidText
		}
		n := &persistence.Note{ID: "fuzz", Title: title, Subtitle: title, Body: body, Tags: []string{tag}, Transformed: []string{strings.NewReplacer("\n", " ", "\r", " ").Replace(title)},
			TranscriptionStatus: persistence.StatusDone, Duration: 1234 * time.Millisecond}
		data, err := n.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		got, err := persistence.ParseNote(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("reading back: %v\nfile:\n%q", err, data)
		}
		if got.Title != title || got.Subtitle != title || got.Body != body || !slices.Equal(got.Tags, n.Tags) || !slices.Equal(got.Transformed, n.Transformed) || got.Duration != n.Duration {
			t.Fatalf("round trip changed the note: title %q -> %q, body %q -> %q, tags %q -> %q\nfile:\n%q", title, got.Title, body, got.Body, n.Tags, got.Tags, data)
		}
		checkYAML11(t, data)
	})
}

// yaml11Types are the implicit types of YAML 1.1 (yaml.org/type: bool,
// null, int, float, timestamp, merge, value), as their regular
// expressions are given there, the float's as js-yaml 3 (Whispering's
// reader) and PyYAML apply it (the spec's own also takes a lone "."):
// what a YAML 1.1 reader makes of a plain scalar matching one is not a
// string.
var yaml11Types = regexp.MustCompile(`^(?:` +
	`y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF` +
	`|~|null|Null|NULL|` +
	`|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+` +
	`|[-+]?(?:0|[1-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)` +
	`|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*Z|[ \t]*[-+][0-9]{1,2}(?::[0-9]{2})?)?` +
	`|<<|=)$`)

// checkYAML11 fails when a string the note holds (title, subtitle, tags)
// is written as a plain scalar that YAML 1.1 reads as another type, or
// holds a character YAML 1.1 reads as a line break outside an escape.
func checkYAML11(t *testing.T, data []byte) {
	t.Helper()
	text := string(data)
	end := strings.Index(text[4:], "\n---")
	if !strings.HasPrefix(text, "---\n") || end < 0 {
		t.Fatalf("no frontmatter block:\n%q", data)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text[4:4+end]), &doc); err != nil {
		t.Fatalf("the frontmatter is not YAML: %v\n%q", err, data)
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, val := m.Content[i].Value, m.Content[i+1]
		var strs []*yaml.Node
		switch key {
		case "title", "subtitle":
			strs = []*yaml.Node{val}
		case "tags":
			strs = val.Content
		}
		for _, s := range strs {
			if s.Style == 0 && yaml11Types.MatchString(s.Value) {
				t.Fatalf("%s %q is written plain, and YAML 1.1 reads it as another type:\n%q", key, s.Value, data)
			}
		}
	}
	if strings.ContainsAny(text[:4+end], "\u0085\u2028\u2029") {
		t.Fatalf("a character YAML 1.1 reads as a line break is written as it is:\n%q", data)
	}
}

// FuzzParse: no input crashes the reader, and a note it accepts can be
// written and read back to the same fields, keeping its unknown keys.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"whispering.md", "bom-crlf.md", "no-status.md"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("---\nid: a\nx: [1, {b: c}]\n---\nbody"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := persistence.ParseNote(bytes.NewReader(data))
		if err != nil {
			return
		}
		if n.ID == "" {
			n.ID = "fuzz"
		}
		out, err := n.Marshal()
		if err != nil {
			// What cannot be written faithfully is refused, for one of the
			// reasons Marshal documents, never for a fault of its own.
			for _, why := range []string{"is not valid UTF-8", "contains a NUL", "transcription status", "is not a file name beside the note", persistence.ErrBadID.Error()} {
				if strings.Contains(err.Error(), why) {
					return
				}
			}
			t.Fatalf("a note that was read could not be written: %v\ninput:\n%q", err, data)
		}
		m, err := persistence.ParseNote(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-reading our own output failed: %v\ninput:\n%q\noutput:\n%q", err, data, out)
		}
		same := m.Title == n.Title && m.Subtitle == n.Subtitle && m.Body == n.Body && m.ID == n.ID &&
			m.CreatedAt.Equal(n.CreatedAt) && m.Timestamp.Equal(n.Timestamp) && m.UpdatedAt.Equal(n.UpdatedAt) &&
			m.TranscriptionStatus == n.TranscriptionStatus && m.TranscriptionError == n.TranscriptionError &&
			m.Duration.Round(time.Millisecond) == n.Duration.Round(time.Millisecond) && m.Audio == n.Audio &&
			m.Engine == n.Engine && m.Language == n.Language && m.AutoTitle == n.AutoTitle && m.Recovered == n.Recovered &&
			m.TranscriptHash == n.TranscriptHash && slices.Equal(m.Tags, n.Tags) && slices.Equal(m.Markers, n.Markers)
		if !same {
			t.Fatalf("fields changed on rewrite:\ninput:\n%q\noutput:\n%q\nread %+v\nreread %+v", data, out, n, m)
		}
	})
}

func TestSaveRefusesInvalidText(t *testing.T) {
	v := openVault(t, tempdir.New(t), persistence.Options{})
	for _, n := range []*persistence.Note{
		{ID: "a", Title: "caf\xe9", TranscriptionStatus: persistence.StatusDone},
		{ID: "b", Body: "nul\x00", TranscriptionStatus: persistence.StatusDone},
		{ID: "c/d", TranscriptionStatus: persistence.StatusDone},
		{ID: "e", TranscriptionStatus: "SOMETIMES"},
	} {
		if err := v.Save(n); err == nil {
			t.Errorf("Save(%+v) succeeded", n)
		}
	}
	if n := names(t, v.RecordingsPath()); len(n) != 0 {
		t.Errorf("refused saves left %v", n)
	}
}

// TestIndentedDelimiterInBlockScalar: a note another tool wrote, whose
// YAML has a block scalar holding an indented "---" line, keeps its whole
// frontmatter: the block ends only at a "---" that starts a line, and an
// edit keeps every field.
func TestIndentedDelimiterInBlockScalar(t *testing.T) {
	src := "---\nid: blk\ntitle: Notes on YAML\nsubtitle: |-\n  before\n  ---\n  after\ntimestamp: \"2025-11-14T09:30:00.000Z\"\ncreatedAt: \"2025-11-14T09:30:00.000Z\"\nupdatedAt: \"2025-11-14T09:30:00.000Z\"\ntranscriptionStatus: DONE\n---\nThe body.\n"
	n, err := persistence.ParseNote(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if n.Title != "Notes on YAML" || n.Subtitle != "before\n---\nafter" || n.Timestamp.IsZero() || n.Body != "The body.\n" {
		t.Fatalf("parsed %+v", n)
	}
	n.Body = "Edited.\n"
	out, err := n.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	again, err := persistence.ParseNote(bytes.NewReader(out))
	if err != nil || again.Subtitle != n.Subtitle || !again.Timestamp.Equal(n.Timestamp) || again.Body != "Edited.\n" {
		t.Errorf("after an edit:\n%s\nparsed %+v, %v", out, again, err)
	}
}

// TestUnchangedKeysKeptByteForByte: a note another tool wrote (odd
// spacing, 4-space lists, comments, CRLF or not) keeps every key that was
// not changed exactly as written; a missing createdAt is filled with the
// timestamp, never written empty.
func TestUnchangedKeysKeptByteForByte(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n"} {
		lines := []string{"---",
			"# written by another tool",
			"id: keep-1",
			"title: Before",
			"aliases:   [one,two]",
			"tags:",
			"    - project/alpha",
			"    - later",
			"timestamp: \"2025-11-14T09:30:00.000Z\"",
			"",
			"# the status, as that tool writes it",
			"transcriptionStatus: DONE",
			"custom: {a: 1,  b: [x,y]}   # a comment",
			"---",
			"Body text."}
		src := strings.Join(lines, eol) + eol
		n, err := persistence.ParseNote(strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		n.Title = "After"
		out, err := n.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		got := string(out)
		for _, keep := range []string{"# written by another tool", "aliases:   [one,two]", "tags:" + eol + "    - project/alpha" + eol + "    - later" + eol,
			"# the status, as that tool writes it" + eol + "transcriptionStatus: DONE", "custom: {a: 1,  b: [x,y]}   # a comment", "timestamp: \"2025-11-14T09:30:00.000Z\""} {
			if !strings.Contains(got, keep) {
				t.Errorf("eol %q: lost %q as written:\n%s", eol, keep, got)
			}
		}
		if !strings.Contains(got, "title: After") || strings.Contains(got, "title: Before") {
			t.Errorf("eol %q: the title was not changed:\n%s", eol, got)
		}
		if strings.Contains(got, `createdAt: ""`) || !strings.Contains(got, "createdAt: \"2025-11-14T09:30:00.000Z\"") {
			t.Errorf("eol %q: createdAt not filled from the timestamp:\n%s", eol, got)
		}
		again, err := persistence.ParseNote(bytes.NewReader(out))
		if err != nil || again.Title != "After" || !slices.Equal(again.Tags, []string{"project/alpha", "later"}) || again.Body != "Body text."+eol {
			t.Errorf("eol %q: reads back as %+v, %v", eol, again, err)
		}
	}
}

// TestDatesPeopleWrite: a timestamp typed in Whispering's edit dialog
// ("Nov 14, 2025, 9:30 AM", local time) is read; one nobody can read
// ("yesterday") no longer hides the note, and an edit keeps it as written.
func TestDatesPeopleWrite(t *testing.T) {
	src := "---\nid: typed\ntitle: Typed\nsubtitle: ''\ntimestamp: Nov 14, 2025, 9:30 AM\ncreatedAt: yesterday\nupdatedAt: Fri Nov 14 2025 09:31:00 GMT+0100 (Central European Standard Time)\ntranscriptionStatus: DONE\n---\ntext\n"
	n, err := persistence.ParseNote(strings.NewReader(src))
	if err != nil {
		t.Fatalf("a note with dates people write is refused: %v", err)
	}
	if want := time.Date(2025, 11, 14, 9, 30, 0, 0, time.Local); !n.Timestamp.Equal(want) {
		t.Errorf("timestamp %v, want %v", n.Timestamp, want)
	}
	if want := time.Date(2025, 11, 14, 8, 31, 0, 0, time.UTC); !n.UpdatedAt.Equal(want) {
		t.Errorf("updatedAt %v, want %v", n.UpdatedAt, want)
	}
	n.Title = "Edited"
	out, err := n.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []string{"timestamp: Nov 14, 2025, 9:30 AM\n", "createdAt: yesterday\n"} {
		if !strings.Contains(string(out), keep) {
			t.Errorf("an edit lost %q as written:\n%s", keep, out)
		}
	}
}
