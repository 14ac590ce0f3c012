package persistence

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/adrg/frontmatter"
	"go.yaml.in/yaml/v3"
)

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
	head := lineWithEnd(data)
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

// lineWithEnd is data's first line with its end.
func lineWithEnd(data []byte) []byte {
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
