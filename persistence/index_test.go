package persistence_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/faultfs"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// indexVault opens root as a process would, with a clock an hour ahead
// (so every file counts as settled for the index) and a file system that
// counts the notes it opens.
func indexVault(t *testing.T, root string) (*persistence.Vault, func() int) {
	t.Helper()
	fsys := faultfs.New(persistence.OS, nil)
	v := openVault(t, root, persistence.Options{FS: fsys, Now: func() time.Time { return time.Now().Add(time.Hour) }})
	opened := func() int {
		k := 0
		for _, e := range fsys.Events() {
			if e.Op == faultfs.OpOpen && strings.HasSuffix(e.Path, persistence.NoteExt) {
				k++
			}
		}
		return k
	}
	return v, opened
}

// listing is what a list shows of every note, and what saving it writes.
func listing(t *testing.T, v *persistence.Vault) string {
	t.Helper()
	return listingOf(t, v.List)
}

// listingOf is listing by the list function given.
func listingOf(t *testing.T, list func() ([]*persistence.Note, []persistence.BadFile, error)) string {
	t.Helper()
	notes, bad, err := list()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, n := range notes {
		fmt.Fprintf(&b, "%s %q %q %v %v %v %v %s %v %q\n", filepath.Base(n.Path), n.ID, n.Title, n.Tags, n.Markers, n.Duration, n.Timestamp, n.TranscriptionStatus, n.Revision(), n.Body)
		data, err := n.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	for _, f := range bad {
		fmt.Fprintf(&b, "bad %s: %s\n", filepath.Base(f.Path), f.Reason)
	}
	return b.String()
}

// writeNotes writes count notes into rec, a minute apart, with tags and
// a marker.
func writeNotes(t *testing.T, rec string, count int) {
	t.Helper()
	base := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	for i := range count {
		at := base.Add(time.Duration(i) * time.Minute)
		n := &persistence.Note{ID: persistence.NewID(at), Title: fmt.Sprintf("Note %02d", i), Timestamp: at, CreatedAt: at,
			TranscriptionStatus: persistence.StatusDone, Tags: []string{"t" + fmt.Sprint(i%3)}, Markers: []persistence.Marker{{At: time.Second, Label: "here"}}, Body: fmt.Sprintf("words %02d\n", i)}
		data, err := n.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(rec, n.ID+persistence.NoteExt), string(data), 0o600)
	}
}

// TestListBesideListsWhatListDoes: the window's listing at launch, on one
// core fewer, lists what List does, from the files and from the index.
func TestListBesideListsWhatListDoes(t *testing.T) {
	root := tempdir.New(t)
	rec := filepath.Join(root, persistence.RecordingsDir)
	const count = 40
	writeNotes(t, rec, count)
	write(t, filepath.Join(rec, "broken.md"), "---\ntitle: [\n---\n", 0o600)
	write(t, filepath.Join(rec, "a1.sync-conflict-20260101-120000-ABCDEFG.md"), "---\ntitle: copy\n---\n", 0o600)

	v, opened := indexVault(t, root)
	fromFiles := listingOf(t, v.ListBeside)
	if got := opened(); got < count+1 {
		t.Fatalf("the first listing opened %d notes, want all %d", got, count+1)
	}
	v.Close() // writes the index
	v, _ = indexVault(t, root)
	want := listing(t, v)
	v.Close()
	v, opened = indexVault(t, root)
	fromIndex := listingOf(t, v.ListBeside)
	if got := opened(); got > 2 {
		t.Errorf("listing beside from the index opened %d notes, want only the unreadable ones", got)
	}
	if fromFiles != want || fromIndex != want {
		t.Errorf("ListBeside from the files:\n%s\nfrom the index:\n%s\nList:\n%s", fromFiles, fromIndex, want)
	}
	if !strings.Contains(want, "bad broken.md") || !strings.Contains(want, "bad a1.sync-conflict") {
		t.Errorf("the listing does not name the unreadable file and the conflict copy:\n%s", want)
	}
}

// TestListReadsOnlyWhatChanged: a vault listed once is listed again (in a
// new process) without opening its notes, and whatever another program
// does to a note file (rewrite it, rewrite it at the same size with its
// time set back, replace it, delete it, garble the index) is seen at once.
func TestListReadsOnlyWhatChanged(t *testing.T) {
	root := tempdir.New(t)
	rec := filepath.Join(root, persistence.RecordingsDir)
	const count = 60
	writeNotes(t, rec, count)
	// Written by other programs: unknown keys and comments, CR LF and a
	// byte order mark, no id; and a file that is not a note.
	write(t, filepath.Join(rec, "obsidian.md"), "---\r\ntitle: From Obsidian # typed there\r\ncustom: [a, b]\r\n---\r\nbody\r\n", 0o600)
	write(t, filepath.Join(rec, "bom.md"), "\ufeff---\ntitle: \"BOM\"\nextra: 1\n---\ntext\n", 0o600)
	write(t, filepath.Join(rec, "broken.md"), "---\ntitle: [\n---\n", 0o600)

	v, opened := indexVault(t, root)
	want := listing(t, v)
	if got := opened(); got != count+3 {
		t.Fatalf("the first list opened %d notes, want all %d", got, count+3)
	}
	v.Close() // waits for the index to be written
	if _, err := os.Stat(filepath.Join(root, persistence.StateDir, "index")); err != nil {
		t.Fatalf("no index after listing %d notes: %v", count, err)
	}

	v, opened = indexVault(t, root)
	if got := listing(t, v); got != want {
		t.Fatalf("listed from the index:\n%s\nwant, as read from the files:\n%s", got, want)
	}
	if got := opened(); got != 1 {
		t.Errorf("listing again opened %d notes, want only the unreadable one", got)
	}

	// Headers: the same notes without their text, read from the header
	// section alone; one cannot be saved.
	hv, opened := indexVault(t, root)
	listed, err := hv.Headers()
	if err != nil {
		t.Fatal(err)
	}
	var heads []*persistence.Note
	for i := range listed.Len() {
		heads = append(heads, listed.Note(i))
	}
	whole, wholeBad, _ := v.List()
	if fmt.Sprint(listed.Bad) != fmt.Sprint(wholeBad) {
		t.Errorf("Headers reported %v; List %v", listed.Bad, wholeBad)
	}
	if len(heads) != len(whole) || opened() != 1 {
		t.Fatalf("Headers listed %d notes opening %d files; want %d opening only the unreadable one", len(heads), opened(), len(whole))
	}
	for i, h := range heads {
		w := whole[i]
		if h.ID != w.ID || h.Title != w.Title || h.Path != w.Path || !h.Timestamp.Equal(w.Timestamp) || fmt.Sprint(h.Tags, h.Markers) != fmt.Sprint(w.Tags, w.Markers) || h.Revision() != w.Revision() {
			t.Errorf("header %+v\nwant %+v", h, w)
		}
	}
	before, _ := os.ReadFile(heads[0].Path)
	heads[0].Title = "changed"
	if err := hv.Save(heads[0]); err == nil {
		t.Error("a note listed without its text was saved")
	}
	if after, _ := os.ReadFile(heads[0].Path); !bytes.Equal(before, after) {
		t.Error("saving a header-only note changed its file")
	}

	// Another program changes notes while this one runs.
	names, _ := filepath.Glob(filepath.Join(rec, "2026*.md"))
	rewrite := func(path string, change func(string) string) {
		t.Helper()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(change(string(data))), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rewrite(names[0], func(s string) string { return strings.Replace(s, "words 00", "WORDS 00 and more", 1) })
	// Same size, its time set back as `touch -r` does: seen by its inode
	// change time. Windows keeps none the index can read without opening
	// the file: there, as for rsync, size and time (to 100 ns) are the key.
	shown := []string{"WORDS 00 and more", "Note 2!", "New"}
	if runtime.GOOS != "windows" {
		st, _ := os.Stat(names[1])
		rewrite(names[1], func(s string) string { return strings.Replace(s, "words 01", "sword 01", 1) })
		os.Chtimes(names[1], st.ModTime(), st.ModTime())
		shown = append(shown, "sword 01")
	}
	// Replaced by a rename, as editors and sync tools save.
	tmp := filepath.Join(rec, ".tmp-editor")
	data, _ := os.ReadFile(names[2])
	os.WriteFile(tmp, bytes.Replace(data, []byte("Note 02"), []byte("Note 2!"), 1), 0o600)
	os.Rename(tmp, names[2])
	os.Remove(names[3])
	write(t, filepath.Join(rec, "new.md"), "---\ntitle: New\n---\n", 0o600)

	fresh, _ := indexVault(t, root)
	if got, want := listing(t, v), listing(t, fresh); got != want {
		t.Fatalf("after changes by another program, the list:\n%s\nwant, as read from the files:\n%s", got, want)
	}
	got := listing(t, v)
	for _, s := range shown {
		if !strings.Contains(got, s) {
			t.Errorf("the list does not show %q", s)
		}
	}
	if strings.Contains(got, filepath.Base(names[3])) {
		t.Error("the list still shows a deleted note")
	}

	// A note from the index saves as one read from its file.
	notes, _, _ := v.List()
	for _, n := range notes {
		if filepath.Base(n.Path) != "obsidian.md" {
			continue
		}
		n.Title = "Changed here"
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
	}
	data, _ = os.ReadFile(filepath.Join(rec, "obsidian.md"))
	if !strings.HasPrefix(string(data), "---\r\ntitle: Changed here\r\ncustom: [a, b]\r\n") {
		t.Errorf("saved from the index, the note is:\n%q", data)
	}

	// An index garbled, cut or of another version is read past.
	idx := filepath.Join(root, persistence.StateDir, "index")
	good, err := os.ReadFile(idx)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{good[:len(good)/2], append([]byte("garbage"), good...), bytes.Repeat([]byte{0xff}, 4096), nil} {
		os.WriteFile(idx, bad, 0o600)
		v, _ := indexVault(t, root)
		if got, want := listing(t, v), listing(t, fresh); got != want {
			t.Fatalf("with a damaged index (%d bytes), the list:\n%s\nwant\n%s", len(bad), got, want)
		}
	}
}

// TestMaintenanceLooksOnlyAtChangedFolders: a vault whose folders were
// found clean and have not changed since is opened without reading them;
// a temp file left anywhere (in recordings/, or three folders deep where
// no parent changed) is found and removed at the next open all the same,
// and a folder is looked at again once the trust in it runs out.
func TestMaintenanceLooksOnlyAtChangedFolders(t *testing.T) {
	root := tempdir.New(t)
	deep := filepath.Join(root, "Obsidian", "Daily", "2026")
	write(t, filepath.Join(deep, "a.md"), "---\ntitle: a\n---\n", 0o600)
	ahead := time.Hour // every folder settled
	open := func() (*persistence.Vault, []string) {
		t.Helper()
		fsys := faultfs.New(persistence.OS, nil)
		// A job after cleanup reads recordings/ as recovery does.
		readAgain := func(v *persistence.Vault) error {
			unchanged, _, mark := v.FolderUnchanged("again", v.RecordingsPath())
			if unchanged {
				return nil
			}
			_, err := v.MaintenanceReadDir(v.RecordingsPath())
			mark(nil)
			return err
		}
		v, err := persistence.Open(root, persistence.Options{FS: fsys, Now: func() time.Time { return time.Now().Add(ahead) }, Maintain: []func(*persistence.Vault) error{readAgain}})
		if err != nil {
			t.Fatal(err)
		}
		v.Close()
		var read []string
		for _, e := range fsys.Events() {
			if e.Op == faultfs.OpReadDir {
				rel, _ := filepath.Rel(root, e.Path)
				if rel != persistence.StateDir { // the app's own, always read
					read = append(read, filepath.ToSlash(rel))
				}
			}
		}
		return v, read
	}
	if _, read := open(); !slices.Contains(read, "recordings") || !slices.Contains(read, "Obsidian/Daily/2026") {
		t.Fatalf("the first open read %v, want every folder", read)
	} else if k := len(slices.DeleteFunc(read, func(d string) bool { return d != "recordings" })); k != 1 {
		t.Errorf("the first open read recordings/ %d times; what cleanup read, later jobs are handed", k)
	}
	if _, read := open(); len(read) != 0 {
		t.Fatalf("opening an unchanged vault read the folders %v", read)
	}
	scan := filepath.Join(root, persistence.StateDir, "scan")
	before, err := os.Stat(scan)
	if err != nil {
		t.Fatal(err)
	}
	open()
	if after, err := os.Stat(scan); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("opening an unchanged vault wrote what it found again (%v)", err)
	}
	old := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{filepath.Join(root, persistence.RecordingsDir, ".n.md.abcdefghijkl.tmp"), filepath.Join(deep, ".a.md.abcdefghijkl.tmp")} {
		write(t, p, "torn", 0o600)
		os.Chtimes(p, old, old)
	}
	v, read := open()
	if !slices.Contains(read, "recordings") || !slices.Contains(read, "Obsidian/Daily/2026") || slices.Contains(read, "Obsidian") {
		t.Errorf("after temp files were left, the open read %v; want recordings/ and the deep folder, not their unchanged parents", read)
	}
	if len(v.Maintenance.Removed) != 2 {
		t.Errorf("removed %v, want both temp files", v.Maintenance.Removed)
	}
	open()
	open()
	ahead += 11 * time.Minute
	if _, read := open(); !slices.Contains(read, "recordings") {
		t.Errorf("11 minutes later, the open read %v; a folder is looked at again every 10 minutes", read)
	}
}

// TestHeadersListAsList: a listing made from the index's header section
// lists what List lists, in its order, with the same reports: copies of
// a note (a file manager's and a sync tool's), two files with one id, an
// unreadable file; read from the index alone, with a few files changed
// since (read from their files), and with many changed (through List).
func TestHeadersListAsList(t *testing.T) {
	root := tempdir.New(t)
	rec := filepath.Join(root, persistence.RecordingsDir)
	base := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 50 {
		at := base.Add(time.Duration(i%7) * time.Minute) // equal times: ordered by id
		n := &persistence.Note{ID: persistence.NewID(at.Add(time.Duration(i) * time.Second)), Title: fmt.Sprintf("Note %02d", i), CreatedAt: at,
			TranscriptionStatus: persistence.StatusDone, Tags: []string{"t" + fmt.Sprint(i%3)}, Body: "words\n"}
		if i%2 == 0 {
			n.Timestamp = at
		}
		data, err := n.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(rec, n.ID+persistence.NoteExt), string(data), 0o600)
		ids = append(ids, n.ID)
	}
	copyOf := func(id, name string) {
		data, err := os.ReadFile(filepath.Join(rec, id+persistence.NoteExt))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(rec, name), string(data), 0o600)
	}
	copyOf(ids[1], ids[1]+" (1).md")
	copyOf(ids[2], "renamed.md")
	copyOf(ids[3], ids[3]+".sync-conflict-20260501-090000-ABCDEFG.md")
	write(t, filepath.Join(rec, "broken.md"), "---\ntitle: [\n---\n", 0o600)

	compare := func(what string, v *persistence.Vault) {
		t.Helper()
		listed, err := v.Headers()
		if err != nil {
			t.Fatal(err)
		}
		notes, bad, err := v.List()
		if err != nil {
			t.Fatal(err)
		}
		if listed.Len() != len(notes) {
			t.Fatalf("%s: %d notes listed, List has %d", what, listed.Len(), len(notes))
		}
		for i, w := range notes {
			h := listed.Note(i)
			if h.ID != w.ID || h.Path != w.Path || h.Title != w.Title || !h.When().Equal(w.When()) || fmt.Sprint(h.Tags) != fmt.Sprint(w.Tags) || h.Revision() != w.Revision() {
				t.Errorf("%s: note %d is %s %q, List's %s %q", what, i, filepath.Base(h.Path), h.Title, filepath.Base(w.Path), w.Title)
			}
		}
		if fmt.Sprint(listed.Bad) != fmt.Sprint(bad) {
			t.Errorf("%s: reports\n%v\nList's\n%v", what, listed.Bad, bad)
		}
	}
	v, _ := indexVault(t, root)
	compare("the first listing", v) // read from the files: no index yet
	v.Close()                       // waits for the index

	v, opened := indexVault(t, root)
	compare("from the index", v)
	v.Close()
	if n := opened(); n != 2*2 { // the unreadable file and the conflict copy (read to say whose), by each
		t.Errorf("from the index, %d notes were opened", n)
	}

	// A few changed since: read from their files, the rest from the index.
	// Then most: List reads them, and writes the index.
	for _, step := range []struct {
		what     string
		ids      []string
		old, new string
	}{{"three changed", ids[:3], "Note", "Changed"}, {"all changed", ids, "words", "other words"}} {
		for _, id := range step.ids {
			path := filepath.Join(rec, id+persistence.NoteExt)
			data, _ := os.ReadFile(path)
			write(t, path, strings.Replace(string(data), step.old, step.new, 1), 0o600)
		}
		v, _ = indexVault(t, root)
		compare(step.what, v)
		v.Close()
	}
}
