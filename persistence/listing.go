package persistence

import (
	"cmp"
	"encoding/binary"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Listing is the vault's notes as a listing shows them, newest first,
// without their text: each note is made from the index when it is asked
// for (Note), so a listing of 100k notes holds the index's header section
// and a few words a note, not 100k notes at once (which was three
// quarters of `voicenotes list`'s 185 MB there).
type Listing struct {
	// Bad are the files in recordings/ that are not listed notes, and
	// why: sync tools' conflict copies, unreadable files, duplicate ids
	// and copies, as List reports them.
	Bad   []BadFile
	dir   string
	meta  []byte // the index's header section the items point into
	items []listItem
}

// listItem is a listed note: where its fields are in the header section,
// or the note itself when it was read from its file.
type listItem struct {
	name string // its file's name in recordings/
	at   int    // where its fields start in meta
	note *Note  // read from its file (not in the index), else nil
	size int64  // its file's size and CRC, the note's revision
	crc  uint32
	id   string
	when time.Time
}

// Len is the number of notes listed.
func (l *Listing) Len() int { return len(l.items) }

// Note is the i-th note, newest first: a note of its own, without its
// text (Body) unless it was read from its file. It cannot be saved
// (Marshal refuses it; Vault.Note reads one whole).
func (l *Listing) Note(i int) *Note {
	it := &l.items[i]
	if it.note != nil {
		return it.note
	}
	n := &Note{}
	r := &indexReader{data: l.meta[it.at:]}
	r.note(n)
	n.Path = filepath.Join(l.dir, it.name)
	n.disk = version{known: true, size: it.size, crc: it.crc}
	n.headerOnly = true
	return n
}

// Headers lists the notes as List does, for a listing: from the index's
// header section where it holds a file's key, reading only the files it
// does not (all of them, through List, which writes a new index, when
// more than a few changed).
func (v *Vault) Headers() (*Listing, error) {
	files, keys, total, bad, err := v.noteFiles(runtime.GOMAXPROCS(0))
	if err != nil {
		return nil, err
	}
	meta, _, ok := v.readIndexSections(3*total+1<<20, true)
	var refs []indexRef
	if ok {
		if refs, err = indexRefs(meta); err != nil {
			refs = nil
		}
	}
	l := &Listing{dir: v.RecordingsPath(), meta: meta}
	items := make([]listItem, len(files))
	var misses []int
	// files and refs are both in name order: each file's entry is found
	// walking the two side by side.
	next := 0
	for i, f := range files {
		for next < len(refs) && refs[next].name < f.Name() {
			next++
		}
		ok := next < len(refs) && refs[next].name == f.Name()
		var ref indexRef
		if ok {
			ref = refs[next]
		}
		if !ok || keys[i].ModTime == 0 || ref.key != keys[i] {
			if misses = append(misses, i); len(misses) > indexBatch {
				notes, bad, err := v.List()
				if err != nil {
					return nil, err
				}
				return listingOf(notes, bad), nil
			}
			continue
		}
		id, when := (&indexReader{data: meta[ref.at:]}).head()
		items[i] = listItem{name: f.Name(), at: ref.at, size: ref.key.Size, crc: ref.crc, id: id, when: when}
	}
	errs := make([]error, len(files))
	parallel(len(misses), func(k int) {
		i := misses[k]
		n, err := v.readNote(filepath.Join(v.RecordingsPath(), files[i].Name()), files[i].Type())
		if errs[i] = err; err == nil {
			items[i] = listItem{name: files[i].Name(), note: n, id: n.ID, when: n.When()}
		}
	})
	for _, i := range misses {
		if errs[i] != nil {
			bad = append(bad, BadFile{Path: filepath.Join(v.RecordingsPath(), files[i].Name()), Reason: errs[i].Error()})
		}
	}
	items = slices.DeleteFunc(items, func(it listItem) bool { return it.name == "" })
	l.Bad = bad
	l.items = l.dedupe(items)
	slices.SortFunc(l.items, func(a, b listItem) int {
		return cmp.Or(b.when.Compare(a.when), strings.Compare(b.id, a.id))
	})
	return l, nil
}

// dedupe is dedupe for listed items, its reports added to l.Bad.
func (l *Listing) dedupe(items []listItem) []listItem {
	keep, bad := duplicates(len(items),
		func(i int) (string, string) { return items[i].name, items[i].id },
		func(i int) string { return filepath.Join(l.dir, items[i].name) })
	l.Bad = append(l.Bad, bad...)
	kept := items[:0] // in place: a second slice was 9 MB of the peak at 100k notes
	for i, it := range items {
		if keep[i] {
			kept = append(kept, it)
		}
	}
	return kept
}

// listingOf is a listing of notes List read whole.
func listingOf(notes []*Note, bad []BadFile) *Listing {
	l := &Listing{Bad: bad, items: make([]listItem, len(notes))}
	for i, n := range notes {
		l.items[i] = listItem{name: filepath.Base(n.Path), note: n, id: n.ID, when: n.When()}
	}
	return l
}

// indexRef is where a note's fields are in the index's header section,
// and the name, key and CRC of the file they were read from.
type indexRef struct {
	name string
	key  fileKey
	crc  uint32
	at   int
}

// indexRefs reads a header section for where each entry's fields are,
// without making the notes, in name order (as indexes are written; an
// older one's are sorted here). A slice, not a map by name: at 100k
// notes the map was 13 MB of a listing's peak.
func indexRefs(meta []byte) ([]indexRef, error) {
	r := &indexReader{data: meta}
	count := r.count(8)
	refs := make([]indexRef, 0, count)
	sorted := true
	for range count {
		var ref indexRef
		ref.name = r.view()
		ref.key = fileKey{Size: r.varint(), ModTime: r.varint(), ChangeTime: r.varint(), Inode: r.uvarint()}
		if crc := r.take(4); len(crc) == 4 {
			ref.crc = binary.LittleEndian.Uint32(crc)
		}
		r.byte()
		ref.at = len(meta) - len(r.data)
		r.skipNote()
		r.uvarint() // the lengths of its fields as read, block and body
		r.uvarint()
		r.uvarint()
		if r.err != nil {
			return nil, r.err
		}
		if !validIndexName(ref.name) {
			continue
		}
		if len(refs) > 0 && refs[len(refs)-1].name >= ref.name {
			sorted = false
		}
		refs = append(refs, ref)
	}
	if len(r.data) != 0 {
		return nil, errIndex
	}
	if !sorted {
		slices.SortStableFunc(refs, func(a, b indexRef) int { return strings.Compare(a.name, b.name) })
	}
	return refs, nil
}
