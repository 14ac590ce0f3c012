package persistence_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/vaulttest"
	"github.com/voicenotes/voicenotes/persistence"
)

func openVault(t *testing.T, root string, o persistence.Options) *persistence.Vault {
	t.Helper()
	v, err := persistence.Open(root, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func write(t *testing.T, path string, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCreatesPrivateFolders(t *testing.T) {
	root := filepath.Join(tempdir.New(t), "My Vault")
	v := openVault(t, root, persistence.Options{})
	for _, d := range []string{root, v.RecordingsPath()} {
		st, err := os.Stat(d)
		if err != nil || !permIs(st, 0o700) {
			t.Errorf("%s: %v %v, want a 0700 folder", d, st, err)
		}
	}
	n := v.NewNote()
	n.Title = "first"
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(v.NotePath(n.ID))
	if !permIs(st, 0o600) {
		t.Errorf("note mode %v, want 0600", st.Mode().Perm())
	}
	file := filepath.Join(tempdir.New(t), "file")
	write(t, file, "x", 0o600)
	if _, err := persistence.Open(file, persistence.Options{}); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("opening a file as a vault: %v", err)
	}
}

func TestSaveListLoad(t *testing.T) {
	v := openVault(t, tempdir.New(t), persistence.Options{})
	var ids []string
	for i, title := range []string{"one", "two", "three"} {
		n := v.NewNote()
		n.CreatedAt = n.CreatedAt.Add(time.Duration(i) * time.Minute)
		n.Timestamp = n.CreatedAt
		n.Title, n.Body, n.Duration = title, "text of "+title+"\n", 1500*time.Millisecond
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.ID)
	}
	notes, bad, err := v.List()
	if err != nil || len(bad) != 0 {
		t.Fatal(err, bad)
	}
	var titles []string
	for _, n := range notes {
		titles = append(titles, n.Title)
	}
	if !slices.Equal(titles, []string{"three", "two", "one"}) {
		t.Errorf("List order %v, want newest first", titles)
	}
	n, err := v.Note(ids[1])
	if err != nil || n.Body != "text of two\n" || n.Duration != 1500*time.Millisecond {
		t.Fatalf("Note(%s) = %+v, %v", ids[1], n, err)
	}
	if _, err := v.Note("../etc/passwd"); !errors.Is(err, persistence.ErrBadID) {
		t.Errorf("unsafe id: %v, want ErrBadID", err)
	}
	if _, err := v.Note("missing"); !errors.Is(err, persistence.ErrNotFound) {
		t.Errorf("missing id: %v, want ErrNotFound", err)
	}
}

func TestIDs(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 10, 15, 0, 123e6, time.UTC)
	a, b := persistence.NewID(t0), persistence.NewID(t0.Add(time.Millisecond))
	if a >= b || a == persistence.NewID(t0) || !strings.HasPrefix(a, "20261130T101500123Z-") {
		t.Errorf("ids %s %s do not sort by time or are not unique", a, b)
	}
	for _, id := range []string{a, "abc", "A_b-9", strings.Repeat("x", 64), "console", "com10", "auxiliary", "COMX"} {
		if err := persistence.ValidateID(id); err != nil {
			t.Errorf("ValidateID(%q) = %v", id, err)
		}
	}
	// Windows refuses device names as file names, with any extension, and
	// names ending in a dot or a space, or holding ':'.
	for _, id := range []string{"", "..", "a/b", `a\b`, "a.b", "a b", strings.Repeat("x", 65), "é",
		"CON", "aux", "Nul", "prn", "COM1", "lpt9", "com0", "a.", "a ", "a:b"} {
		if err := persistence.ValidateID(id); !errors.Is(err, persistence.ErrBadID) {
			t.Errorf("ValidateID(%q) = %v, want ErrBadID", id, err)
		}
	}
}

// TestUnknownKeysSurvive: keys other tools wrote are kept, in their place,
// with their formatting, when the note is edited here.
func TestUnknownKeysSurvive(t *testing.T) {
	root := tempdir.New(t)
	v := openVault(t, root, persistence.Options{})
	src := "---\nid: w1\ntitle: From Whispering\nsubtitle: \"\"\ntimestamp: 2025-03-04T05:06:07.089Z\ncreatedAt: 2025-03-04T05:06:07.089Z\nupdatedAt: 2025-03-04T05:06:07.089Z\ntranscriptionStatus: DONE\ncustomKey: [1, 2, 3]\nnested:\n  a: b # a comment\nobsidian-tags:\n  - x\n---\nHello there.\n"
	write(t, filepath.Join(v.RecordingsPath(), "w1.md"), src, 0o644)
	n, err := v.Note("w1")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2025, 3, 4, 5, 6, 7, 89e6, time.UTC)
	if !n.CreatedAt.Equal(want) || n.TranscriptionStatus != persistence.StatusDone || n.Body != "Hello there.\n" {
		t.Fatalf("parsed %+v", n)
	}
	n.Body = "Hello there, edited.\n"
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(n.Path)
	for _, keep := range []string{"customKey: [1, 2, 3]\nnested:\n  a: b # a comment\nobsidian-tags:\n  - x\n", "createdAt: 2025-03-04T05:06:07.089Z\n", "title: From Whispering\n"} {
		if !bytes.Contains(got, []byte(keep)) {
			t.Errorf("saved note lost %q:\n%s", keep, got)
		}
	}
	if !bytes.HasSuffix(got, []byte("---\nHello there, edited.\n")) {
		t.Errorf("saved body wrong:\n%s", got)
	}
	if st, _ := os.Stat(n.Path); !permIs(st, 0o644) {
		t.Errorf("mode %v, want the existing 0644", st.Mode().Perm())
	}
}

// TestBadFiles: a vault seeded with broken notes lists every good one,
// reports each bad one with its reason, and changes none of them.
func TestBadFiles(t *testing.T) {
	root := tempdir.New(t)
	v := openVault(t, root, persistence.Options{})
	rec := v.RecordingsPath()
	good := v.NewNote()
	good.Title = "good"
	if err := v.Save(good); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(tempdir.New(t), "secret.md")
	write(t, outside, "---\nid: secret\n---\nnot yours\n", 0o600)
	bad := map[string]string{
		"broken.md":      "---\nid: broken\ntitle: [unclosed\n---\nbody\n",
		"nofm.md":        "just some markdown\n",
		"binary.md":      "---\nid: binary\n---\n\x00\x01\x02",
		"latin1.md":      "---\nid: latin1\ntitle: caf\xe9\n---\n",
		"dup.md":         "---\nid: " + good.ID + "\n---\nsame id\n",
		"badid.md":       "---\nid: ../../etc\n---\n",
		"bad name!.md":   "---\ntitle: no id here\n---\n",
		"status.md":      "---\nid: status\ntranscriptionStatus: MAYBE\n---\n",
		"list.md":        "---\n- a\n- b\n---\n",
		"twice.md":       "---\nid: twice\ntitle: a\ntitle: b\n---\n",
		"badaudio.md":    "---\nid: badaudio\naudio: ../../etc/passwd\n---\n",
		"huge.md":        "---\nid: huge\n---\n" + strings.Repeat("x", persistence.MaxNoteSize),
		"outsidelink.md": "",
	}
	for name, data := range bad {
		if name == "outsidelink.md" {
			if !symlink(t, outside, filepath.Join(rec, name)) {
				delete(bad, name)
			}
			continue
		}
		write(t, filepath.Join(rec, name), data, 0o600)
	}
	before := snapshot(t, rec)
	notes, badFiles, err := v.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || notes[0].ID != good.ID {
		t.Errorf("List found %d notes, want only the good one", len(notes))
	}
	reported := map[string]string{}
	for _, b := range badFiles {
		reported[filepath.Base(b.Path)] = b.Reason
	}
	wantReason := map[string]string{
		"broken.md": "YAML", "nofm.md": "no YAML frontmatter", "binary.md": "binary", "latin1.md": "UTF-8",
		"dup.md": "duplicate id", "badid.md": "invalid note id", "bad name!.md": "file name is not a valid id",
		"status.md": "not one of", "list.md": "key: value", "twice.md": "appears twice",
		"badaudio.md": "not a file name", "huge.md": "too large", "outsidelink.md": "outside the vault",
	}
	if _, ok := bad["outsidelink.md"]; !ok {
		delete(wantReason, "outsidelink.md")
	}
	for name, want := range wantReason {
		if !strings.Contains(reported[name], want) {
			t.Errorf("%s: reason %q, want it to mention %q", name, reported[name], want)
		}
	}
	if len(badFiles) != len(wantReason) {
		t.Errorf("%d bad files reported, want %d: %v", len(badFiles), len(wantReason), reported)
	}
	// Cleanup and doctor touch none of them either.
	if _, err := v.Cleanup(0); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Check(); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, rec); !maps(before, after) {
		t.Errorf("bad files were modified")
	}
	if got, _ := os.ReadFile(outside); string(got) != "---\nid: secret\n---\nnot yours\n" {
		t.Errorf("file outside the vault changed")
	}
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range names(t, dir) {
		p := filepath.Join(dir, name)
		st, _ := os.Lstat(p)
		data, _ := os.ReadFile(p)
		out[name] = st.Mode().String() + st.ModTime().String() + string(data)
	}
	return out
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSymlinkedNotes(t *testing.T) {
	root := tempdir.New(t)
	v := openVault(t, root, persistence.Options{})
	inside := filepath.Join(root, "elsewhere", "real.md")
	write(t, inside, "---\nid: linked\ntitle: inside\n---\nbody\n", 0o600)
	link := filepath.Join(v.RecordingsPath(), "linked.md")
	if !symlink(t, inside, link) {
		t.Skip("this test is about symbolic links, which this system does not show as links")
	}
	n, err := v.Note("linked")
	if err != nil {
		t.Fatal(err)
	}
	n.Title = "edited"
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the save replaced the symlink with a file")
	}
	if got, _ := os.ReadFile(inside); !strings.Contains(string(got), "title: edited") {
		t.Errorf("the linked file was not updated: %s", got)
	}
	if len(names(t, filepath.Dir(inside))) != 1 {
		t.Errorf("temp left beside the linked file: %v", names(t, filepath.Dir(inside)))
	}

	outside := filepath.Join(tempdir.New(t), "out.md")
	write(t, outside, "---\nid: out\n---\n", 0o600)
	if err := os.Symlink(outside, filepath.Join(v.RecordingsPath(), "out.md")); err != nil {
		t.Fatal(err)
	}
	o := &persistence.Note{ID: "out", TranscriptionStatus: persistence.StatusDone, Path: filepath.Join(v.RecordingsPath(), "out.md"), Body: "overwrite"}
	if err := v.Save(o); !errors.Is(err, persistence.ErrOutsideVault) {
		t.Errorf("saving through a link out of the vault: %v, want ErrOutsideVault", err)
	}
	if got, _ := os.ReadFile(outside); string(got) != "---\nid: out\n---\n" {
		t.Errorf("wrote through a link out of the vault: %s", got)
	}
}

func TestLock(t *testing.T) {
	root := tempdir.New(t)
	first := openVault(t, root, persistence.Options{Exclusive: true})
	if !first.Maintenance.Ran {
		t.Error("the first window did not run maintenance")
	}
	_, err := persistence.Open(root, persistence.Options{Exclusive: true})
	var le *persistence.LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() || !strings.Contains(err.Error(), "close it") {
		t.Fatalf("second window: %v, want a LockedError naming this process", err)
	}
	ran := false
	cli := openVault(t, root, persistence.Options{Maintain: []func(*persistence.Vault) error{func(*persistence.Vault) error { ran = true; return nil }}})
	if cli.Maintenance.Ran || ran {
		t.Error("a CLI open ran maintenance while a window held the lock")
	}
	if h, _ := cli.Check(); !strings.Contains(h.Lock, "held by process") {
		t.Errorf("doctor lock state %q", h.Lock)
	}
	first.Close()
	again := openVault(t, root, persistence.Options{Exclusive: true, Maintain: []func(*persistence.Vault) error{func(*persistence.Vault) error { ran = true; return nil }}})
	if !again.Maintenance.Ran || !ran {
		t.Error("maintenance did not run once the lock was free")
	}
}

func TestCleanupRemovesOnlyStaleOwnTemps(t *testing.T) {
	root := tempdir.New(t)
	v := openVault(t, root, persistence.Options{})
	rec := v.RecordingsPath()
	old := time.Now().Add(-2 * time.Hour)
	stale := []string{
		filepath.Join(rec, ".n1.md.abcdefghijkl.tmp"),
		filepath.Join(rec, ".n1.wav.mnopqrstuvwx.tmp"),
		filepath.Join(root, "sub", ".x.md.a2b3c4d5e6f7.tmp"),
	}
	keep := []string{
		filepath.Join(rec, ".n2.md.zzzzzzzzzzzz.tmp"), // fresh
		filepath.Join(rec, "n3.wav.partial"),          // recording in progress
		filepath.Join(rec, ".n4.md.icloud"),
		filepath.Join(rec, "~$n5.md"),
		filepath.Join(rec, ".syncthing.n6.md.tmp"),
		filepath.Join(rec, "n7.sync-conflict-20260101-120000-ABCDEFG.md"),
		filepath.Join(rec, "n8.md.tmp"),
		filepath.Join(rec, ".n9.md.ABCDEFGHIJKL.tmp"),
		filepath.Join(root, ".git", ".y.md.abcdefghijkl.tmp"),
	}
	for _, p := range append(slices.Clone(stale), keep...) {
		write(t, p, "data", 0o600)
		if p != keep[0] {
			os.Chtimes(p, old, old)
		}
	}
	// A stale-looking symlink is never followed or removed.
	target := filepath.Join(tempdir.New(t), "target")
	write(t, target, "precious", 0o600)
	link := filepath.Join(rec, ".n10.md.bcdefghijklm.tmp")
	if symlink(t, target, link) {
		keep = append(keep, link)
	}

	v.Close()
	v2 := openVault(t, root, persistence.Options{Exclusive: true})
	slices.Sort(stale)
	removed := slices.Sorted(slices.Values(v2.Maintenance.Removed))
	if !slices.Equal(removed, stale) {
		t.Errorf("removed %v, want %v", removed, stale)
	}
	for _, p := range keep {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed", p)
		}
	}
	if data, _ := os.ReadFile(target); string(data) != "precious" {
		t.Error("cleanup followed a symlink")
	}
}

func TestTrashAndRestore(t *testing.T) {
	v := openVault(t, tempdir.New(t), persistence.Options{})
	n := v.NewNote()
	n.Title = "to delete"
	vaulttest.SaveWithAudio(t, v, n, []byte("RIFF fake audio"), ".wav")
	audio, ok := v.AudioPath(n)
	if !ok || filepath.Base(audio) != n.ID+".wav" {
		t.Fatalf("AudioPath = %s %v", audio, ok)
	}
	tr, err := v.Trash(n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Files) != 2 || len(names(t, v.RecordingsPath())) != 0 || len(names(t, tr.Dir)) != 2 {
		t.Fatalf("trash moved %v; recordings holds %v", tr.Files, names(t, v.RecordingsPath()))
	}
	if notes, _, _ := v.List(); len(notes) != 0 {
		t.Error("a trashed note is still listed")
	}
	if err := v.Restore(tr); err != nil {
		t.Fatal(err)
	}
	back, err := v.Note(n.ID)
	if err != nil || back.Title != "to delete" {
		t.Fatalf("restored note: %v %v", back, err)
	}
	if _, ok := v.AudioPath(back); !ok {
		t.Error("restored note lost its audio")
	}
}

func TestAudioPathNeverMatchesPrefixes(t *testing.T) {
	v := openVault(t, tempdir.New(t), persistence.Options{})
	n := v.NewNote()
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{n.ID + ".wav.partial", "." + n.ID + ".wav.abcdefghijkl.tmp", n.ID + "x.wav", n.ID + ".wav.bak"} {
		write(t, filepath.Join(v.RecordingsPath(), name), "x", 0o600)
	}
	if p, ok := v.AudioPath(n); ok {
		t.Errorf("AudioPath found %s for a note without audio", p)
	}
	write(t, filepath.Join(v.RecordingsPath(), n.ID+".webm"), "x", 0o600)
	if p, ok := v.AudioPath(n); !ok || filepath.Base(p) != n.ID+".webm" {
		t.Errorf("AudioPath = %s, want the .webm", p)
	}
}

func TestSaveDetectsChangesByOthers(t *testing.T) {
	v := openVault(t, tempdir.New(t), persistence.Options{})
	n := v.NewNote()
	n.Body = "mine"
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	// Saving again and again after our own writes is fine.
	for _, b := range []string{"mine 2", "mine 3"} {
		n.Body = b
		if err := v.Save(n); err != nil {
			t.Fatalf("a second save of our own note: %v", err)
		}
	}
	// Another program rewrites it (same size, to be unkind).
	data, _ := os.ReadFile(n.Path)
	os.WriteFile(n.Path, []byte(strings.Replace(string(data), "mine 3", "them 3", 1)), 0o600)
	n.Body = "mine 4"
	err := v.Save(n)
	var ce *persistence.ConflictError
	if !errors.As(err, &ce) || ce.Deleted || ce.Theirs == nil || ce.Theirs.Body != "them 3" {
		t.Fatalf("Save over a changed file = %v, want a ConflictError with their version", err)
	}
	if got, _ := os.ReadFile(n.Path); !strings.Contains(string(got), "them 3") {
		t.Fatal("their version was overwritten")
	}
	if err := v.Overwrite(n); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Note(n.ID); got.Body != "mine 4" {
		t.Errorf("after Overwrite: %q", got.Body)
	}
	// Deleted by another program.
	os.Remove(n.Path)
	n.Body = "mine 5"
	if err := v.Save(n); !errors.As(err, &ce) || !ce.Deleted {
		t.Errorf("Save of a deleted note = %v, want a ConflictError saying deleted", err)
	}
}

func TestSyncConflictCopiesAreNotNotes(t *testing.T) {
	v := openVault(t, tempdir.New(t), persistence.Options{})
	n := v.NewNote()
	n.Title = "real"
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(n.Path)
	copies := []string{
		n.ID + ".sync-conflict-20260101-120000-ABCDEFG.md",           // Syncthing
		n.ID + " (conflicted copy 2026-01-01).md",                    // Dropbox, older Nextcloud
		n.ID + "_conflict-20260101-120000.md",                        // ownCloud
		n.ID + " (conflict 2026-01-01 120000).md",                    // Nextcloud
		n.ID + " (SFConflict me@example.org 2026-01-01-12-00-00).md", // Seafile
		n.ID + " (1).md",    // Google Drive, OneDrive, a browser's download
		n.ID + " - Copy.md", // Windows Explorer
		n.ID + " copy.md",   // macOS Finder
	}
	for _, name := range copies {
		write(t, filepath.Join(v.RecordingsPath(), name), string(data), 0o600)
	}
	// A note merely named with a number (its id another) is a note.
	other := &persistence.Note{ID: "weekly", Title: "Meeting", TranscriptionStatus: persistence.StatusDone}
	otherData, _ := other.Marshal()
	write(t, filepath.Join(v.RecordingsPath(), "meeting (2).md"), string(otherData), 0o600)
	notes, bad, err := v.List()
	if err != nil || len(notes) != 2 || len(bad) != len(copies) {
		t.Fatalf("List: %d notes (%v), bad %v, %v", len(notes), notes, bad, err)
	}
	for _, b := range bad {
		if !strings.Contains(b.Reason, "copy") || strings.Contains(b.Reason, "duplicate id") {
			t.Errorf("%s: %s", filepath.Base(b.Path), b.Reason)
		}
	}
	os.Remove(filepath.Join(v.RecordingsPath(), "meeting (2).md"))
	// Without the original, a conflict copy still does not pose as the note.
	os.Remove(n.Path)
	if notes, _, _ := v.List(); len(notes) != 0 {
		t.Errorf("a conflict copy was listed as the note once the original was gone")
	}
}

// TestListOrderFollowsTimestamp: as in Whispering, a note whose timestamp
// a person moved sorts by it, not by when it was created.
func TestListOrderFollowsTimestamp(t *testing.T) {
	root := tempdir.New(t)
	v := openVault(t, root, persistence.Options{})
	base := time.Date(2025, 11, 14, 9, 0, 0, 0, time.UTC)
	for i, id := range []string{"first", "second", "third"} {
		n := &persistence.Note{ID: id, Title: id, TranscriptionStatus: persistence.StatusDone,
			CreatedAt: base.Add(time.Duration(i) * time.Hour), Timestamp: base.Add(time.Duration(i) * time.Hour)}
		if id == "first" {
			n.Timestamp = base.Add(24 * time.Hour) // moved to the next day in Whispering
		}
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
	}
	notes, _, err := v.List()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range notes {
		got = append(got, n.ID)
	}
	if strings.Join(got, " ") != "first third second" {
		t.Errorf("order %v; want first (timestamp moved later), third, second", got)
	}
}
