package ui

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/voicenotes/voicenotes/internal/faultfs"
	"github.com/voicenotes/voicenotes/persistence"
)

// rewrite changes a note file the way another program would: read, edit
// the text, write in place.
func rewrite(t *testing.T, path, from, to string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), from, to, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeMarker writes a note as another program would and returns its id:
// the watcher reports changes in order, so once it is listed, everything
// written before it has been seen.
func writeMarker(t *testing.T, v *persistence.Vault) string {
	t.Helper()
	m := &persistence.Note{ID: "marker", Title: "Marker", TranscriptionStatus: persistence.StatusDone, Body: "m", CreatedAt: time.Now()}
	data, _ := m.Marshal()
	if err := os.WriteFile(filepath.Join(v.RecordingsPath(), "marker.md"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// showing reports whether the list shows the note with this id.
func (w *Window) showing(id string) bool {
	for _, n := range w.shown {
		if n.ID == id {
			return true
		}
	}
	return false
}

func openNote(t *testing.T, w *Window, id string) {
	t.Helper()
	w.selectByID(id)
	if w.selected == nil || w.selected.ID != id {
		t.Fatalf("could not open note %s", id)
	}
}

func TestNotesChangedElsewhereAppear(t *testing.T) {
	w, v := newTestWindow(t, nil)
	a := addNote(t, v, "First", "one")
	w.Reload()
	// Added by another program.
	b := &persistence.Note{ID: "from-obsidian", Title: "Written in Obsidian", TranscriptionStatus: persistence.StatusDone, Body: "hello", CreatedAt: time.Now()}
	data, _ := b.Marshal()
	os.WriteFile(filepath.Join(v.RecordingsPath(), "from-obsidian.md"), data, 0o600)
	// Sync tools' own files are not notes.
	os.WriteFile(filepath.Join(v.RecordingsPath(), ".syncthing.x.md.tmp"), data, 0o600)
	os.WriteFile(filepath.Join(v.RecordingsPath(), "from-obsidian.sync-conflict-20260101-120000-ABCDEFG.md"), data, 0o600)
	eventually(t, "the new note in the list", func() bool { return len(w.shown) >= 2 })
	// A note written after the sync tools' files shows once the watcher has
	// passed over them: then they must not be in the list.
	marker := writeMarker(t, v)
	eventually(t, "the marker note in the list", func() bool { return w.showing(marker) })
	if len(w.shown) != 3 {
		t.Errorf("%d notes listed, want 3; sync tools' files must not show", len(w.shown))
	}
	os.Remove(filepath.Join(v.RecordingsPath(), marker+".md"))
	// Renamed away and deleted by another program.
	os.Rename(filepath.Join(v.RecordingsPath(), "from-obsidian.md"), filepath.Join(t.TempDir(), "moved.md"))
	eventually(t, "the moved note gone", func() bool { return len(w.shown) == 1 && w.shown[0].ID == a.ID })
}

func TestOpenNoteReloadsQuietlyWithoutEdits(t *testing.T) {
	w, v := newTestWindow(t, nil)
	n := addNote(t, v, "Shared", "version one")
	w.Reload()
	openNote(t, w, n.ID)
	rewrite(t, n.Path, "version one", "version two from the sync tool")
	eventually(t, "the editor to show the new text", func() bool { return w.editor.Text == "version two from the sync tool" })
	if len(w.win.Canvas().Overlays().List()) != 0 {
		t.Error("a dialog appeared although there was nothing to lose")
	}
	// Our own saves are not mistaken for changes from elsewhere.
	w.win.Canvas().Focus(w.editor)
	w.editor.CursorColumn = len(w.editor.Text)
	w.editor.TypedRune('!')
	eventually(t, "our save", func() bool { got, _ := v.Note(n.ID); return strings.HasSuffix(got.Body, "!") })
	// Once a note written after our save is listed, the watcher has seen
	// the save's events too.
	marker := writeMarker(t, v)
	eventually(t, "the marker note in the list", func() bool { return w.showing(marker) })
	if len(w.win.Canvas().Overlays().List()) != 0 || w.editor.Text != "version two from the sync tool!" {
		t.Errorf("our own save caused a reload or a conflict: %q", w.editor.Text)
	}
}

// conflictWindow opens a note, types an edit that cannot be saved before
// another program changes the file, and waits for the conflict question.
func conflictWindow(t *testing.T) (*Window, *persistence.Vault, *persistence.Note) {
	w, v := newTestWindow(t, nil)
	w.saver.delay = 600 * time.Millisecond
	n := addNote(t, v, "Contested", "base text")
	w.Reload()
	openNote(t, w, n.ID)
	w.win.Canvas().Focus(w.editor)
	w.editor.CursorColumn = len(w.editor.Text)
	for _, r := range " plus mine" {
		w.editor.TypedRune(r)
	}
	rewrite(t, n.Path, "base text", "base text plus theirs")
	eventually(t, "the conflict question", func() bool { return w.conflictOpen[n.ID] })
	if got, _ := os.ReadFile(n.Path); !strings.Contains(string(got), "plus theirs") {
		t.Fatal("their version was overwritten before the user chose")
	}
	if w.editor.Text != "base text plus mine" {
		t.Fatalf("the editor lost the user's text: %q", w.editor.Text)
	}
	return w, v, n
}

func TestConflictKeepMine(t *testing.T) {
	w, v, n := conflictWindow(t)
	w.ResolveConflict(w.selected, &persistence.ConflictError{Path: n.Path}, KeepMine)
	if got, _ := v.Note(n.ID); got.Body != "base text plus mine" {
		t.Errorf("keep mine: file holds %q", got.Body)
	}
}

func TestConflictTakeTheirs(t *testing.T) {
	w, v, n := conflictWindow(t)
	w.ResolveConflict(w.selected, &persistence.ConflictError{Path: n.Path}, TakeTheirs)
	if got, _ := v.Note(n.ID); got.Body != "base text plus theirs" || w.editor.Text != "base text plus theirs" {
		t.Errorf("take theirs: file %q, editor %q", got.Body, w.editor.Text)
	}
}

func TestConflictKeepBoth(t *testing.T) {
	w, v, n := conflictWindow(t)
	w.ResolveConflict(w.selected, &persistence.ConflictError{Path: n.Path}, KeepBoth)
	notes, _, _ := v.List()
	var bodies []string
	for _, x := range notes {
		bodies = append(bodies, x.Title+": "+x.Body)
	}
	if len(notes) != 2 || !strings.Contains(strings.Join(bodies, "|"), "Contested (my version): base text plus mine") || !strings.Contains(strings.Join(bodies, "|"), "Contested: base text plus theirs") {
		t.Errorf("keep both: %q", bodies)
	}
}

// TestChangesFromASwitchedAwayVault: a change the old vault's watcher read
// just before the switch never lands in the new vault's list (and reading
// it races with nothing under -race).
func TestChangesFromASwitchedAwayVault(t *testing.T) {
	w, v := newTestWindow(t, nil)
	w.Reload()
	w.svc.SwitchVault = func(root string) (*persistence.Vault, error) {
		nv, err := persistence.Open(root, persistence.Options{})
		if err == nil {
			t.Cleanup(func() { nv.Close() })
		}
		return nv, err
	}
	stale := &persistence.Note{ID: "old-vault-note", Title: "Old vault", TranscriptionStatus: persistence.StatusDone, Body: "x", CreatedAt: time.Now()}
	data, _ := stale.Marshal()
	os.WriteFile(filepath.Join(v.RecordingsPath(), "old-vault-note.md"), data, 0o600)
	// Wait until the watcher has read the change and queued it for the UI
	// thread, without running it yet.
	for deadline := time.Now().Add(30 * time.Second); len(uiQueue) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the watcher never reported the new file")
		}
	}
	// Held back until the switch is over, as when the UI thread was busy.
	var held []func()
	for len(uiQueue) > 0 {
		held = append(held, <-uiQueue)
	}
	if err := switchVault(t, w, filepath.Join(t.TempDir(), "other")); err != nil {
		t.Fatal(err)
	}
	for _, f := range held {
		f()
	}
	pump()
	if w.showing("old-vault-note") || len(w.notes) != 0 {
		t.Errorf("the new vault's list holds %d notes, from the old vault", len(w.notes))
	}
}

// TestWatchLimitFallsBackToPolling: with the user's inotify instances all
// taken (as on a desktop with many watching programs), the window says so
// and still sees notes other programs write, by polling.
//
// The limit is per user and every program of that user shares it, so a
// watcher closing elsewhere could free an instance mid-test. As root, the
// test therefore runs in a child process as the user nobody, who runs
// nothing else.
func TestWatchLimitFallsBackToPolling(t *testing.T) {
	if os.Getenv(watchChildEnv) == "" && os.Getuid() == 0 {
		runAsNobody(t, "TestWatchLimitFallsBackToPolling")
		return
	}
	var fds []int
	t.Cleanup(func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	})
	for {
		fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
		if err != nil {
			if !errors.Is(err, unix.EMFILE) {
				t.Fatalf("inotify_init1: %v", err)
			}
			break
		}
		fds = append(fds, fd)
		if len(fds) > 1<<16 {
			t.Skip("this system has no limit on inotify instances to reach")
		}
	}
	defer func(p time.Duration) { pollEvery = p }(pollEvery)
	pollEvery = 100 * time.Millisecond
	w, v := newTestWindow(t, nil)
	w.Reload()
	eventually(t, "the window to say it polls", func() bool { return w.watchFallback != nil })
	if !strings.Contains(w.status.Text, "checked every") || !strings.Contains(w.status.Text, "max_user_instances") {
		t.Errorf("status %q does not say changes are polled and why", w.status.Text)
	}
	// The instances are free again, but the window polls until it restarts.
	for _, fd := range fds {
		unix.Close(fd)
	}
	fds = nil
	n := &persistence.Note{ID: "from-sync", Title: "Synced", TranscriptionStatus: persistence.StatusDone, Body: "hello", CreatedAt: time.Now()}
	data, _ := n.Marshal()
	os.WriteFile(filepath.Join(v.RecordingsPath(), "from-sync.md"), data, 0o600)
	eventually(t, "the synced note, by polling", func() bool { return w.showing("from-sync") })
	rewrite(t, filepath.Join(v.RecordingsPath(), "from-sync.md"), "hello", "hello again, longer")
	eventually(t, "the change, by polling", func() bool {
		for _, x := range w.notes {
			if x.ID == "from-sync" {
				return x.Body == "hello again, longer"
			}
		}
		return false
	})
}

const watchChildEnv = "VOICENOTES_UI_TEST_AS_NOBODY"

// runAsNobody runs one test of this binary in a child process as the user
// nobody, in folders of its own, and fails if the child fails.
func runAsNobody(t *testing.T, test string) {
	t.Helper()
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody to run the test as: %v", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	dir, err := os.MkdirTemp("", "as-nobody") // t.TempDir's parent is private to root
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	bin := filepath.Join(dir, "ui.test")
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, uid, gid); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+test+"$", "-test.v")
	cmd.Dir = home
	cmd.Env = append(os.Environ(), watchChildEnv+"=1", "HOME="+home, "TMPDIR="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
}

// TestConflictDoesNotBlockWaiting: with a conflict waiting for the user,
// waiting for the saver (Close, Delete, switching vaults do) returns at
// once with the conflict instead of polling forever.
func TestConflictDoesNotBlockWaiting(t *testing.T) {
	w, _, _ := conflictWindow(t)
	done := make(chan error, 1)
	go func() { done <- w.saver.wait() }()
	select {
	case err := <-done:
		var conflict *persistence.ConflictError
		if !errors.As(err, &conflict) {
			t.Errorf("wait = %v; want the conflict", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("waiting for the saver hangs while a conflict is open")
	}
}

// TestRescanSeesWhatTheWatchMissed: a sync tool (or a restore) replaces
// the whole recordings folder. The watch stays on the folder that was
// moved away and hears nothing of the new one; the rescan beside it
// lists the folder by its name and brings the new notes in.
func TestRescanSeesWhatTheWatchMissed(t *testing.T) {
	defer func(every, settle time.Duration) { rescanEvery, rescanSettle = every, settle }(rescanEvery, rescanSettle)
	rescanEvery, rescanSettle = 100*time.Millisecond, 0
	w, v := newTestWindow(t, nil)
	addNote(t, v, "Before", "one")
	w.Reload()
	eventually(t, "the first note listed", func() bool { return len(w.shown) == 1 })
	fresh := filepath.Join(filepath.Dir(v.RecordingsPath()), "recordings.synced")
	if err := os.Mkdir(fresh, 0o700); err != nil {
		t.Fatal(err)
	}
	n := &persistence.Note{ID: "from-the-laptop", Title: "Written on the laptop", TranscriptionStatus: persistence.StatusDone, Body: "hello", CreatedAt: time.Now()}
	data, _ := n.Marshal()
	if err := os.WriteFile(filepath.Join(fresh, n.ID+".md"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(v.RecordingsPath(), v.RecordingsPath()+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(fresh, v.RecordingsPath()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the replaced folder's note listed", func() bool { return w.showing(n.ID) })
}

// TestNoteReplacedNonAtomicallyStays: where a rename over a file is not
// atomic (exFAT through FUSE removes the old file, then renames the new
// one), the watcher may read a note another process is replacing in the
// moment it is missing. The note stays in the list (it used to vanish
// until the next change), and only a note still missing a moment later
// is taken for deleted.
func TestNoteReplacedNonAtomicallyStays(t *testing.T) {
	var replacing atomic.Value // the window's watcher reads it too
	replacing.Store("")
	var misses atomic.Int32
	fsys := faultfs.New(persistence.OS, func(e faultfs.Event) error {
		if e.Op == faultfs.OpStat && e.Path == replacing.Load().(string) && misses.Add(1) == 1 {
			return os.ErrNotExist // between the remove and the rename
		}
		return nil
	})
	w, v := newTestWindow(t, fsys)
	kept := addNote(t, v, "Being replaced", "one")
	gone := addNote(t, v, "Deleted", "two")
	w.Reload()
	replacing.Store(kept.Path)
	os.Remove(gone.Path)
	w.readChanges(v, []string{kept.Path, gone.Path})
	eventually(t, "the deleted note gone", func() bool { return !w.showing(gone.ID) })
	if !w.showing(kept.ID) {
		t.Error("a note missing for a moment while replaced was dropped from the list")
	}
	if misses.Load() < 2 {
		t.Errorf("the replaced note was looked at %d times", misses.Load())
	}
}

// switchVault switches the window's vault as Settings does and returns
// the outcome, running the UI thread's work meanwhile.
func switchVault(t *testing.T, w *Window, root string) error {
	t.Helper()
	return outcome(t, "the vault to be switched", func(done func(error)) { w.switchVault(root, done) })
}
