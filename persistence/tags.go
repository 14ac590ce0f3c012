package persistence

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Tags are Obsidian's: written in the frontmatter as a `tags:` list, each
// a word of letters, digits, '_', '-' and '/' (for nested tags), with at
// least one character that is not a digit, compared without regard to
// case. A leading '#' is how people type them; it is not part of the tag.

// NormalizeTag checks a tag as a person typed it and returns it as it is
// stored: without the '#', with the case kept.
func NormalizeTag(s string) (string, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "#")
	if t == "" {
		return "", fmt.Errorf("an empty tag: type a word, such as #idea")
	}
	digits := true
	for _, r := range t {
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r):
			digits = false
		case unicode.IsDigit(r):
		case r == '_' || r == '-' || r == '/':
			digits = false
		default:
			return "", fmt.Errorf("tag %q: %q is not allowed in a tag (letters, digits, _, - and / only, no spaces)", s, r)
		}
	}
	if digits {
		return "", fmt.Errorf("tag %q is only digits; Obsidian needs at least one letter or symbol in a tag", s)
	}
	if strings.HasPrefix(t, "/") || strings.HasSuffix(t, "/") || strings.Contains(t, "//") {
		return "", fmt.Errorf("tag %q: a '/' goes between two parts of a nested tag, such as work/meetings", s)
	}
	return t, nil
}

// HasTag reports whether the note carries tag (any case, with or without
// '#'; a nested tag's parent matches too: work matches work/meetings, as
// in Obsidian's pane).
func (n *Note) HasTag(tag string) bool {
	tag = tagKey(tag)
	for _, t := range n.Tags {
		t = tagKey(t)
		if strings.EqualFold(t, tag) || len(t) > len(tag) && t[len(tag)] == '/' && strings.EqualFold(t[:len(tag)], tag) {
			return true
		}
	}
	return false
}

// HasTagPrefix reports whether one of the note's tags begins with prefix
// (any case, with or without '#'): the list narrows so as "#ta" is typed.
func (n *Note) HasTagPrefix(prefix string) bool {
	prefix = strings.ToLower(tagKey(prefix))
	return slices.ContainsFunc(n.Tags, func(t string) bool { return strings.HasPrefix(strings.ToLower(tagKey(t)), prefix) })
}

// AddTag adds a tag unless the note has it already (in any case); it
// returns the tag as stored and whether the note changed.
func (n *Note) AddTag(s string) (string, bool, error) {
	t, err := NormalizeTag(s)
	if err != nil {
		return "", false, err
	}
	if slices.ContainsFunc(n.Tags, func(x string) bool { return strings.EqualFold(tagKey(x), t) }) {
		return t, false, nil
	}
	n.Tags = append(slices.Clip(n.Tags), t)
	return t, true, nil
}

// RemoveTag removes a tag (any case) and reports whether it was there.
func (n *Note) RemoveTag(s string) bool {
	t := tagKey(s)
	before := len(n.Tags)
	n.Tags = slices.DeleteFunc(slices.Clone(n.Tags), func(x string) bool { return strings.EqualFold(tagKey(x), t) })
	return len(n.Tags) != before
}

// splitTags reads tags written as one text: "a, b", "#a #b", "a b".
func splitTags(s string) []string {
	var tags []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if f = strings.TrimPrefix(f, "#"); f != "" {
			tags = append(tags, f)
		}
	}
	return tags
}

// tagKey is a tag as compared: without spaces around it or its '#'.
func tagKey(t string) string { return strings.TrimPrefix(strings.TrimSpace(t), "#") }
