package persistence

import (
	"cmp"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// BadFile is a file in recordings/ that is not a readable note, and why.
// Bad files are reported, never modified or removed.
type BadFile struct {
	Path   string
	Reason string
	// CopyOf is the id of the note this file is another version of (a
	// sync tool's conflict copy, a file manager's copy), when it says.
	CopyOf string
}

func (b BadFile) Error() string { return b.Path + ": " + b.Reason }

// List reads every note, newest first, and reports the files that are not
// readable notes with the reason for each.
func (v *Vault) List() ([]*Note, []BadFile, error) {
	return v.list(runtime.GOMAXPROCS(0))
}

// ListBeside is List leaving a core to other work: the window's launch,
// whose start and first painting a listing on every core delayed by a
// quarter of a second on two cores when the vault had no index (10,000
// notes read), for a listing done no sooner.
func (v *Vault) ListBeside() ([]*Note, []BadFile, error) {
	return v.list(max(1, runtime.GOMAXPROCS(0)-1))
}

// list is List on workers cores.
func (v *Vault) list(workers int) ([]*Note, []BadFile, error) {
	files, keys, total, bad, err := v.noteFiles(workers)
	if err != nil {
		return nil, nil, err
	}
	// A file whose key the index holds is not read again; the rest are
	// read and parsed on every core. Results keep the folder's order.
	index := v.indexEntries(total)
	now := v.now()
	results := make([]*Note, len(files))
	errs := make([]error, len(files))
	fresh := make([]*indexEntry, len(files))
	hit := make([]bool, len(files))
	parallelOn(workers, len(files), func(i int) {
		name := files[i].Name()
		path := filepath.Join(v.RecordingsPath(), name)
		if e := index[name]; e != nil && keys[i].ModTime != 0 && e.Key == keys[i] {
			results[i], hit[i] = e.note(path), true
			return
		}
		results[i], errs[i] = v.readNote(path, files[i].Type())
		if errs[i] == nil && keys[i].ModTime != 0 && keys[i].settled(now) {
			fresh[i] = entryOf(results[i], keys[i])
		}
	})
	var kept []string
	changed := map[string]*indexEntry{}
	for i, f := range files {
		if hit[i] {
			kept = append(kept, f.Name())
		} else {
			changed[f.Name()] = fresh[i]
		}
	}
	v.updateIndex(kept, changed)
	notes := make([]*Note, 0, len(results))
	for i, n := range results {
		if errs[i] != nil {
			bad = append(bad, BadFile{Path: filepath.Join(v.RecordingsPath(), files[i].Name()), Reason: errs[i].Error()})
			continue
		}
		notes = append(notes, n)
	}
	notes, dups := dedupe(notes)
	bad = append(bad, dups...)
	SortNotes(notes)
	return notes, bad, nil
}

// noteFiles lists the note files of recordings/ with each one's key (its
// size and times; zero for what is not a regular file), their total size,
// and sync tools' conflict copies as bad files.
func (v *Vault) noteFiles(workers int) (files []noteFile, keys []fileKey, total int64, bad []BadFile, err error) {
	entries, err := readDirFunc(v.fs, v.RecordingsPath(), func(name string) bool {
		return strings.HasSuffix(name, NoteExt) && !strings.HasPrefix(name, ".")
	})
	if err != nil {
		return nil, nil, 0, nil, fmt.Errorf("reading %s: %w", v.RecordingsPath(), err)
	}
	listed := make([]fs.DirEntry, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		switch {
		case IsSyncConflict(name):
			path := filepath.Join(v.RecordingsPath(), name)
			b := BadFile{Path: path, Reason: "a sync tool's conflict copy, not listed as a note: compare it with the note it copies, keep what you need, then delete it"}
			if n, err := v.ReadNote(path); err == nil {
				b.CopyOf = n.ID // rare and small: read to say whose
			}
			bad = append(bad, b)
		default:
			listed = append(listed, e)
		}
	}
	// Each file's key, then the index: a file whose key it holds is not
	// read again.
	keys = make([]fileKey, len(listed))
	var sum atomic.Int64
	parallelOn(workers, len(listed), func(i int) {
		if !listed[i].Type().IsRegular() {
			return
		}
		if st, err := listed[i].Info(); err == nil {
			keys[i] = keyOf(st)
			sum.Add(st.Size())
		}
	})
	files = make([]noteFile, len(listed))
	for i, e := range listed {
		files[i] = noteFile{e.Name(), e.Type()}
	}
	return files, keys, sum.Load(), bad, nil
}

// noteFile is a note file as the folder listed it: its name and type.
// Not the fs.DirEntry, which is three times its size (6 MB more of a
// listing's peak at 100k notes).
type noteFile struct {
	name string
	typ  fs.FileMode
}

func (f noteFile) Name() string      { return f.name }
func (f noteFile) Type() fs.FileMode { return f.typ }

// parallel runs do(i) for every i below n on every core.
func parallel(n int, do func(i int)) { parallelOn(runtime.GOMAXPROCS(0), n, do) }

// parallelOn runs do(i) for every i below n on workers cores.
func parallelOn(workers, n int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				do(i)
			}
		})
	}
	wg.Wait()
}

// SortNotes puts notes in the order every view lists them: newest first,
// ties by id, so the order never depends on how they were read.
//
// The time is the note's timestamp, as Whispering sorts (a person may
// have changed it there), else when it was created.
func SortNotes(notes []*Note) {
	slices.SortFunc(notes, func(a, b *Note) int {
		return cmp.Or(b.When().Compare(a.When()), strings.Compare(b.ID, a.ID))
	})
}

// When is the note's time for ordering: its timestamp, else its creation.
func (n *Note) When() time.Time { return noteTime(n.Timestamp, n.CreatedAt) }

// noteTime is a note's time for ordering, from its timestamp and creation.
func noteTime(timestamp, created time.Time) time.Time {
	if !timestamp.IsZero() {
		return timestamp
	}
	return created
}

// IsSyncConflict reports whether a file name is a sync tool's conflict
// copy (Syncthing, Dropbox, Nextcloud, ownCloud, Seafile): such files are
// not notes.
func IsSyncConflict(name string) bool {
	lower := strings.ToLower(name)
	return strings.Contains(lower, ".sync-conflict-") || strings.Contains(lower, "conflicted copy") || strings.Contains(lower, "_conflict-") ||
		strings.Contains(lower, " (conflict") || strings.Contains(lower, "(sfconflict")
}

// IsCopy says whether a note's file is a copy of the note named by its
// id, as Google Drive, OneDrive and file managers name one ("a1 (1).md",
// "a1 - Copy.md", "a1 copy.md"): the id inside says whose copy it is.
// A copy is never listed as the note.
func (n *Note) IsCopy() bool { return isCopyName(filepath.Base(n.Path), n.ID) }

// isCopyName is IsCopy for a note of this id in a file of this name.
func isCopyName(name, id string) bool {
	stem, ok := strings.CutSuffix(name, NoteExt)
	if !ok {
		return false
	}
	rest, ok := strings.CutPrefix(stem, id)
	if !ok || rest == "" {
		return false
	}
	if inner, ok := strings.CutPrefix(rest, " ("); ok {
		if num, ok := strings.CutSuffix(inner, ")"); ok && num != "" && strings.Trim(num, "0123456789") == "" {
			return true
		}
	}
	lower := strings.ToLower(rest)
	return lower == " - copy" || lower == " copy" || strings.HasPrefix(lower, " - copy (")
}

// dedupe keeps one note per id: the one whose file is named after the id,
// else the first by path. The others are reported.
func dedupe(notes []*Note) ([]*Note, []BadFile) {
	keep, bad := duplicates(len(notes),
		func(i int) (string, string) { return filepath.Base(notes[i].Path), notes[i].ID },
		func(i int) string { return notes[i].Path })
	kept := make([]*Note, 0, len(notes))
	for i, n := range notes {
		if keep[i] {
			kept = append(kept, n)
		}
	}
	return kept, bad
}

// duplicates decides which of n note files, in order, are the notes (at
// is each one's file name and the id it holds; path, its path, asked
// only to report it). A copy (IsCopy) never is, even once its note is
// gone: a deleted note must not come back as its copy. Of several with
// one id, the file named after the id is, else the first. Each file that
// is not is reported, with why.
func duplicates(n int, at func(i int) (name, id string), path func(i int) string) (keep []bool, bad []BadFile) {
	canonical := func(i int) bool { name, id := at(i); return name == id+NoteExt }
	byID := make(map[string]int, n)
	for i := range n {
		name, id := at(i)
		if isCopyName(name, id) {
			continue
		}
		if prev, ok := byID[id]; !ok || (!canonical(prev) && canonical(i)) {
			byID[id] = i
		}
	}
	keep = make([]bool, n)
	for i := range n {
		name, id := at(i)
		switch k := byID[id]; {
		case isCopyName(name, id):
			bad = append(bad, BadFile{path(i), fmt.Sprintf("a copy of note %q (a sync tool's or a file manager's), not listed as a note: compare it with %s, keep what you need, then delete it", id, id+NoteExt), id})
		case k != i:
			kept, _ := at(k)
			bad = append(bad, BadFile{Path: path(i), Reason: fmt.Sprintf("duplicate id %q: %s has the same id; rename one of them and change its id", id, kept)})
		default:
			keep[i] = true
		}
	}
	return keep, bad
}
