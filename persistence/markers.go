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
// loses none (recovery moves them into the note). A line without a time
// holds what the note is to have that the audio cannot say (NoteFields:
// a dictation's tag), so a recovered recording has it too.
const MarkersExt = ".markers"

// MarkersPath is where the recording id keeps its markers while it runs.
func (v *Vault) MarkersPath(id string) string {
	return filepath.Join(v.RecordingsPath(), id+MarkersExt)
}

type markerLine struct {
	T     *float64 `json:"t,omitempty"` // nil: a line of NoteFields
	Label string   `json:"label,omitempty"`
	Tags  []string `json:"tags,omitempty"`
	Title string   `json:"title,omitempty"`
}

// NoteFields are what a recording's note is to have beyond its audio,
// kept in its markers file from the start so that a recovered recording
// has them too.
type NoteFields struct {
	Title string
	Tags  []string
}

// AppendMarker adds a marker to a recording's markers file and makes it
// durable before returning.
func AppendMarker(fsys FS, path string, m Marker) error {
	t := m.At.Seconds()
	return appendLine(fsys, path, markerLine{T: &t, Label: m.Label}, "keeping the marker")
}

// AppendNoteFields keeps a recording's title and tags in its markers
// file, durably, for the note recovery makes if the recording is cut
// short. A normal end's note has them already; taking them again adds
// nothing.
func AppendNoteFields(fsys FS, path string, f NoteFields) error {
	for _, t := range f.Tags {
		if _, err := NormalizeTag(t); err != nil {
			return err
		}
	}
	return appendLine(fsys, path, markerLine{Tags: f.Tags, Title: f.Title}, "keeping the recording's tags")
}

// DropFieldsOnly removes a recording's markers file once its note is
// written, when the file holds only NoteFields (which the note has) and
// no marker: nothing is left in it to take. A file with markers, or with
// lines that are not ours, is left for TakeMarkers.
func DropFieldsOnly(fsys FS, path string) error {
	ms, nf, err := readMarkers(fsys, path)
	if err != nil || len(ms) > 0 || (len(nf.Tags) == 0 && nf.Title == "") {
		return err
	}
	if err := fsys.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return SyncDir(fsys, filepath.Dir(path))
}

func appendLine(fsys FS, path string, l markerLine, what string) error {
	line, err := json.Marshal(l)
	if err != nil {
		return err
	}
	// Never through a link: a markers file planted as one would have the
	// marker appended to whatever it points at.
	f, err := fsys.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND|regular.NoFollow, FilePerm)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", what, err)
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
	ms, _, err := readMarkers(fsys, path)
	return ms, err
}

// readMarkers is ReadMarkers with the NoteFields lines, merged.
func readMarkers(fsys FS, path string) (ms []Marker, nf NoteFields, err error) {
	f, err := OpenRegular(fsys, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nf, nil
	}
	if err != nil {
		return nil, nf, err
	}
	defer f.Close()
	var bad []int
	r := bufio.NewReader(f)
	for no := 1; ; no++ {
		line, long, err := readLine(r, maxMarkerLine)
		if err != nil && !errors.Is(err, io.EOF) {
			return ms, nf, fmt.Errorf("reading %s: %w", path, err)
		}
		torn := errors.Is(err, io.EOF) // no line end: the last, maybe cut by a crash
		if len(line) > 0 || long {
			var l markerLine
			ok := !long && json.Unmarshal(line, &l) == nil
			switch {
			case ok && l.T != nil && *l.T >= 0 && *l.T <= MaxMarkerSeconds && len(l.Label) <= maxMarkerLine:
				ms = append(ms, Marker{At: time.Duration(math.Round(*l.T*1000)) * time.Millisecond, Label: l.Label})
			case ok && l.T == nil && (len(l.Tags) > 0 || l.Title != "") && validTags(l.Tags):
				nf.Title = cmp.Or(l.Title, nf.Title)
				nf.Tags = append(nf.Tags, l.Tags...)
			case !torn:
				bad = append(bad, no)
			}
		}
		if torn {
			break
		}
	}
	if len(bad) > 0 {
		return ms, nf, &MarkerLinesError{Path: path, Lines: bad}
	}
	return ms, nf, nil
}

func validTags(tags []string) bool {
	for _, t := range tags {
		if _, err := NormalizeTag(t); err != nil {
			return false
		}
	}
	return true
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
	ms, nf, err := readMarkers(v.fs, path)
	var bad *MarkerLinesError
	if err != nil && !errors.As(err, &bad) {
		return nil, err
	}
	var n *Note
	if len(ms) > 0 || len(nf.Tags) > 0 || nf.Title != "" {
		errSame := errors.New("nothing to add")
		n, err = v.Update(id, func(n *Note) error {
			before := len(n.Markers)
			n.AddMarkers(ms)
			changed := len(n.Markers) != before
			for _, t := range nf.Tags {
				_, added, _ := n.AddTag(t) // checked as it was read
				changed = changed || added
			}
			// A title the person gave at the start, for a note recovery
			// made (its title is only a date); never over one they typed.
			if nf.Title != "" && n.Recovered && n.AutoTitle {
				n.Title, n.AutoTitle, changed = nf.Title, false, true
			}
			if !changed {
				return errSame // a normal end's note has them all: no write
			}
			return nil
		})
		if errors.Is(err, errSame) {
			n, err = nil, nil
		}
		if err != nil {
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
