package persistence

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
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
	f, err := fsys.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, FilePerm)
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

// ReadMarkers reads a markers file; a last line cut short by a crash is
// left out. A missing file has no markers.
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
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l markerLine
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.T < 0 {
			continue // torn by a crash mid-write
		}
		ms = append(ms, Marker{At: time.Duration(l.T * float64(time.Second)).Round(time.Millisecond), Label: l.Label})
	}
	return ms, sc.Err()
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
	if err != nil {
		return nil, err
	}
	var n *Note
	if len(ms) > 0 {
		if n, err = v.Update(id, func(n *Note) error { n.AddMarkers(ms); return nil }); err != nil {
			return nil, err
		}
	}
	if err := v.fs.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return n, err
	}
	return n, SyncDir(v.fs, filepath.Dir(path))
}
