package persistence

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

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
	for _, t := range n.Transformed {
		if !utf8.ValidString(t) || strings.ContainsAny(t, "\x00\n\r") {
			return nil, fmt.Errorf("note %s: what transformed it (%q) must be one line of text", n.ID, t)
		}
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
		slices.Equal(a.Tags, b.Tags) && slices.Equal(a.Markers, b.Markers) && slices.Equal(a.Transformed, b.Transformed) && a.Recovered == b.Recovered && a.AutoTitle == b.AutoTitle
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
	case "transformed":
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, t := range n.Transformed {
			tn, _, _ := str(t, "")
			seq.Content = append(seq.Content, tn)
		}
		return seq, !slices.Equal(n.Transformed, o.Transformed), len(n.Transformed) == 0
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
