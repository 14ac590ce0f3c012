package transcribe

import (
	"bytes"
	"errors"
	"io/fs"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

// SaveTimings keeps when each word of a transcript was said beside its
// note, as <id>.vtt (WebVTT, a cue a word so each keeps its time exactly,
// written atomically like every file here).
// A transcript without times (an engine that gives none) removes timings
// an earlier transcript left, which would no longer fit.
func SaveTimings(v *persistence.Vault, n *persistence.Note, res *Result) error {
	words := timeline.FromEngine(spans(res.Words), spans(res.Segments))
	path := v.TimingsPath(n)
	if len(words) == 0 {
		if err := v.FS().Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	var b bytes.Buffer
	if err := timeline.WriteVTT(&b, timeline.WordCues(words)); err != nil {
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
