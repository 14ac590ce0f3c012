package persistence

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// kindOf is what the note reader distinguishes in a value.
func kindOf(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.SequenceNode:
		var items []string
		for _, c := range n.Content {
			items = append(items, kindOf(c))
		}
		return "[" + strings.Join(items, ",") + "]"
	case n.Kind != yaml.ScalarNode:
		return fmt.Sprintf("kind%d", n.Kind)
	case n.Tag == "!!null":
		return "null"
	case n.Tag == "!!bool":
		return "bool:" + n.Value
	}
	return fmt.Sprintf("%q", n.Value)
}

func checkFastAgrees(t *testing.T, raw string) bool {
	t.Helper()
	fast, ok := fastYAML([]byte(raw))
	if !ok {
		return false
	}
	meta, err := parseMeta([]byte(raw))
	if err != nil {
		t.Fatalf("fast path accepted what YAML rejects (%v):\n%q", err, raw)
	}
	slow := meta.Content
	if len(fast) != len(slow) {
		t.Fatalf("fast path found %d nodes, YAML %d:\n%q", len(fast), len(slow), raw)
	}
	for i := range fast {
		if f, s := kindOf(fast[i]), kindOf(slow[i]); f != s {
			t.Fatalf("node %d: fast %s, YAML %s:\n%q", i, f, s, raw)
		}
	}
	return true
}

func TestFastYAMLAgrees(t *testing.T) {
	accepted := []string{
		"id: a\ntitle: Hello world\n",
		"title: \"quoted \\\"x\\\" \\n\\u00e9\\t\"\nsubtitle: ''\n",
		"title: 'it''s'\r\ncreatedAt: 2025-03-04T05:06:07.089Z\r\n",
		"tags:\n  - one\n  - \"two\"\nrecovered: true\n",
		"tags:\n- a\n- b\nx: ~\ny: null\nz:\n",
		"# comment\n\nduration: 12.5\ntitle: a#b c:d\n",
	}
	for _, raw := range accepted {
		if !checkFastAgrees(t, raw) {
			t.Errorf("fast path refused common frontmatter:\n%s", raw)
		}
	}
	for _, raw := range []string{
		"title: |\n  block\n", "title: [a]\n", "x:\n  nested: 1\n", "title: a: b\n", "title: a # c\n",
		"'quoted key': 1\n", "title: \"unterminated\n", "title: &anchor x\n", "tags:\n  - a\n    - b\n", "title: x\n  continued\n",
	} {
		if _, ok := fastYAML([]byte(raw)); ok {
			t.Errorf("fast path accepted YAML outside its subset:\n%s", raw)
		}
	}
}

// FuzzFastYAML holds the fast path to the YAML library's results.
func FuzzFastYAML(f *testing.F) {
	for _, s := range []string{"id: a\ntitle: b\n", "tags:\n  - x\n", "t: \"\\u00e9\\x41\"\n", "t: 'a''b'\n", "r: TRUE\nn: ~\n", "d: 1.5\n# c\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		checkFastAgrees(t, raw)
	})
}
