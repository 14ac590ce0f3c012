package persistence

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

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
