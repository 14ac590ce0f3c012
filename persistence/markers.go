package persistence

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/voicenotes/voicenotes/internal/regular"
)

// Marker is a moment of a recording the person marked.
type Marker struct {
	At    time.Duration // from the start of the recording
	Label string
}

// MarkersExt is the extension of the file a recording in progress keeps
// its markers in, beside its partial audio, until its note takes them:
// one JSON line a marker, each made durable as it is dropped, so a crash
// loses none (recovery moves them into the note).
const MarkersExt = ".markers"

// MarkersPath is where the recording id keeps its markers while it runs.
func (v *Vault) MarkersPath(id string) string {
	return filepath.Join(v.RecordingsPath(), id+MarkersExt)
}

type markerLine struct {
	T     float64 `json:"t"`
	Label string  `json:"label,omitempty"`
}

// AppendMarker adds a marker to a recording's markers file and makes it
// durable before returning.
func AppendMarker(fsys FS, path string, m Marker) error {
	line, err := json.Marshal(markerLine{m.At.Seconds(), m.Label})
	if err != nil {
		return err
	}
	// Never through a link: a markers file planted as one would have the
	// marker appended to whatever it points at.
	f, err := fsys.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND|regular.NoFollow, FilePerm)
	if err != nil {
		return fmt.Errorf("keeping the marker: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("keeping the marker: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("keeping the marker: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return SyncDir(fsys, filepath.Dir(path))
}

// MaxMarkerSeconds bounds a marker's time: past any recording (eleven
// days), and far from where seconds overflow a time.Duration.
const MaxMarkerSeconds = 1e6

// maxMarkerLine bounds a markers file's line: a marker is a time and a
// label of a few words; a longer line is not one of ours.
const maxMarkerLine = 16 << 10

// MarkerLinesError says which lines of a markers file are not markers
// (written by another program, or garbled): they were left out.
type MarkerLinesError struct {
	Path  string
	Lines []int
}

func (e *MarkerLinesError) Error() string {
	return fmt.Sprintf("%s: line(s) %v are not markers ({\"t\": seconds from 0 to %g, \"label\": text}) and were left out", e.Path, e.Lines, MaxMarkerSeconds)
}

// ReadMarkers reads a markers file: the markers of its well-formed lines,
// and a *MarkerLinesError naming any other line. A last line cut short by
// a crash (no line end) is left out without a word. A missing file has
// no markers. Lines are read whole however long, without holding more
// than maxMarkerLine of one.
func ReadMarkers(fsys FS, path string) ([]Marker, error) {
	f, err := OpenRegular(fsys, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ms []Marker
	var bad []int
	r := bufio.NewReader(f)
	for no := 1; ; no++ {
		line, long, err := readLine(r, maxMarkerLine)
		if err != nil && !errors.Is(err, io.EOF) {
			return ms, fmt.Errorf("reading %s: %w", path, err)
		}
		torn := errors.Is(err, io.EOF) // no line end: the last, maybe cut by a crash
		if len(line) > 0 || long {
			var l markerLine
			switch {
			case !long && json.Unmarshal(line, &l) == nil && l.T >= 0 && l.T <= MaxMarkerSeconds && len(l.Label) <= maxMarkerLine:
				ms = append(ms, Marker{At: time.Duration(math.Round(l.T*1000)) * time.Millisecond, Label: l.Label})
			case !torn:
				bad = append(bad, no)
			}
		}
		if torn {
			break
		}
	}
	if len(bad) > 0 {
		return ms, &MarkerLinesError{Path: path, Lines: bad}
	}
	return ms, nil
}

// readLine reads one line without its end; a line longer than limit is
// read to its end and reported as long, without keeping any of it.
func readLine(r *bufio.Reader, limit int) (line []byte, long bool, err error) {
	for {
		part, err := r.ReadSlice('\n')
		if err == nil {
			part = part[:len(part)-1]
		}
		if !long {
			if len(line)+len(part) > limit {
				long, line = true, nil
			} else {
				line = append(line, part...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return line, long, err
	}
}

// AddMarkers merges markers into a note: in time order, none twice.
func (n *Note) AddMarkers(ms []Marker) {
	for _, m := range ms {
		if !slices.Contains(n.Markers, m) {
			n.Markers = append(slices.Clip(n.Markers), m)
		}
	}
	slices.SortStableFunc(n.Markers, func(a, b Marker) int { return cmp.Compare(a.At, b.At) })
}

// TakeMarkers moves a finished recording's markers from its markers file
// into its note (under the write lock), then removes the file, and
// returns the note when it changed. Run again after a crash between the
// two, it adds nothing twice. A recording without markers has no file,
// and costs one stat.
func (v *Vault) TakeMarkers(id string) (*Note, error) {
	path := v.MarkersPath(id)
	if _, err := v.fs.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	ms, err := ReadMarkers(v.fs, path)
	var bad *MarkerLinesError
	if err != nil && !errors.As(err, &bad) {
		return nil, err
	}
	var n *Note
	if len(ms) > 0 {
		if n, err = v.Update(id, func(n *Note) error { n.AddMarkers(ms); return nil }); err != nil {
			return nil, err
		}
	}
	if bad != nil {
		// Lines that are not markers are kept for the person to look at,
		// under a name nothing here reads again, and said once.
		kept := path + ".unreadable"
		if err := v.fs.Rename(path, kept); err != nil {
			return n, err
		}
		bad.Path = kept
		return n, errors.Join(bad, SyncDir(v.fs, filepath.Dir(path)))
	}
	if err := v.fs.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return n, err
	}
	return n, SyncDir(v.fs, filepath.Dir(path))
}
