package persistence

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

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
	// The values as read, never changed after: copies of the note (the
	// vault's index, a note listed from it, one just saved) share it.
	orig := *n
	orig.Tags = slices.Clone(n.Tags)
	orig.Transformed = slices.Clone(n.Transformed)
	orig.Markers = slices.Clone(n.Markers)
	orig.raw, orig.meta = nil, nil
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
	case "transformed":
		if v.Tag == "!!null" {
			return nil
		}
		if err := v.Decode(&n.Transformed); err != nil {
			return errors.New("must be a list of text")
		}
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
