package persistence

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fill gives every exported field of the struct v a value that is not its
// zero, and fails on a kind it does not know: a field added to Note must
// be taught to the index (appendNote and note) and to this test.
func fill(t *testing.T, v reflect.Value, seed int) {
	t.Helper()
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		if !sf.IsExported() {
			continue
		}
		switch {
		case sf.Type == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(time.Date(2026, 3, 4, 5, 6, 7, 8009+seed+i, time.FixedZone("", 5400))))
		case f.Kind() == reflect.String:
			f.SetString(sf.Name + "✓" + string(rune('a'+seed)))
		case f.Kind() == reflect.Int64:
			f.SetInt(int64(1000*seed + i + 1))
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
			f.Set(reflect.ValueOf([]string{"one", "two" + sf.Name}))
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct:
			s := reflect.MakeSlice(f.Type(), 2, 2)
			for j := range 2 {
				fill(t, s.Index(j), seed+j)
			}
			f.Set(s)
		default:
			t.Fatalf("%s.%s is a %s: the note index does not keep it; add it to appendNote and indexReader.note", v.Type(), sf.Name, sf.Type)
		}
	}
}

// splitIndex returns the header section of an index file's start, and what
// follows it (the text section when data is the whole file).
func splitIndex(data []byte) (meta, rest []byte, err error) {
	rest, ok := bytes.CutPrefix(data, []byte(indexFormat))
	if !ok {
		return nil, nil, fmt.Errorf("%w: not this version's", errIndex)
	}
	r := &indexReader{data: rest}
	meta = r.take(r.uvarint())
	return meta, r.data, r.err
}

// decodeIndexFile decodes a whole index file, or its headers only.
func decodeIndexFile(data []byte, headers bool) (map[string]*indexEntry, error) {
	meta, text, err := splitIndex(data)
	if err != nil {
		return nil, err
	}
	if headers {
		text = nil
	} else if text == nil {
		text = []byte{}
	}
	return decodeIndex(meta, text)
}

func encoded(t testing.TB, entries map[string]*indexEntry) []byte {
	var b bytes.Buffer
	if err := encodeIndex(&b, entries); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func exported(n *Note) Note {
	c := *n
	c.disk, c.raw, c.bom, c.crlf, c.meta, c.orig = version{}, nil, false, false, nil, nil
	return c
}

func TestIndexKeepsEveryField(t *testing.T) {
	for _, bools := range []bool{true, false} {
		var n, orig Note
		fill(t, reflect.ValueOf(&n).Elem(), 0)
		fill(t, reflect.ValueOf(&orig).Elem(), 1)
		n.Recovered, n.AutoTitle = bools, bools
		if !bools {
			n.Tags, n.Markers, n.Transformed = nil, nil, nil // nil and empty lists stay apart
			orig.Tags, orig.Markers, orig.Transformed = []string{}, []Marker{}, []string{}
		}
		orig.Body = n.Body // the two share the body
		n.Path, orig.Path = "", ""
		n.orig, n.raw, n.bom, n.crlf = &orig, []byte("title: x\r\n"), bools, !bools
		key := fileKey{Size: 1234, ModTime: -5, ChangeTime: 1 << 62, Inode: 1<<64 - 1}
		n.disk = version{known: true, size: key.Size, crc: 0xdeadbeef}
		e := entryOf(&n, key)
		file := encoded(t, map[string]*indexEntry{"a.md": e})
		entries, err := decodeIndexFile(file, false)
		if err != nil || len(entries) != 1 || entries["a.md"] == nil {
			t.Fatalf("decoded %v, %v", entries, err)
		}
		if entries["a.md"].Key != key {
			t.Errorf("key %+v, want %+v", entries["a.md"].Key, key)
		}
		got := entries["a.md"].note("/v/recordings/a.md")
		want := n
		want.Path = "/v/recordings/a.md"
		if !reflect.DeepEqual(exported(got), exported(&want)) {
			t.Errorf("note from the index:\n%+v\nwant\n%+v", exported(got), exported(&want))
		}
		if !reflect.DeepEqual(exported(got.orig), exported(&orig)) {
			t.Errorf("fields as read:\n%+v\nwant\n%+v", exported(got.orig), exported(&orig))
		}
		if string(got.raw) != string(n.raw) || got.bom != n.bom || got.crlf != n.crlf || got.disk != n.disk {
			t.Errorf("file state %q %v %v %+v, want %q %v %v %+v", got.raw, got.bom, got.crlf, got.disk, n.raw, n.bom, n.crlf, n.disk)
		}
		// The block as read is its own bytes, not a window on the index
		// file's: that would keep the whole file (17 MB at 10,000 notes)
		// in memory for as long as one listed note is.
		clear(file)
		if string(got.raw) != string(n.raw) {
			t.Errorf("the block as read changed to %q when the index file's bytes were overwritten: it is a slice of them", got.raw)
		}
		// The copy is the caller's own.
		got.Tags = append(got.Tags[:0:0], "changed")
		if again := entries["a.md"].note("x"); reflect.DeepEqual(again.Tags, got.Tags) {
			t.Error("a note from the index shares its tags with the index")
		}
	}
}

// FuzzDecodeIndex: whatever the index file holds (another program wrote
// it, a crash cut it), reading it returns an error or entries, never a
// panic or an allocation out of proportion to its size.
func FuzzDecodeIndex(f *testing.F) {
	n := &Note{ID: "x", Title: "t", Tags: []string{"a"}, Markers: []Marker{{At: 3, Label: "m"}}, Body: "body", raw: []byte("id: x\n")}
	n.orig = &Note{ID: "x"}
	n.disk = version{known: true, size: 10, crc: 1}
	good := encoded(f, map[string]*indexEntry{"x.md": entryOf(n, fileKey{Size: 10, ModTime: 1})})
	f.Add(good)
	for i := range len(good) {
		f.Add(good[:i])
	}
	f.Add([]byte(indexFormat + "\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, headers := range []bool{false, true} {
			entries, err := decodeIndexFile(data, headers)
			if err == nil {
				for name, e := range entries {
					if !validIndexName(name) || e == nil {
						t.Fatalf("entry %q %v", name, e)
					}
				}
			}
		}
	})
}

// TestSkipNoteIsNote: skipping a note's fields (a listing's index pass)
// moves exactly as far as reading them, whatever the note holds, and
// indexRefs points each entry at its fields.
func TestSkipNoteIsNote(t *testing.T) {
	for seed := range 3 {
		var n Note
		fill(t, reflect.ValueOf(&n).Elem(), seed)
		if seed == 2 {
			n.Tags, n.Markers, n.Transformed = nil, nil, nil
		}
		enc := appendNote(nil, &n)
		read, skipped := &indexReader{data: enc}, &indexReader{data: enc}
		var got Note
		read.note(&got)
		skipped.skipNote()
		if read.err != nil || skipped.err != nil || len(read.data) != 0 || len(skipped.data) != 0 {
			t.Fatalf("seed %d: read %v leaving %d bytes, skipped %v leaving %d", seed, read.err, len(read.data), skipped.err, len(skipped.data))
		}
		n.orig, n.raw = &Note{}, []byte("title: x\n")
		key := fileKey{Size: 77, ModTime: 5}
		n.disk = version{known: true, size: key.Size, crc: 0xfeed}
		data := encoded(t, map[string]*indexEntry{"a.md": entryOf(&n, key), "b.md": entryOf(&n, key)})
		meta, _, err := splitIndex(data)
		if err != nil {
			t.Fatal(err)
		}
		refs, err := indexRefs(meta)
		if err != nil || len(refs) != 2 {
			t.Fatalf("refs %v, %v", refs, err)
		}
		if refs[0].name != "a.md" || refs[1].name != "b.md" {
			t.Errorf("refs are not in name order: %q, %q", refs[0].name, refs[1].name)
		}
		for _, ref := range refs {
			name := ref.name
			var at Note
			(&indexReader{data: meta[ref.at:]}).note(&at)
			if at.ID != n.ID || at.Title != n.Title || ref.key != key || ref.crc != 0xfeed {
				t.Errorf("seed %d: %s points at %q %q, key %+v crc %x", seed, name, at.ID, at.Title, ref.key, ref.crc)
			}
		}
	}
}

// TestIndexRefsInNameOrder: a listing walks the folder and the index's
// entries side by side, in name order. Indexes are written so; one
// written before (in no order) is put in order as it is read, each entry
// still pointing at its own fields.
func TestIndexRefsInNameOrder(t *testing.T) {
	entry := func(name, title string) []byte {
		n := Note{ID: strings.TrimSuffix(name, NoteExt), Title: title}
		n.orig = &Note{}
		n.disk = version{known: true, size: 1}
		meta, _, err := splitIndex(encoded(t, map[string]*indexEntry{name: entryOf(&n, fileKey{Size: 1, ModTime: 1})}))
		if err != nil {
			t.Fatal(err)
		}
		return meta[1:] // without its count, 1
	}
	names := []string{"c.md", "a.md", "b.md"}
	meta := []byte{byte(len(names))}
	for _, name := range names {
		meta = append(meta, entry(name, "title of "+name)...)
	}
	refs, err := indexRefs(meta)
	if err != nil || len(refs) != 3 {
		t.Fatalf("refs %v, %v", refs, err)
	}
	for i, want := range []string{"a.md", "b.md", "c.md"} {
		var n Note
		(&indexReader{data: meta[refs[i].at:]}).note(&n)
		if refs[i].name != want || n.Title != "title of "+want {
			t.Errorf("ref %d is %q pointing at %q; want %q and its fields", i, refs[i].name, n.Title, want)
		}
	}
}

// TestIndexKeepsOneCopyOfTheFieldsAsRead: the fields as read (what a save
// compares with to leave unchanged keys alone) are one value shared by the
// note parsed, its index entry and every note listed from the index; and
// where they equal the note's fields (most notes), decoding the index
// makes one copy for both. At 10,000 notes the copies were 9 MB of a
// 37 MB listing.
func TestIndexKeepsOneCopyOfTheFieldsAsRead(t *testing.T) {
	data := []byte("---\nid: a1\ntitle: Groceries\ntags: [list, home]\ntranscriptionStatus: DONE\n---\nmilk and bread\n")
	n, err := parseNote(data)
	if err != nil {
		t.Fatal(err)
	}
	n.disk = versionOf(data)
	key := fileKey{Size: int64(len(data)), ModTime: 1}
	e := entryOf(n, key)
	if e.Orig != n.orig {
		t.Error("the index entry of a note just parsed holds a copy of its fields as read")
	}
	entries, err := decodeIndexFile(encoded(t, map[string]*indexEntry{"a1.md": e}), false)
	if err != nil {
		t.Fatal(err)
	}
	d := entries["a1.md"]
	if d.Orig != &d.Note {
		t.Error("an unchanged note decoded from the index holds two copies of its fields")
	}
	one, two := d.note("/v/recordings/a1.md"), d.note("/v/recordings/a1.md")
	if one.orig != d.Orig || two.orig != d.Orig {
		t.Error("notes listed from the index each copy the fields as read")
	}
	// A caller changing its note changes neither the fields as read
	// nor the next note listed.
	one.Title, one.Tags = "Changed", append(one.Tags, "new")
	one.Tags[0] = "changed"
	if three := d.note("x"); three.Title != "Groceries" || !reflect.DeepEqual(three.Tags, []string{"list", "home"}) || !reflect.DeepEqual(three.orig.Tags, []string{"list", "home"}) {
		t.Errorf("a change to a listed note reached the index: %q %q (as read %q)", three.Title, three.Tags, three.orig.Tags)
	}
	out, err := two.Marshal()
	if err != nil || !bytes.Contains(out, []byte("tags: [list, home]")) {
		t.Errorf("the other listed note writes:\n%s\n(%v)", out, err)
	}

	// Fields changed since they were read: two copies, each its own.
	changed := *n
	changed.Title = "Groceries for Sunday"
	e = entryOf(&changed, key)
	entries, err = decodeIndexFile(encoded(t, map[string]*indexEntry{"a1.md": e}), false)
	if err != nil {
		t.Fatal(err)
	}
	d = entries["a1.md"]
	if d.Orig == &d.Note || d.Orig.Title != "Groceries" || d.Note.Title != "Groceries for Sunday" {
		t.Errorf("changed fields decoded as %q, as read %q (shared: %v)", d.Note.Title, d.Orig.Title, d.Orig == &d.Note)
	}
}
