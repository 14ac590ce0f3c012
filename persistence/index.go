package persistence

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"sync"
	"time"
	"unsafe"
)

// The note index, .voicenotes/index, keeps what List parsed from each note
// file, keyed by the file's name, size, modification time and (where the
// system has them) inode and inode change time: a file whose key is
// unchanged is not read again. It is a cache, never the source of truth:
// any key that differs, any file it lacks, an index that cannot be read,
// and the file is read as before; deleting the index loses nothing.
//
// A file changed twice within the granularity of its file system's clock
// (a few milliseconds on ext4, 2 s on FAT) could keep its key; so a file
// is only indexed once its times are old enough (settledTime), as Git does
// with its own index. Symbolic links are never indexed (their target may change).
const (
	indexName   = "index"
	indexFormat = "voicenotes note index 3\n"
	indexRacy   = 3 * time.Second
	// indexRacyFine is indexRacy for file systems with fine times.
	indexRacyFine = 25 * time.Millisecond
	// indexBatch: changes (files parsed again, or gone) that make the
	// index worth writing; fewer are cheaper to read again than to write.
	indexBatch = 32
	// indexStale: a smaller batch is written once the index is this old.
	indexStale = 10 * time.Minute
)

// fileKey identifies a version of a file without reading it.
type fileKey struct {
	Size, ModTime, ChangeTime int64
	Inode                     uint64
}

func keyOf(st fs.FileInfo) fileKey {
	ino, ctime := inodeChange(st)
	return fileKey{Size: st.Size(), ModTime: st.ModTime().UnixNano(), ChangeTime: ctime, Inode: ino}
}

// settled reports whether a file with this key, looked at now, is old
// enough that a later change must change its key.
func (k fileKey) settled(now time.Time) bool {
	return settledTime(k.ModTime, now) && settledTime(k.ChangeTime, now)
}

// settledTime reports whether a file time t (ns since 1970, 0 for none)
// is old enough that the file system's clock has moved past it. A time in
// whole milliseconds or coarser comes from a file system that keeps times
// so (FAT: 2 s, exFAT: 10 ms, HFS+: 1 s), or rounds them: indexRacy. A
// finer one is the system's clock as the kernel stamps files with it,
// which moves at least every tick: 10 ms on Linux at 100 Hz, its slowest,
// 15.6 ms on Windows: indexRacyFine is more than either.
func settledTime(t int64, now time.Time) bool {
	if t == 0 {
		return true
	}
	margin := indexRacy
	if t%int64(time.Millisecond) != 0 {
		margin = indexRacyFine
	}
	return t < now.Add(-margin).UnixNano()
}

// indexEntry is one note as parsed: its fields as read and as the note
// holds them (they differ where reading fills in defaults), its
// frontmatter block, and its file's version.
type indexEntry struct {
	Key       fileKey
	CRC       uint32
	Raw       []byte
	BOM, CRLF bool
	Note      Note  // Path is not kept
	Orig      *Note // nil in header-only entries
	// full: the entry holds the block, body and fields as read; without,
	// it makes header-only notes.
	full bool
}

// noteIndex is a vault's index in memory, read from disk at the first List.
type noteIndex struct {
	mu      sync.Mutex
	loaded  bool
	entries map[string]*indexEntry
	changes int       // entries parsed again or dropped since last written
	written time.Time // when it was last read or written
	writing sync.WaitGroup
	busy    bool // a write is under way
}

func (v *Vault) indexPath() string { return filepath.Join(v.root, StateDir, indexName) }

// indexEntries returns the index's entries (not to be changed), reading
// the index from disk the first time. notesSize, the size of all note
// files, bounds how large an index is believed.
func (v *Vault) indexEntries(notesSize int64) map[string]*indexEntry {
	x := &v.index
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.loaded {
		x.loaded, x.written = true, v.now()
		x.entries = v.readIndex(3*notesSize + 1<<20)
	}
	return x.entries
}

// readIndex reads the index file, or returns nil when there is none or it
// cannot be used (then every note is read, and a new index written).
func (v *Vault) readIndex(limit int64) map[string]*indexEntry {
	meta, text, ok := v.readIndexSections(limit, false)
	if !ok {
		return nil
	}
	entries, err := decodeIndex(meta, text)
	if err != nil {
		return nil
	}
	return entries
}

// readIndexSections reads the index file's header section and, unless
// headers, its text section; ok is false when there is no index or it
// cannot be used.
func (v *Vault) readIndexSections(limit int64, headers bool) (meta, text []byte, ok bool) {
	f, err := OpenRegular(v.fs, v.indexPath())
	if err != nil {
		return nil, nil, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() > limit {
		return nil, nil, false
	}
	size := st.Size()
	head := make([]byte, min(size, int64(len(indexFormat)+binary.MaxVarintLen64)))
	if _, err := io.ReadFull(f, head); err != nil {
		return nil, nil, false
	}
	rest, ok := bytes.CutPrefix(head, []byte(indexFormat))
	if !ok {
		return nil, nil, false // another version's, or not an index
	}
	metaLen, n := binary.Uvarint(rest)
	start := int64(len(indexFormat) + n)
	if n <= 0 || metaLen > uint64(size-start) {
		return nil, nil, false
	}
	// Headers only: the text section is not read.
	end := size
	if headers {
		end = start + int64(metaLen)
	}
	data := make([]byte, end-start)
	if _, err := f.ReadAt(data, start); err != nil {
		return nil, nil, false
	}
	meta, text = data[:metaLen], data[metaLen:]
	if headers {
		text = nil
	}
	return meta, text, true
}

// validIndexName: an entry names a note file in recordings/ itself.
func validIndexName(name string) bool {
	return filepath.Base(name) == name && filepath.Ext(name) == NoteExt && name != "."+NoteExt
}

// entryOf makes the index entry of a note just parsed from a file with key.
func entryOf(n *Note, key fileKey) *indexEntry {
	if n.orig == nil || !n.disk.known || n.disk.size != key.Size {
		return nil
	}
	// n.orig is decodePairs' snapshot: values only, shared, never changed.
	e := &indexEntry{Key: key, CRC: n.disk.crc, Raw: n.raw, BOM: n.bom, CRLF: n.crlf, Note: *n, Orig: n.orig, full: true}
	e.Note.Path = ""
	e.Note.disk, e.Note.raw, e.Note.meta, e.Note.orig = version{}, nil, nil, nil
	return e
}

// note makes the note an entry holds, as parseNote and readNote would
// have made it from the file at path: a copy its caller may change.
func (e *indexEntry) note(path string) *Note {
	n := e.Note
	n.Tags, n.Markers, n.Transformed = slices.Clone(n.Tags), slices.Clone(n.Markers), slices.Clone(n.Transformed)
	n.Path = path
	n.disk = version{known: true, size: e.Key.Size, crc: e.CRC}
	if !e.full {
		n.headerOnly = true
		return &n
	}
	n.raw, n.bom, n.crlf = e.Raw, e.BOM, e.CRLF
	n.orig = e.Orig // values as read: shared, never changed
	return &n
}

// updateIndex makes the entries of the files List just saw the index: kept
// are the names whose entry was used, fresh the files parsed again (nil
// entries for those not to be indexed). It writes the index to disk, in
// the background, once enough has changed.
func (v *Vault) updateIndex(kept []string, fresh map[string]*indexEntry) {
	x := &v.index
	x.mu.Lock()
	defer x.mu.Unlock()
	next := make(map[string]*indexEntry, len(kept)+len(fresh))
	for _, name := range kept {
		if e := x.entries[name]; e != nil {
			next[name] = e
		}
	}
	changes := 0
	for name, e := range fresh {
		if e != nil {
			next[name] = e
			changes++
		}
	}
	for name := range x.entries {
		if next[name] == nil {
			changes++ // gone, or changed and not yet settled
		}
	}
	x.entries = next
	x.changes += changes
	if v.readOnly || x.busy || x.changes == 0 || (x.changes < indexBatch && v.now().Sub(x.written) < indexStale) {
		return
	}
	x.busy, x.changes, x.written = true, 0, v.now()
	x.writing.Add(1)
	go func() {
		defer x.writing.Done()
		err := v.writeIndex(next)
		x.mu.Lock()
		x.busy = false
		if err != nil {
			x.changes += indexBatch // try again at the next List
		}
		x.mu.Unlock()
	}()
}

// writeIndex writes the index atomically. Two processes writing it at once
// each write a whole one; either is right for the files it names.
func (v *Vault) writeIndex(entries map[string]*indexEntry) error {
	p, err := CreatePending(v.fs, v.indexPath(), FilePerm)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // the vault is gone
	}
	if err != nil {
		return err
	}
	defer p.Cleanup()
	w := bufio.NewWriterSize(p, 1<<16)
	if err := encodeIndex(w, entries); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return p.CloseAtomicallyReplace()
}

// waitIndex waits for an index write under way.
func (v *Vault) waitIndex() { v.index.writing.Wait() }

// The index on disk: its format line, the length of its header section,
// the header section, then the text section.
//
// The header section holds the number of entries and, for each, the file's
// name, key and CRC, the BOM, CR LF and block flags, the note's fields but
// its body, and the lengths of its fields as read, its frontmatter block
// and its body. The text section holds each entry's fields as read, block
// and body, in the same order: a listing reads the header section alone.
// Integers are varints, strings length-first, times in their own binary
// form (which keeps the offset).

// encodeIndex writes the index to w: the header section is made in
// memory first (its length comes first), the text section is written from
// the notes as they are.
func encodeIndex(w io.Writer, entries map[string]*indexEntry) error {
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	slices.Sort(names) // in the folder's order: a listing walks both side by side
	var meta, orig []byte
	meta = binary.AppendUvarint(meta, uint64(len(entries)))
	for _, name := range names {
		e := entries[name]
		meta = appendString(meta, name)
		meta = binary.AppendVarint(meta, e.Key.Size)
		meta = binary.AppendVarint(meta, e.Key.ModTime)
		meta = binary.AppendVarint(meta, e.Key.ChangeTime)
		meta = binary.AppendUvarint(meta, e.Key.Inode)
		meta = binary.LittleEndian.AppendUint32(meta, e.CRC)
		meta = append(meta, flags(e.BOM, e.CRLF, e.Raw != nil))
		meta = appendNote(meta, &e.Note)
		meta = binary.AppendUvarint(meta, uint64(len(appendNote(orig[:0], e.Orig))))
		meta = binary.AppendUvarint(meta, uint64(len(e.Raw)))
		meta = binary.AppendUvarint(meta, uint64(len(e.Note.Body)))
	}
	head := binary.AppendUvarint([]byte(indexFormat), uint64(len(meta)))
	if _, err := w.Write(head); err != nil {
		return err
	}
	if _, err := w.Write(meta); err != nil {
		return err
	}
	for _, name := range names {
		e := entries[name]
		orig = appendNote(orig[:0], e.Orig)
		if _, err := w.Write(orig); err != nil {
			return err
		}
		if _, err := w.Write(e.Raw); err != nil {
			return err
		}
		if _, err := io.WriteString(w, e.Note.Body); err != nil {
			return err
		}
	}
	return nil
}

func flags(bits ...bool) byte {
	var f byte
	for i, b := range bits {
		if b {
			f |= 1 << i
		}
	}
	return f
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendTime(b []byte, t time.Time) []byte {
	data, err := t.MarshalBinary()
	if err != nil { // a year past 32767 or an offset not in whole minutes
		data = nil // read back as a time the note does not have: never equal
	}
	return appendString(b, string(data))
}

// appendNote encodes every exported field of n but Path and Body.
// TestIndexKeepsEveryField fails when Note gains one.
func appendNote(b []byte, n *Note) []byte {
	for _, s := range []string{n.ID, n.Title, n.Subtitle, string(n.TranscriptionStatus), n.TranscriptionError, n.Audio, n.Engine, n.Language, n.TranscriptHash} {
		b = appendString(b, s)
	}
	for _, t := range []time.Time{n.Timestamp, n.CreatedAt, n.UpdatedAt} {
		b = appendTime(b, t)
	}
	b = binary.AppendVarint(b, int64(n.Duration))
	b = binary.AppendUvarint(b, uint64(len(n.Tags)))
	for _, t := range n.Tags {
		b = appendString(b, t)
	}
	b = binary.AppendUvarint(b, uint64(len(n.Markers)))
	for _, m := range n.Markers {
		b = binary.AppendVarint(b, int64(m.At))
		b = appendString(b, m.Label)
	}
	b = binary.AppendUvarint(b, uint64(len(n.Transformed)))
	for _, t := range n.Transformed {
		b = appendString(b, t)
	}
	return append(b, flags(n.Recovered, n.AutoTitle, n.Tags != nil, n.Markers != nil, n.Transformed != nil))
}

// indexReader reads the encoding; the first error stops it.
type indexReader struct {
	data []byte
	err  error
}

var errIndex = errors.New("the note index is damaged")

func (r *indexReader) fail() {
	if r.err == nil {
		r.err = errIndex
	}
	r.data = nil
}

func (r *indexReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.data = r.data[n:]
	return v
}

func (r *indexReader) varint() int64 {
	v, n := binary.Varint(r.data)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.data = r.data[n:]
	return v
}

// take returns the next n bytes.
func (r *indexReader) take(n uint64) []byte {
	if n > uint64(len(r.data)) {
		r.fail()
		return nil
	}
	b := r.data[:n:n]
	r.data = r.data[n:]
	return b
}

func (r *indexReader) bytes() []byte { return r.take(r.uvarint()) }

func (r *indexReader) string() string { return string(r.bytes()) }

// view is string without the copy: the string is the reader's bytes, for
// a listing that keeps the header section and never changes it (at 100k
// notes the copies of names and ids were 8 MB of its peak).
func (r *indexReader) view() string {
	b := r.bytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (r *indexReader) byte() byte {
	if b := r.take(1); len(b) == 1 {
		return b[0]
	}
	return 0
}

func (r *indexReader) time() time.Time {
	var t time.Time
	if data := r.bytes(); len(data) > 0 && t.UnmarshalBinary(data) != nil {
		r.fail()
	}
	return t
}

// count reads a number of items each at least min bytes long.
func (r *indexReader) count(min int) int {
	n := r.uvarint()
	if n > uint64(len(r.data)/min) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *indexReader) note(n *Note) {
	for _, s := range []*string{&n.ID, &n.Title, &n.Subtitle, (*string)(&n.TranscriptionStatus), &n.TranscriptionError, &n.Audio, &n.Engine, &n.Language, &n.TranscriptHash} {
		*s = r.string()
	}
	for _, t := range []*time.Time{&n.Timestamp, &n.CreatedAt, &n.UpdatedAt} {
		*t = r.time()
	}
	n.Duration = time.Duration(r.varint())
	tags := make([]string, r.count(1))
	for i := range tags {
		tags[i] = r.string()
	}
	markers := make([]Marker, r.count(2))
	for i := range markers {
		markers[i] = Marker{At: time.Duration(r.varint()), Label: r.string()}
	}
	transformed := make([]string, r.count(1))
	for i := range transformed {
		transformed[i] = r.string()
	}
	f := r.byte()
	n.Recovered, n.AutoTitle = f&1 != 0, f&2 != 0
	if f&4 != 0 {
		n.Tags = tags
	}
	if f&8 != 0 {
		n.Markers = markers
	}
	if f&16 != 0 {
		n.Transformed = transformed
	}
}

// skipNote moves past a note's fields as appendNote wrote them, without
// making them (TestSkipNoteIsNote keeps it in step with note).
func (r *indexReader) skipNote() {
	for range 9 + 3 { // the strings, then the times
		r.bytes()
	}
	r.varint()
	for range r.count(1) {
		r.bytes()
	}
	for range r.count(2) {
		r.varint()
		r.bytes()
	}
	for range r.count(1) {
		r.bytes()
	}
	r.byte()
}

// head reads, of a note's fields, what a listing orders by: its id, and
// its time (When).
func (r *indexReader) head() (id string, when time.Time) {
	id = r.view()
	for range 8 { // the strings after the id
		r.bytes()
	}
	timestamp, created := r.time(), r.time()
	return id, noteTime(timestamp, created)
}

// decodeIndex reads a header section and, unless text is nil, the text
// section. Without text, entries have no block or body, nor fields as
// read: they make header-only notes.
func decodeIndex(meta, text []byte) (map[string]*indexEntry, error) {
	r, t := &indexReader{data: meta}, &indexReader{data: text}
	count := r.count(8)
	entries := make(map[string]*indexEntry, count)
	for range count {
		name := r.string()
		e := &indexEntry{}
		e.Key = fileKey{Size: r.varint(), ModTime: r.varint(), ChangeTime: r.varint(), Inode: r.uvarint()}
		if crc := r.take(4); len(crc) == 4 {
			e.CRC = binary.LittleEndian.Uint32(crc)
		}
		f := r.byte()
		e.BOM, e.CRLF = f&1 != 0, f&2 != 0
		before := r.data
		r.note(&e.Note)
		fields := before[:len(before)-len(r.data)]
		origLen, rawLen, bodyLen := r.uvarint(), r.uvarint(), r.uvarint()
		if text != nil {
			if o := t.take(origLen); bytes.Equal(o, fields) {
				// As read and as now, the same (most notes): one copy,
				// never changed, serves as both.
				e.Orig = &e.Note
			} else {
				o := &indexReader{data: o}
				e.Orig = &Note{}
				if o.note(e.Orig); o.err != nil || len(o.data) != 0 {
					r.fail()
				}
			}
			// A copy: a slice of the section would keep the whole file's
			// bytes (17 MB at 10,000 notes) alive for as long as the
			// notes listed from it are.
			e.Raw = t.take(rawLen)
			if f&4 == 0 {
				e.Raw = nil
			} else {
				e.Raw = bytes.Clone(e.Raw)
			}
			e.Note.Body = string(t.take(bodyLen))
			e.Orig.Body = e.Note.Body
			e.full = true
		}
		if r.err != nil || t.err != nil {
			break
		}
		if validIndexName(name) {
			entries[name] = e
		}
	}
	if r.err == nil && t.err == nil && (len(r.data) != 0 || (text != nil && len(t.data) != 0)) {
		r.fail()
	}
	return entries, errors.Join(r.err, t.err)
}
