package persistence

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// fastYAML parses the small subset of YAML that nearly every note's
// frontmatter uses: one "key: value" per line with a plain, single- or
// double-quoted scalar, or a block list of such scalars. It returns the
// pairs as alternating key and value nodes, tagged as the YAML library
// would tag them where the note reader looks at tags. For anything outside
// the subset it returns ok=false and the caller uses the YAML library; a
// differential fuzz test holds the two to the same results.
func fastYAML(raw []byte) (pairs []*yaml.Node, ok bool) {
	if !printable(raw) || bytes.Count(raw, []byte{'\r'}) != bytes.Count(raw, []byte("\r\n")) {
		return nil, false // lone CRs are line breaks to YAML
	}
	if bytes.ContainsAny(raw, "\u0085\u2028\u2029") {
		return nil, false // so are these, to yaml.v3 (YAML 1.1's breaks)
	}
	// One allocation for all the nodes: a note has a dozen keys.
	slab := make([]yaml.Node, 0, 2*bytes.Count(raw, []byte{'\n'})+2)
	node := func(n yaml.Node) *yaml.Node {
		slab = append(slab, n)
		return &slab[len(slab)-1]
	}
	var list *yaml.Node // the block list being read, if any
	listIndent := -1
	for len(raw) > 0 {
		var line []byte
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			line, raw = raw, nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		trimmed := bytes.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		if trimmed[0] == '-' && (len(trimmed) == 1 || trimmed[1] == ' ') {
			// A list item: only under a key with an empty value, all at one indent.
			if len(pairs) == 0 || (list == nil && pairs[len(pairs)-1].Tag != "!!null") || (listIndent >= 0 && indent != listIndent) {
				return nil, false
			}
			if list == nil {
				list = node(yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"})
				pairs[len(pairs)-1] = list
				listIndent = indent
			}
			v, ok := scalar(bytes.TrimLeft(trimmed[1:], " "))
			if !ok || v.Tag == "!!null" {
				return nil, false
			}
			list.Content = append(list.Content, node(v))
			continue
		}
		if indent > 0 {
			return nil, false
		}
		list, listIndent = nil, -1
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || colon > 128 || !isPlainKey(line[:colon]) || (colon+1 < len(line) && line[colon+1] != ' ') {
			return nil, false
		}
		if k, _ := scalar(line[:colon]); k.Tag != "!!str" {
			return nil, false // a key such as TRUE or null: YAML tags it so
		}
		v, ok := scalar(bytes.TrimLeft(line[colon+1:], " "))
		if !ok {
			return nil, false
		}
		pairs = append(pairs, node(yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(line[:colon])}), node(v))
	}
	return pairs, true
}

func isPlainKey(k []byte) bool {
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return k[0] != '-'
}

// scalar parses one value. An empty value is null.
func scalar(b []byte) (yaml.Node, bool) {
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return yaml.Node{}, false // tabs and control characters: leave to the library
		}
	}
	if bytes.ContainsAny(b, "\u0085\u2028\u2029") {
		return yaml.Node{}, false
	}
	switch {
	case len(b) == 0:
		return yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}, true
	case b[0] == '"':
		s, ok := doubleQuoted(b)
		return yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}, ok
	case b[0] == '\'':
		s, ok := singleQuoted(b)
		return yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.SingleQuotedStyle}, ok
	}
	// A plain scalar: no indicator first, no comment, no ": " inside.
	if strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", b[0]) >= 0 || bytes.Contains(b, []byte(": ")) || bytes.Contains(b, []byte(" #")) || b[len(b)-1] == ':' {
		return yaml.Node{}, false
	}
	s := strings.TrimRight(string(b), " ")
	tag := "!!str"
	switch s {
	case "null", "Null", "NULL", "~":
		tag = "!!null"
	case "true", "True", "TRUE", "false", "False", "FALSE":
		tag = "!!bool"
	}
	return yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: s}, true
}

func singleQuoted(b []byte) (string, bool) {
	end := bytes.LastIndexByte(b, '\'')
	if end <= 0 || len(bytes.TrimRight(b[end+1:], " ")) > 0 {
		return "", false
	}
	inner := string(b[1:end])
	if strings.Count(inner, "'")%2 != 0 || strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
		return "", false
	}
	return strings.ReplaceAll(inner, "''", "'"), true
}

func doubleQuoted(b []byte) (string, bool) {
	var out strings.Builder
	for i := 1; i < len(b); i++ {
		c := b[i]
		switch c {
		case '"':
			if len(bytes.TrimRight(b[i+1:], " ")) > 0 {
				return "", false
			}
			return out.String(), true
		case '\\':
			i++
			if i >= len(b) {
				return "", false
			}
			if s, ok := simpleEscapes[b[i]]; ok {
				out.WriteString(s)
				continue
			}
			width := hexEscapes[b[i]]
			if width == 0 || i+width >= len(b) {
				return "", false
			}
			r, err := strconv.ParseUint(string(b[i+1:i+1+width]), 16, 32)
			if err != nil || !utf8.ValidRune(rune(r)) {
				return "", false
			}
			out.WriteRune(rune(r))
			i += width
		default:
			out.WriteByte(c)
		}
	}
	return "", false
}

var simpleEscapes = map[byte]string{'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", 'n': "\n", 'v': "\v", 'f': "\f", 'r': "\r",
	'e': "\x1b", ' ': " ", '"': "\"", '\'': "'", '\\': "\\", 'N': "\u0085", '_': "\u00a0", 'L': "\u2028", 'P': "\u2029"}

var hexEscapes = map[byte]int{'x': 2, 'u': 4, 'U': 8}

// printable reports whether b is valid UTF-8 holding only the characters
// YAML allows in a document, less byte-order marks.
func printable(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		switch {
		case r == utf8.RuneError && size == 1:
			return false
		case r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0x7e || r == 0x85:
		case r >= 0xa0 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd && r != 0xfeff || r >= 0x10000 && r <= 0x10ffff:
		default:
			return false
		}
	}
	return true
}
