package persistence

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/adrg/frontmatter"
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
	Body           string

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
}

// TimeFormat is how timestamps are written: ISO 8601 in UTC with
// milliseconds, as JavaScript's toISOString (and so Whispering) writes them.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// Frontmatter keys this app understands, in the order a new note gets them.
var knownKeys = []string{
	"id", "title", "subtitle", "timestamp", "createdAt", "updatedAt",
	"transcriptionStatus", "transcriptionError", "duration", "audio",
	"engine", "language", "tags", "markers", "recovered", "transcriptHash", "titleAuto",
}

// Keys every note carries, even when empty, for Whispering compatibility.
var alwaysKeys = map[string]bool{
	"id": true, "title": true, "subtitle": true, "timestamp": true,
	"createdAt": true, "updatedAt": true, "transcriptionStatus": true,
}

// ErrNoFrontmatter means a Markdown file does not start with a YAML block.
var ErrNoFrontmatter = errors.New("no YAML frontmatter (a note starts with a line \"---\", its fields, and another \"---\")")

// rawFormat hands the frontmatter block to parseNote unparsed: most notes
// take the fast path in fastYAML, the rest the YAML library.
var rawFormat = frontmatter.NewFormat("---", "---", func(data []byte, v any) error {
	*(v.(*[]byte)) = bytes.Clone(data)
	return nil
})

var bom = []byte("\ufeff")

// ParseNote decodes a note file. Every error says what is wrong with it.
func ParseNote(r io.Reader) (*Note, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return parseNote(data)
}

func parseNote(data []byte) (*Note, error) {
	hadBOM := bytes.HasPrefix(data, bom)
	data = bytes.TrimPrefix(data, bom)
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, errors.New("binary file (contains NUL bytes), not a Markdown note")
	}
	if !utf8.Valid(data) {
		return nil, errors.New("not valid UTF-8 text")
	}
	raw, body, err := splitFrontmatter(data)
	if err != nil {
		return nil, err
	}
	n := &Note{Body: string(body), raw: raw, bom: hadBOM, crlf: bytes.HasPrefix(data, []byte("---\r\n"))}
	pairs, ok := fastYAML(raw)
	if !ok {
		meta, err := parseMeta(raw)
		if err != nil {
			return nil, err
		}
		n.meta = meta
		pairs = meta.Content
	}
	if err := n.decodePairs(pairs); err != nil {
		return nil, err
	}
	return n, nil
}

// splitFrontmatter returns a note's YAML block and its body.
// adrg/frontmatter reads the common case. It trims every line before
// comparing it with "---", so in a block scalar holding an indented "---"
// line (other tools write such notes) it would end the block there, cut the
// title and put YAML in the body; in that case the block ends, as YAML
// reads it, at the first "---" that starts a line.
func splitFrontmatter(data []byte) (raw, body []byte, err error) {
	if indentedDelimiter(data) {
		return splitAtColumnZero(data)
	}
	body, err = frontmatter.MustParse(bytes.NewReader(data), &raw, rawFormat)
	if errors.Is(err, frontmatter.ErrNotFound) {
		return nil, nil, ErrNoFrontmatter
	}
	if err != nil {
		return nil, nil, fmt.Errorf("broken YAML frontmatter: %w", err)
	}
	return raw, body, nil
}

// delimiterLine reports whether a line (without its end) is "---" at the
// start of the line, with nothing after it but spaces.
func delimiterLine(line []byte) bool {
	return string(bytes.TrimRight(line, " \t\r")) == "---"
}

// indentedDelimiter reports whether an indented "---" line comes before
// the block's closing one.
func indentedDelimiter(data []byte) bool {
	first := true
	for line := range bytes.Lines(data) {
		line = bytes.TrimRight(line, "\n")
		if first {
			first = false
			continue
		}
		if delimiterLine(line) {
			return false
		}
		if string(bytes.TrimSpace(line)) == "---" {
			return true
		}
	}
	return false
}

// splitAtColumnZero splits at the first "---" line that starts a line.
func splitAtColumnZero(data []byte) (raw, body []byte, err error) {
	head := firstLine(data)
	if !delimiterLine(bytes.TrimRight(head, "\n")) {
		return nil, nil, ErrNoFrontmatter
	}
	off := len(head)
	for line := range bytes.Lines(data[off:]) {
		if delimiterLine(bytes.TrimRight(line, "\n")) {
			return bytes.Clone(data[len(head):off]), bytes.Clone(data[off+len(line):]), nil
		}
		off += len(line)
	}
	return nil, nil, errors.New("broken YAML frontmatter: no closing \"---\" line")
}

// firstLine is data's first line with its end.
func firstLine(data []byte) []byte {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return data[:i+1]
	}
	return data
}

// parseMeta parses a frontmatter block with the YAML library.
func parseMeta(raw []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("broken YAML frontmatter: %w", err)
	}
	switch {
	case doc.Kind == 0: // empty block
	case len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode:
		return doc.Content[0], nil
	case len(doc.Content) == 1 && doc.Content[0].Tag == "!!null":
	default:
		return nil, errors.New("frontmatter is not a set of \"key: value\" fields")
	}
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, nil
}

// decodePairs reads the known keys from alternating key and value nodes.
func (n *Note) decodePairs(pairs []*yaml.Node) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(pairs); i += 2 {
		k, v := pairs[i], pairs[i+1]
		if seen[k.Value] {
			return fmt.Errorf("frontmatter key %q appears twice", k.Value)
		}
		seen[k.Value] = true
		if err := n.decodeKey(k.Value, v); err != nil {
			return fmt.Errorf("frontmatter key %q: %w", k.Value, err)
		}
	}
	if n.ID != "" {
		if err := ValidateID(n.ID); err != nil {
			return fmt.Errorf("frontmatter key \"id\": %w", err)
		}
	}
	if n.TranscriptionStatus == "" {
		// Notes written by hand or by other tools: text means transcribed.
		n.TranscriptionStatus = StatusUnprocessed
		if strings.TrimSpace(n.Body) != "" {
			n.TranscriptionStatus = StatusDone
		}
	}
	orig := *n
	orig.Tags = slices.Clone(n.Tags)
	orig.Markers = slices.Clone(n.Markers)
	n.orig = &orig
	// A note without createdAt (other tools omit it) was created when it
	// was stamped: the next save writes that, never an empty date.
	if n.CreatedAt.IsZero() && !seen["createdAt"] {
		n.CreatedAt = cmp.Or(n.Timestamp, n.UpdatedAt)
		// As it will be written (to the millisecond), so it reads back
		// the same.
		if rt, err := time.Parse(TimeFormat, n.CreatedAt.UTC().Format(TimeFormat)); err == nil {
			n.CreatedAt = rt
		}
	}
	return nil
}

func (n *Note) decodeKey(key string, v *yaml.Node) error {
	str := func(dst *string) error {
		if v.Kind != yaml.ScalarNode {
			return errors.New("must be text")
		}
		if v.Tag == "!!null" {
			*dst = ""
			return nil
		}
		*dst = v.Value
		return nil
	}
	tm := func(dst *time.Time) error {
		var s string
		if err := str(&s); err != nil || s == "" {
			return err
		}
		t, err := parseTime(s)
		if err != nil {
			// A date nobody can read (another tool's, or typed by hand)
			// does not hide the note: its time is unknown here, and the
			// value stays in the file as written.
			return nil
		}
		*dst = t
		return nil
	}
	switch key {
	case "id":
		return str(&n.ID)
	case "title":
		return str(&n.Title)
	case "subtitle":
		return str(&n.Subtitle)
	case "timestamp":
		return tm(&n.Timestamp)
	case "createdAt":
		return tm(&n.CreatedAt)
	case "updatedAt":
		return tm(&n.UpdatedAt)
	case "transcriptionStatus":
		var s string
		if err := str(&s); err != nil {
			return err
		}
		n.TranscriptionStatus = Status(s)
		if s != "" && !n.TranscriptionStatus.Valid() {
			return fmt.Errorf("%q is not one of UNPROCESSED, TRANSCRIBING, DONE, FAILED", s)
		}
	case "transcriptionError":
		return str(&n.TranscriptionError)
	case "duration":
		var s string
		if err := str(&s); err != nil || s == "" {
			return err
		}
		sec, err := strconv.ParseFloat(s, 64)
		if err != nil || sec < 0 || math.IsInf(sec, 0) || math.IsNaN(sec) || sec > 1e9 {
			return fmt.Errorf("%q is not a length in seconds", s)
		}
		n.Duration = time.Duration(math.Round(sec*1e3)) * time.Millisecond
	case "audio":
		if err := str(&n.Audio); err != nil {
			return err
		}
		if n.Audio != "" && !isPlainFileName(n.Audio) {
			return fmt.Errorf("%q is not a file name beside the note", n.Audio)
		}
	case "engine":
		return str(&n.Engine)
	case "transcriptHash":
		return str(&n.TranscriptHash)
	case "language":
		return str(&n.Language)
	case "tags":
		// A list, as Obsidian writes it; a text ("a, b", "#a #b") as people
		// and some tools write it. Either way the key is kept as written
		// until the tags are changed here.
		switch {
		case v.Tag == "!!null":
			return nil
		case v.Kind == yaml.ScalarNode:
			n.Tags = splitTags(v.Value)
			return nil
		}
		if err := v.Decode(&n.Tags); err != nil {
			return errors.New("must be a list of text")
		}
	case "markers":
		if v.Tag == "!!null" {
			return nil
		}
		var ms []struct {
			T     *float64 `yaml:"t"`
			Label string   `yaml:"label"`
		}
		if err := v.Decode(&ms); err != nil {
			return errors.New("must be a list of {t: seconds, label: text}")
		}
		n.Markers = nil
		for _, m := range ms {
			if m.T == nil || *m.T < 0 || math.IsNaN(*m.T) || math.IsInf(*m.T, 0) {
				return errors.New("a marker needs t, its time in seconds from the start")
			}
			if *m.T > MaxMarkerSeconds {
				return fmt.Errorf("a marker's t (%g s) is past any recording (at most %g)", *m.T, MaxMarkerSeconds)
			}
			n.Markers = append(n.Markers, Marker{At: time.Duration(math.Round(*m.T*1000)) * time.Millisecond, Label: m.Label})
		}
	case "recovered":
		if v.Tag == "!!null" {
			return nil
		}
		if err := v.Decode(&n.Recovered); err != nil {
			return errors.New("must be true or false")
		}
	case "titleAuto":
		if v.Tag == "!!null" {
			return nil
		}
		if err := v.Decode(&n.AutoTitle); err != nil {
			return errors.New("must be true or false")
		}
	}
	return nil
}

// humanLayouts are the dates people type or browsers print, read in local
// time: Whispering's edit dialog lets a person write "Nov 14, 2025, 9:30
// AM", and JavaScript's Date prints its own forms.
var humanLayouts = []string{
	"Jan 2, 2006, 3:04 PM", "Jan 2, 2006, 3:04:05 PM", "Jan 2, 2006 3:04 PM", "Jan 2, 2006 3:04:05 PM",
	"January 2, 2006, 3:04 PM", "January 2, 2006 3:04 PM", "January 2, 2006 at 3:04 PM", "Jan 2, 2006 at 3:04 PM",
	"1/2/2006, 3:04:05 PM", "1/2/2006, 3:04 PM", "1/2/2006 3:04 PM", "2 Jan 2006 15:04", "2 Jan 2006, 15:04",
	"2 January 2006 15:04", "Jan 2, 2006", "January 2, 2006", "2006/01/02 15:04", "2006/01/02",
	"Mon Jan 02 2006 15:04:05 GMT-0700", "Mon, 02 Jan 2006 15:04:05 MST", time.RFC1123Z, time.UnixDate,
}

// parseTime reads a date: ISO 8601 as written by this app and Whispering,
// and the forms people and browsers write. It fails for anything else; the
// caller then keeps the value as written and treats the time as unknown.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	h := strings.Join(strings.Fields(s), " ")
	if i := strings.Index(h, " ("); i > 0 && strings.HasSuffix(h, ")") { // "… GMT+0100 (Central European Standard Time)"
		h = h[:i]
	}
	h = strings.ReplaceAll(strings.ReplaceAll(h, "a.m.", "AM"), "p.m.", "PM")
	h = strings.ReplaceAll(strings.ReplaceAll(h, " am", " AM"), " pm", " PM")
	for _, layout := range humanLayouts {
		if t, err := time.ParseInLocation(layout, h, time.Local); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date this app can read", s)
}

func isPlainFileName(s string) bool {
	return s != "." && s != ".." && !strings.ContainsAny(s, `/\:`) && !strings.HasPrefix(s, ".") && len(s) <= 255
}

// Marshal renders the note as Markdown with YAML frontmatter. Keys whose
// values did not change since the note was read are written as they were.
func (n *Note) Marshal() ([]byte, error) {
	if n.headerOnly {
		return nil, fmt.Errorf("note %s was listed without its text (Vault.Headers) and cannot be written; read it whole first (Vault.Note)", n.ID)
	}
	if err := ValidateID(n.ID); err != nil {
		return nil, err
	}
	if !n.TranscriptionStatus.Valid() {
		return nil, fmt.Errorf("note %s: transcription status %q is not one of UNPROCESSED, TRANSCRIBING, DONE, FAILED", n.ID, n.TranscriptionStatus)
	}
	for name, s := range map[string]string{"title": n.Title, "subtitle": n.Subtitle, "text": n.Body, "transcription error": n.TranscriptionError, "engine": n.Engine, "language": n.Language} {
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("note %s: the %s is not valid UTF-8 text", n.ID, name)
		}
		if strings.IndexByte(s, 0) >= 0 {
			// Another program may have written one (YAML's "\0"): the
			// note is shown, and its other changes wait for this one.
			return nil, fmt.Errorf("note %s: the %s contains a NUL character, which a note file cannot hold; change the %s first (in the window, or voicenotes edit %s --title ...)", n.ID, name, name, n.ID)
		}
	}
	if n.Audio != "" && !isPlainFileName(n.Audio) {
		return nil, fmt.Errorf("note %s: audio %q is not a file name beside the note", n.ID, n.Audio)
	}
	meta := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if n.meta == nil && n.raw != nil {
		m, err := parseMeta(n.raw)
		if err != nil {
			return nil, err
		}
		n.meta = m
	}
	if n.meta != nil {
		meta = cloneNode(n.meta)
	}
	orig := n.orig
	if orig == nil {
		orig = &Note{}
	}
	// Anchors and aliases (title: &t x, other: *t) are written resolved:
	// a changed key's line written anew drops its anchor, and every alias
	// to it would then name nothing, a note no reader can parse.
	anchored := usesAnchors(meta)
	if n.raw != nil && !anchored {
		if y, ok := n.patchRaw(meta, orig); ok {
			return n.assemble(y), nil
		}
	}
	if anchored {
		budget := maxResolvedNodes
		if meta = resolveAliases(meta, &budget); meta == nil {
			return nil, fmt.Errorf("note %s: its frontmatter's aliases expand past %d values; it cannot be written faithfully, so it was left as it is", n.ID, maxResolvedNodes)
		}
	}
	for _, key := range knownKeys {
		v, changed, empty := n.keyValue(key, orig)
		i := mappingIndex(meta, key)
		switch {
		case i >= 0 && !changed:
		case i >= 0:
			meta.Content[i+1] = v
		case !empty || alwaysKeys[key]:
			meta.Content = append(meta.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
		}
	}
	y, err := encodeYAML(meta)
	if err != nil {
		return nil, err
	}
	if hasDelimiterLine(y) {
		quoteMultiline(meta)
		if y, err = encodeYAML(meta); err != nil {
			return nil, err
		}
	}
	if n.crlf {
		y = bytes.ReplaceAll(y, []byte("\n"), []byte("\r\n"))
	}
	return n.assemble(y), nil
}

// assemble is the file: the frontmatter block y between its delimiters,
// then the body; a byte order mark and CR LF line ends the note was read
// with are kept (a sync tool or an editor on Windows wrote it so).
func (n *Note) assemble(y []byte) []byte {
	eol := "\n"
	if n.crlf {
		eol = "\r\n"
	}
	var b bytes.Buffer
	b.Grow(len(y) + len(n.Body) + 12)
	if n.bom {
		b.Write(bom)
	}
	b.WriteString("---" + eol)
	b.Write(y)
	b.WriteString("---" + eol)
	b.WriteString(n.Body)
	return b.Bytes()
}

// patchRaw rewrites, in the block as read, only the lines of the keys
// whose values changed, and adds the keys that must be there: every other
// byte (other keys, comments, indentation, flow lists as typed) stays as
// it was. It declines (ok false) for blocks it cannot edit line by line
// (a flow mapping, keys not at the start of their lines), and when the
// result would not read back as the note, so the caller encodes instead.
func (n *Note) patchRaw(meta *yaml.Node, orig *Note) (y []byte, ok bool) {
	lines := slices.Collect(bytes.Lines(n.raw))
	if meta.Style&yaml.FlowStyle != 0 || len(lines) == 0 {
		return nil, false
	}
	// A lone CR (or NEL, LS, PS) breaks a line for YAML but not here: the
	// parser's line numbers would not be these lines.
	if bytes.Count(n.raw, []byte{'\r'}) != bytes.Count(n.raw, []byte("\r\n")) || bytes.ContainsAny(n.raw, "\u0085\u2028\u2029") {
		return nil, false
	}
	eol := "\n"
	if bytes.HasSuffix(lines[0], []byte("\r\n")) {
		eol = "\r\n"
	}
	// Each top-level key owns its lines up to the next key, less the blank
	// and comment lines just before it (they introduce the next key).
	type span struct{ from, to int } // line indexes, to exclusive
	spans := map[string]span{}
	keys := meta.Content
	for i := 0; i+1 < len(keys); i += 2 {
		k := keys[i]
		if k.Column != 1 || k.Line < 1 || k.Line > len(lines) {
			return nil, false
		}
		to := len(lines)
		if i+2 < len(keys) {
			to = keys[i+2].Line - 1
		}
		if to > len(lines) {
			return nil, false
		}
		for to > k.Line {
			l := bytes.TrimRight(lines[to-1], "\r\n")
			if len(bytes.TrimSpace(l)) != 0 && l[0] != '#' {
				break
			}
			to--
		}
		spans[k.Value] = span{k.Line - 1, to}
	}
	replace := map[int][]byte{} // first line of a span → its new text
	var added []byte
	for _, key := range knownKeys {
		v, changed, empty := n.keyValue(key, orig)
		sp, present := spans[key]
		switch {
		case present && !changed:
			continue
		case !present && empty && !alwaysKeys[key]:
			continue
		}
		text, err := encodeYAML(&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v}})
		if err != nil || hasDelimiterLine(text) {
			return nil, false
		}
		if eol != "\n" {
			text = bytes.ReplaceAll(text, []byte("\n"), []byte(eol))
		}
		if present {
			replace[sp.from] = text
			for l := sp.from + 1; l < sp.to; l++ {
				replace[l] = nil
			}
		} else {
			added = append(added, text...)
		}
	}
	var b bytes.Buffer
	for i, l := range lines {
		if text, ok := replace[i]; ok {
			b.Write(text)
			continue
		}
		b.Write(l)
	}
	if len(added) > 0 {
		if b.Len() > 0 && !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
			b.WriteString(eol)
		}
		b.Write(added)
	}
	y = b.Bytes()
	// The patched block must read back as exactly this note.
	check := &Note{Body: n.Body, raw: y}
	m, err := parseMeta(y)
	if err != nil || hasDelimiterLine(y) || check.decodePairs(m.Content) != nil || !sameFields(check, n) {
		return nil, false
	}
	return y, true
}

// sameFields compares the fields a note file carries.
func sameFields(a, b *Note) bool {
	return a.ID == b.ID && a.Title == b.Title && a.Subtitle == b.Subtitle && a.TranscriptionStatus == b.TranscriptionStatus &&
		a.TranscriptionError == b.TranscriptionError && a.Timestamp.Equal(b.Timestamp) && a.CreatedAt.Equal(b.CreatedAt) &&
		a.UpdatedAt.Equal(b.UpdatedAt) && a.Duration.Round(time.Millisecond) == b.Duration.Round(time.Millisecond) &&
		a.Audio == b.Audio && a.Engine == b.Engine && a.Language == b.Language && a.TranscriptHash == b.TranscriptHash &&
		slices.Equal(a.Tags, b.Tags) && slices.Equal(a.Markers, b.Markers) && a.Recovered == b.Recovered && a.AutoTitle == b.AutoTitle
}

func (n *Note) keyValue(key string, o *Note) (v *yaml.Node, changed, empty bool) {
	str := func(s, was string) (*yaml.Node, bool, bool) {
		node := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
		if strings.ContainsAny(s, "\r\n") || yaml11Special(s) {
			node.Style = yaml.DoubleQuotedStyle
		}
		return node, s != was, s == ""
	}
	tm := func(t, was time.Time) (*yaml.Node, bool, bool) {
		s := ""
		if !t.IsZero() {
			s = t.UTC().Format(TimeFormat)
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}, !t.Equal(was), t.IsZero()
	}
	switch key {
	case "id":
		return str(n.ID, o.ID)
	case "title":
		return str(n.Title, o.Title)
	case "subtitle":
		return str(n.Subtitle, o.Subtitle)
	case "timestamp":
		return tm(n.Timestamp, o.Timestamp)
	case "createdAt":
		return tm(n.CreatedAt, o.CreatedAt)
	case "updatedAt":
		return tm(n.UpdatedAt, o.UpdatedAt)
	case "transcriptionStatus":
		return str(string(n.TranscriptionStatus), string(o.TranscriptionStatus))
	case "transcriptionError":
		return str(n.TranscriptionError, o.TranscriptionError)
	case "duration":
		s := strconv.FormatFloat(n.Duration.Round(time.Millisecond).Seconds(), 'f', -1, 64)
		return &yaml.Node{Kind: yaml.ScalarNode, Value: s}, n.Duration != o.Duration, n.Duration == 0
	case "audio":
		return str(n.Audio, o.Audio)
	case "engine":
		return str(n.Engine, o.Engine)
	case "transcriptHash":
		return str(n.TranscriptHash, o.TranscriptHash)
	case "language":
		return str(n.Language, o.Language)
	case "tags":
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, t := range n.Tags {
			tn, _, _ := str(t, "")
			seq.Content = append(seq.Content, tn)
		}
		if len(n.Tags) == 0 {
			seq.Style = yaml.FlowStyle
		}
		return seq, !slices.Equal(n.Tags, o.Tags), len(n.Tags) == 0
	case "markers":
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, m := range n.Markers {
			label, _, _ := str(m.Label, "")
			label.Style |= yaml.DoubleQuotedStyle
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: "t"},
				{Kind: yaml.ScalarNode, Value: strconv.FormatFloat(m.At.Round(time.Millisecond).Seconds(), 'f', -1, 64)},
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: "label"}, label,
			}})
		}
		if len(n.Markers) == 0 {
			seq.Style = yaml.FlowStyle
		}
		return seq, !slices.Equal(n.Markers, o.Markers), len(n.Markers) == 0
	case "recovered":
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(n.Recovered)}, n.Recovered != o.Recovered, !n.Recovered
	case "titleAuto":
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(n.AutoTitle)}, n.AutoTitle != o.AutoTitle, !n.AutoTitle
	}
	panic("unknown key " + key)
}

func mappingIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// maxResolvedNodes bounds a frontmatter with its aliases resolved (an
// alias bomb would otherwise expand without end).
const maxResolvedNodes = 100000

// usesAnchors reports whether any node has an anchor or is an alias.
func usesAnchors(n *yaml.Node) bool {
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		return true
	}
	for _, c := range n.Content {
		if usesAnchors(c) {
			return true
		}
	}
	return false
}

// resolveAliases is n with every alias replaced by a copy of what it
// names and no anchors, or nil when that takes more than *budget nodes.
func resolveAliases(n *yaml.Node, budget *int) *yaml.Node {
	if *budget--; *budget < 0 {
		return nil
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return resolveAliases(n.Alias, budget)
	}
	c := *n
	c.Anchor = ""
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, ch := range n.Content {
		if c.Content[i] = resolveAliases(ch, budget); c.Content[i] == nil {
			return nil
		}
	}
	return &c
}

func cloneNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, ch := range n.Content {
		c.Content[i] = cloneNode(ch)
	}
	return &c
}

// yaml11Rx matches plain strings a YAML 1.1 reader (js-yaml 3 in
// Whispering's gray-matter, PyYAML) takes for something other than a
// string, though YAML 1.2 (our writer) does not: base-60 numbers ("9:45"),
// timestamps with a time, the yes/no/on/off booleans, and YAML 1.1's
// value and merge types ("=", "<<": PyYAML's safe loader refuses a note
// holding either plain).
var yaml11Rx = regexp.MustCompile(`^(?:` +
	// Every implicit type of YAML 1.1 (yaml.org/type) whose plain form a
	// YAML 1.2 writer may leave unquoted: bools and nulls 1.2 does not
	// know; ints in base 2, 8 and 60 and with underscores (0b_, 0_7);
	// floats as js-yaml reads them (an exponent needs no point, and one
	// too large for a float64, 1e700, is a string to yaml.v3, which then
	// writes it plain, and Infinity to Whispering); timestamps; merge and
	// value. Quoting a string that needs none costs two characters.
	`y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|~|null|Null|NULL` +
	`|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?` +
	`|[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)` +
	`|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?` +
	`|[0-9]{4}-[0-9]{2}-[0-9]{2}` +
	`|=|<<)$`)

// yaml11Special reports whether s must be quoted for YAML 1.1 readers:
// it looks like another type to them, or holds a character they read as a
// line break (U+0085, U+2028, U+2029), which a plain or raw quoted string
// would lose.
func yaml11Special(s string) bool {
	return yaml11Rx.MatchString(s) || strings.ContainsAny(s, "\u0085\u2028\u2029")
}

// yaml11Breaks escapes the characters YAML 1.1 reads as line breaks; the
// strings holding them are double-quoted (yaml11Special), where \N, \L
// and \P are their escapes.
var yaml11Breaks = strings.NewReplacer("\u0085", `\N`, "\u2028", `\L`, "\u2029", `\P`)

func encodeYAML(meta *yaml.Node) ([]byte, error) {
	quoteBreaks(meta)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(meta); err != nil {
		return nil, fmt.Errorf("encoding frontmatter: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding frontmatter: %w", err)
	}
	if b.String() == "{}\n" {
		return nil, nil
	}
	if bytes.ContainsAny(b.Bytes(), "\u0085\u2028\u2029") {
		return []byte(yaml11Breaks.Replace(b.String())), nil
	}
	return b.Bytes(), nil
}

// quoteBreaks double-quotes every scalar holding a YAML 1.1 line-break
// character, so that escaping them (yaml11Breaks) is always inside quotes.
func quoteBreaks(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && strings.ContainsAny(n.Value, "\u0085\u2028\u2029") {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		quoteBreaks(c)
	}
}

// hasDelimiterLine reports whether encoded YAML holds a line that a
// frontmatter reader would take for the end of the block.
func hasDelimiterLine(y []byte) bool {
	for line := range bytes.Lines(y) {
		if string(bytes.TrimSpace(line)) == "---" {
			return true
		}
	}
	return false
}

// quoteMultiline switches every multi-line scalar to double-quoted style,
// which keeps line breaks as escapes on one line.
func quoteMultiline(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && strings.ContainsAny(n.Value, "\r\n") {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		quoteMultiline(c)
	}
}
