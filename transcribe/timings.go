package transcribe

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

// SaveTimings keeps when each word of a transcript was said beside its
// note, as <id>.vtt (WebVTT, a cue a word so each keeps its time exactly,
// written atomically like every file here).
// A transcript without times (an engine that gives none) removes timings
// an earlier transcript left, which would no longer fit; so do times that
// do not fit the note's audio (timeline.Check), which are refused with an
// error rather than stored.
//
// An empty transcript leaves the timings as they are: it replaced no text
// (ApplyTranscript), and the timings are the kept text's.
func SaveTimings(v *persistence.Vault, n *persistence.Note, res *Result) error {
	if strings.TrimSpace(res.Text) == "" {
		return nil
	}
	words := timeline.FromEngine(spans(res.Words), spans(res.Segments))
	path := v.TimingsPath(n)
	bad := timeline.Check(words, n.Duration)
	if len(words) == 0 || bad != nil {
		if err := v.FS().Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if bad != nil {
			return fmt.Errorf("the word timings %s gave were not kept: %w", cmp.Or(n.Engine, "the engine"), bad)
		}
		return nil
	}
	var b bytes.Buffer
	if err := timeline.WriteTimings(&b, words); err != nil {
		return err
	}
	return persistence.WriteFile(v.FS(), path, b.Bytes(), persistence.FilePerm)
}

func spans(s []Segment) []timeline.Span {
	out := make([]timeline.Span, len(s))
	for i, x := range s {
		out[i] = timeline.Span{Start: x.Start, End: x.End, Text: x.Text}
	}
	return out
}
