package ui

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/faultfs"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// toneSource is a microphone made of arithmetic, delivering in real time.
type toneSource struct {
	pos   int
	start time.Time
}

func (s *toneSource) Format() (int, int) { return 16000, 1 }
func (s *toneSource) Close() error       { return nil }
func (s *toneSource) Read(buf []int16) error {
	if s.start.IsZero() {
		s.start = time.Now()
	}
	time.Sleep(time.Until(s.start.Add(time.Duration(s.pos+len(buf)) * time.Second / 16000)))
	for i := range buf {
		buf[i] = int16((s.pos + i) % 2000)
	}
	s.pos += len(buf)
	return nil
}

// uiQueue holds what background work asked to run on the UI thread; the
// test goroutine plays the UI thread and runs it in pump.
var uiQueue = make(chan func(), 4096)

// uiDirect plays Fyne after its loop stopped: work runs at once on the
// goroutine that asks.
var uiDirect atomic.Bool

func init() {
	onUI = func(f func()) {
		if uiDirect.Load() {
			f()
			return
		}
		uiQueue <- f
	}
}

// pump runs the queued UI work.
func pump() {
	for {
		select {
		case f := <-uiQueue:
			f()
		default:
			return
		}
	}
}

// newTestWindow opens a window on a fresh vault (or one with fsys).
func newTestWindow(t *testing.T, fsys persistence.FS) (*Window, *persistence.Vault) {
	t.Helper()
	a := test.NewTempApp(t)
	v, err := persistence.Open(t.TempDir(), persistence.Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return openTestWindow(t, a, Services{Vault: v}), v
}

// openTestWindow opens a window with svc on its vault, with a microphone
// of arithmetic if svc has none, and the saver's delays short.
func openTestWindow(t *testing.T, a fyne.App, svc Services) *Window {
	t.Helper()
	if svc.OpenInput == nil {
		svc.OpenInput = func() (audio.Source, error) { return &toneSource{}, nil }
	}
	w := New(a, svc)
	w.saver.delay = 50 * time.Millisecond
	w.saver.retry = 100 * time.Millisecond
	// A test that ends (or fails) while recording leaves no recording
	// behind to fill the UI queue the next test pumps: it is cancelled,
	// its last UI work dropped (the window is gone).
	// The window's watcher goes with the test: a package of windows each
	// holding an inotify instance would take the user's whole allowance
	// (128), which every process of that user shares.
	t.Cleanup(func() {
		select {
		case <-w.stop:
		default:
			close(w.stop)
		}
	})
	t.Cleanup(func() {
		rec := w.rec
		if rec == nil || rec.s == nil {
			return
		}
		done := make(chan struct{})
		go func() {
			for {
				select {
				case <-uiQueue:
				case <-done:
					return
				}
			}
		}()
		rec.s.Cancel()
		close(done)
	})
	return w
}

// eventually runs the UI work background goroutines queue, as the UI
// thread would, until cond holds: it checks again as each piece of work
// arrives, and every 20 ms for what only the disk shows (a background
// save lands in the file, not on the queue).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		pump()
		if cond() {
			return
		}
		select {
		case f := <-uiQueue:
			f()
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func addNote(t *testing.T, v *persistence.Vault, title, body string) *persistence.Note {
	t.Helper()
	n := v.NewNote()
	n.Title, n.Body, n.TranscriptionStatus = title, body, persistence.StatusDone
	// Each note a millisecond after the last, so the list's order (newest
	// first) is the order they were added, without waiting for the clock.
	if last := lastAdded.Load(); last != nil && !n.CreatedAt.After(*last) {
		n.CreatedAt = last.Add(time.Millisecond)
		n.Timestamp, n.UpdatedAt = n.CreatedAt, n.CreatedAt
	}
	lastAdded.Store(&n.CreatedAt)
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	return n
}

var lastAdded atomic.Pointer[time.Time]

func TestRecordMakesANote(t *testing.T) {
	w, v := newTestWindow(t, nil)
	if !w.empty.Visible() {
		t.Fatal("an empty vault does not say it has no notes yet")
	}
	test.Tap(w.recordButton)
	if w.recordButton.Text != "Stop" || w.pauseButton.Disabled() {
		t.Fatalf("while recording: button %q, pause disabled %v", w.recordButton.Text, w.pauseButton.Disabled())
	}
	if w.empty.Visible() {
		t.Error("while the first note is being recorded, the list says there are no notes yet")
	}
	eventually(t, "1.2 s of recording", func() bool { return w.rec != nil && w.rec.s != nil && w.rec.s.Elapsed() >= 1200*time.Millisecond })
	test.Tap(w.recordButton)
	if w.recordButton.Text != "Record" {
		t.Errorf("after stop the button says %q", w.recordButton.Text)
	}
	eventually(t, "the note on disk", func() bool { notes, _, _ := v.List(); return len(notes) == 1 })
	eventually(t, "the note in the list", func() bool { return len(w.shown) == 1 && w.selected != nil })
	n := w.selected
	if n.Duration < time.Second || n.TranscriptionStatus != persistence.StatusUnprocessed {
		t.Errorf("recorded note %+v", n)
	}
	if _, ok := v.AudioPath(n); !ok {
		t.Error("no audio file")
	}
}

func TestTypingSavesToDisk(t *testing.T) {
	w, v := newTestWindow(t, nil)
	n := addNote(t, v, "Shopping", "milk")
	w.Reload()
	w.list.Select(0)
	if w.editor.Text != "milk" || w.titleEntry.Text != "Shopping" {
		t.Fatalf("editor shows %q / %q", w.titleEntry.Text, w.editor.Text)
	}
	w.win.Canvas().Focus(w.editor)
	w.editor.CursorColumn = 4
	test.Type(w.editor, " and eggs")
	eventually(t, "the edit on disk", func() bool {
		got, err := v.Note(n.ID)
		return err == nil && got.Body == "milk and eggs"
	})
	// Switching notes saves at once: with the typing delay an hour long,
	// only the switch can have written the edit.
	other := addNote(t, v, "Other", "x")
	w.Reload()
	w.saver.delay = time.Hour
	w.selectByID(n.ID)
	w.win.Canvas().Focus(w.editor)
	w.editor.CursorColumn = len(w.editor.Text)
	test.Type(w.editor, "!")
	if got, _ := v.Note(n.ID); got.Body != "milk and eggs" {
		t.Fatalf("saved %q before the switch, with an hour's delay", got.Body)
	}
	w.selectByID(other.ID)
	eventually(t, "the edit saved by switching notes", func() bool {
		got, _ := v.Note(n.ID)
		return got.Body == "milk and eggs!"
	})
	// Closing saves first, then closes.
	w.win.Canvas().Focus(w.editor)
	w.editor.CursorColumn = len(w.editor.Text)
	test.Type(w.editor, "?")
	w.Close()
	eventually(t, "the window closed", func() bool {
		select {
		case <-w.stop:
			return true
		default:
			return false
		}
	})
	if got, _ := v.Note(other.ID); got.Body != "x?" {
		t.Errorf("after close the file holds %q", got.Body)
	}
}

// TestCloseDoesNotFreezeTheWindow: closing while the disk is slow (the
// vault's write lock held by another process, a stalled network share)
// saves off the UI thread: Close returns at once, the window says it is
// saving, and closes once the edit is on disk; never before.
func TestCloseDoesNotFreezeTheWindow(t *testing.T) {
	stall := make(chan struct{})
	var stalled atomic.Bool
	fsys := faultfs.New(persistence.OS, func(e faultfs.Event) error {
		if stalled.Load() && e.Op == faultfs.OpWrite && strings.HasSuffix(e.Path, ".tmp") {
			<-stall
		}
		return nil
	})
	w, v := newTestWindow(t, fsys)
	n := addNote(t, v, "Slow disk", "draft")
	w.Reload()
	w.list.Select(0)
	w.saver.delay = time.Hour
	stalled.Store(true)
	w.win.Canvas().Focus(w.editor)
	w.editor.CursorColumn = 5
	test.Type(w.editor, " v2")
	returned := make(chan struct{})
	go func() { w.Close(); close(returned) }()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		close(stall)
		t.Fatal("Close held the UI thread while the disk was stalled")
	}
	if !strings.Contains(w.status.Text, "Saving") {
		t.Errorf("while saving to close the status says %q", w.status.Text)
	}
	select {
	case <-w.stop:
		t.Fatal("the window closed before the edit was saved")
	default:
	}
	close(stall)
	eventually(t, "the window closed", func() bool {
		select {
		case <-w.stop:
			return true
		default:
			return false
		}
	})
	if got, _ := v.Note(n.ID); got.Body != "draft v2" {
		t.Errorf("after close the file holds %q", got.Body)
	}
}

func TestSearchFilters(t *testing.T) {
	w, v := newTestWindow(t, nil)
	addNote(t, v, "Groceries", "buy milk and bread")
	addNote(t, v, "Meeting", "talk about the budget")
	addNote(t, v, "Ideas", "a bread machine app")
	w.Reload()
	for _, tc := range []struct {
		query string
		want  int
	}{{"", 3}, {"bread", 2}, {"BUDGET", 1}, {"bread app", 1}, {"nothing", 0}} {
		w.search.SetText("")
		test.Type(w.search, tc.query)
		if len(w.shown) != tc.want || w.list.Length() != tc.want {
			t.Errorf("search %q shows %d notes, want %d", tc.query, len(w.shown), tc.want)
		}
		// It says how many, and when none what to try.
		count := fmt.Sprintf("%d of 3", tc.want)
		if tc.query == "" {
			count = ""
		}
		if w.searchCount.Text != count || w.noMatch.Visible() != (tc.want == 0) {
			t.Errorf("search %q: count %q, want %q; no-match message shown %v", tc.query, w.searchCount.Text, count, w.noMatch.Visible())
		}
		if tc.want == 0 && !strings.Contains(w.noMatch.Text, "“nothing”") {
			t.Errorf("the no-match message %q does not name what was searched for", w.noMatch.Text)
		}
	}
}

// TestSearchInAnEmptyVault: the first-run state, alone; a search's "no
// note holds" was shown over it.
func TestSearchInAnEmptyVault(t *testing.T) {
	w, v := newTestWindow(t, nil)
	w.Reload()
	test.Type(w.search, "g")
	if !w.empty.Visible() || w.noMatch.Visible() || w.searchCount.Text != "0 of 0" {
		t.Errorf("searching an empty vault: first-run state shown %v, no-match message shown %v, count %q", w.empty.Visible(), w.noMatch.Visible(), w.searchCount.Text)
	}
	addNote(t, v, "Lunch", "buy milk")
	w.Reload()
	if w.empty.Visible() || !w.noMatch.Visible() || w.searchCount.Text != "0 of 1" {
		t.Errorf("the same search once a note is in the vault: first-run state shown %v, no-match message shown %v, count %q", w.empty.Visible(), w.noMatch.Visible(), w.searchCount.Text)
	}
}

// TestSearchShowsTheFirstMatches: a list scrolled far down shows the top
// of the results when a search starts.
func TestSearchShowsTheFirstMatches(t *testing.T) {
	w, v := newTestWindow(t, nil)
	for i := range 60 {
		addNote(t, v, fmt.Sprintf("Note %d", i), "words")
	}
	w.Reload()
	w.win.Resize(fyne.NewSize(1100, 700))
	w.list.ScrollToBottom()
	if w.list.GetScrollOffset() == 0 {
		t.Fatal("the list did not scroll")
	}
	test.Type(w.search, "word")
	if off := w.list.GetScrollOffset(); off != 0 || len(w.shown) != 60 {
		t.Errorf("after typing a search the list is at %v with %d notes, want at its top", off, len(w.shown))
	}
}

// TestSearchKeystrokeFillsTheRowsOnce: results spread over years put a
// heading above each month; a keystroke that moves them all fills the
// visible rows a few times, not once for every heading moved (Fyne
// refreshes the whole list at each row height set: half a second a key on
// 10k notes in the real window).
func TestSearchKeystrokeFillsTheRowsOnce(t *testing.T) {
	w, v := newTestWindow(t, nil)
	start := time.Now().AddDate(-4, 0, 0)
	for i := range 200 {
		n := v.NewNote()
		n.CreatedAt = start.AddDate(0, 0, 7*i)
		n.Timestamp, n.Title, n.Body, n.TranscriptionStatus = n.CreatedAt, fmt.Sprintf("Note %d", i), []string{"guitar", "garden"}[i%2], persistence.StatusDone
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
	}
	w.Reload()
	w.win.Resize(fyne.NewSize(1100, 700))
	if len(w.headings) < 40 {
		t.Fatalf("%d headings; the test wants results over years", len(w.headings))
	}
	visible := int(w.list.Size().Height/w.rowHeight) + 1
	for _, key := range []string{"u", "i"} { // "gu" halves the list, moving every heading
		test.Type(w.search, "g")
		w.rowsFilled = 0
		test.Type(w.search, key)
		if w.rowsFilled > 3*visible {
			t.Errorf("typing %q filled %d rows; %d are visible", w.search.Text, w.rowsFilled, visible)
		}
		w.search.SetText("")
	}
}

// TestMessagesThatMatterStay: a refused tag's reason is not replaced by
// the "Saved" of the save that follows; routine status waits, and is shown
// once the message has stood its time.
func TestMessagesThatMatterStay(t *testing.T) {
	w, v := newTestWindow(t, nil)
	addNote(t, v, "Note", "words")
	w.Reload()
	w.list.Select(0)
	clock := time.Now()
	w.now = func() time.Time { return clock }
	w.AddTag("two words?")
	refusal := w.status.Text
	if refusal == "" || refusal == "Saved" {
		t.Fatalf("a refused tag says %q", refusal)
	}
	w.setStatus("Saved")
	w.setStatus("1 note in the vault")
	clock = clock.Add(statusHold - time.Second)
	w.setStatus("Saved")
	if w.status.Text != refusal {
		t.Errorf("%v after the refusal, the status bar says %q", statusHold-time.Second, w.status.Text)
	}
	clock = clock.Add(2 * time.Second)
	w.releaseStatus()
	if w.status.Text != "Saved" {
		t.Errorf("after the hold, the status bar says %q; want the routine status that waited", w.status.Text)
	}
	w.setStatus("Copied the transcript")
	if w.status.Text != "Copied the transcript" {
		t.Errorf("routine status after the hold: %q", w.status.Text)
	}
}

// TestDeleteSelectsTheNextNote: after Delete the note below takes the
// deleted one's place (the last one's, the note above), and a note shown
// starts with the play head at its start, not where the last was played.
func TestDeleteSelectsTheNextNote(t *testing.T) {
	w, v := newTestWindow(t, nil)
	for _, title := range []string{"C", "B", "A"} { // newest first: A, B, C
		addNote(t, v, title, "words")
	}
	w.Reload()
	w.list.Select(0)
	w.waveform.SetPosition(0.7)
	w.list.Select(1)
	if w.waveform.pos != 0 {
		t.Errorf("the waveform of the note shown keeps the last note's play head at %v", w.waveform.pos)
	}
	w.list.Select(0)
	w.DeleteSelected()
	if w.selected == nil || w.selected.Title != "B" || w.titleEntry.Text != "B" {
		t.Fatalf("after deleting A the window shows %+v, want B", w.selected)
	}
	w.list.Select(1)
	w.DeleteSelected()
	if w.selected == nil || w.selected.Title != "B" {
		t.Fatalf("after deleting the last note the window shows %+v, want the one above it", w.selected)
	}
}

// TestTabFollowsTheScreen: Tab from nothing focused reaches every control
// in the order a person reads the window (toolbar, search, list, title,
// tags, text, player, actions), and the transcript lets Tab move on.
func TestTabFollowsTheScreen(t *testing.T) {
	w, v := newTestWindow(t, nil)
	addNote(t, v, "Note", "words")
	w.Reload()
	w.list.Select(0)
	w.win.Resize(fyne.NewSize(1100, 700))
	c := w.win.Canvas()
	c.Unfocus()
	var order []fyne.Focusable
	for range 100 {
		c.FocusNext()
		f := c.Focused()
		if f == nil || (len(order) > 0 && f == order[0]) {
			break
		}
		order = append(order, f)
	}
	want := []struct {
		name string
		obj  fyne.Focusable
	}{
		{"Record", w.recordButton}, {"Settings", w.settingsButton}, {"search", w.search}, {"list", w.list},
		{"title", w.titleEntry}, {"tags", w.tagField}, {"transcript", w.editor}, {"play", w.playButton},
		{"transcribe again", w.retryButton}, {"copy", w.copyButton}, {"export", w.exportButton}, {"delete", w.deleteButton},
	}
	last, lastName := -1, "the start"
	for _, x := range want {
		i := slices.Index(order, x.obj)
		if i < 0 {
			t.Errorf("Tab never reaches %s", x.name)
			continue
		}
		if i < last {
			t.Errorf("Tab reaches %s before %s", x.name, lastName)
		}
		last, lastName = i, x.name
	}
	if w.editor.AcceptsTab() {
		t.Error("the transcript takes Tab as a character: a keyboard user cannot leave it")
	}
}

// TestHaystacksAreMadeInTheBackground: what search looks in is made off
// the UI thread after the list is read, and an edit made meanwhile is what
// search then finds.
func TestHaystacksAreMadeInTheBackground(t *testing.T) {
	w, v := newTestWindow(t, nil)
	addNote(t, v, "Lunch", "buy milk")
	addNote(t, v, "Meeting", "the budget")
	w.Reload()
	w.list.Select(0) // Meeting
	w.editor.SetText("the BANJO budget")
	groceries := w.notes[1]
	eventually(t, "the haystack made", func() bool { _, ok := w.hay[groceries]; return ok })
	if _, ok := w.hay[w.selected]; ok && !w.hay[w.selected].contains("banjo") {
		t.Error("the haystack made before an edit was kept after it")
	}
	test.Type(w.search, "banjo")
	if len(w.shown) != 1 || w.shown[0].Title != "Meeting" {
		t.Errorf("searching for a word typed while the haystacks were made finds %d notes", len(w.shown))
	}
}

// TestHaystackKeepsNoCopyOfALowerCaseText: search looks in the note's own
// text when it is in lower case (PocketSphinx writes it so) or its
// capitals are all A-Z (most English text), and in a lower-cased copy
// only for other capitals; a word is found in title, text and tags.
func TestHaystackKeepsNoCopyOfALowerCaseText(t *testing.T) {
	lower := &persistence.Note{Title: "Walk", Body: "we walked to the river and back", Tags: []string{"Outdoors"}}
	h := haystackOf(lower.Title, lower.Body, lower.Tags)
	if unsafe.StringData(h.body.s) != unsafe.StringData(lower.Body) {
		t.Error("the haystack holds a copy of a text already in lower case")
	}
	mixed := &persistence.Note{Title: "Call", Body: "Call Anna about the Budget, café"}
	if h := haystackOf(mixed.Title, mixed.Body, nil); unsafe.StringData(h.body.s) != unsafe.StringData(mixed.Body) || !h.contains("anna about the budget, café") {
		t.Errorf("a text whose capitals are A-Z is searched as %+v", h.body)
	}
	other := "Élan at İzmir"
	if h := haystackOf("", other, nil); h.body.s != strings.ToLower(other) || !h.contains("élan") {
		t.Errorf("a text with other capitals is searched as %+v", h.body)
	}
	for _, c := range []struct {
		terms []string
		want  bool
	}{
		{[]string{"walk", "river"}, true}, {[]string{"outdoors"}, true}, {[]string{"#out"}, true},
		{[]string{"walk", "lake"}, false}, {[]string{"walkwe"}, false}, {[]string{"#river"}, false},
	} {
		if got := matches(lower, h, c.terms); got != c.want {
			t.Errorf("%q matches %v, want %v", c.terms, got, c.want)
		}
	}
}

func TestThousandsAndNotesIn(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 10000: "10,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int]string{0: "0 notes in V", 1: "1 note in V", 2: "2 notes in V", 10000: "10,000 notes in V"} {
		if got := notesIn(n, "V"); got != want {
			t.Errorf("notesIn(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDeleteAndUndo(t *testing.T) {
	w, v := newTestWindow(t, nil)
	n := addNote(t, v, "Delete me", "bye")
	w.Reload()
	w.list.Select(0)
	test.Tap(w.deleteButton)
	if notes, _, _ := v.List(); len(notes) != 0 || len(w.shown) != 0 || w.undo.Hidden {
		t.Fatalf("after delete: %d notes on disk, %d shown, undo hidden %v", len(notes), len(w.shown), w.undo.Hidden)
	}
	test.Tap(w.undo)
	if got, err := v.Note(n.ID); err != nil || got.Body != "bye" || len(w.shown) != 1 {
		t.Fatalf("after undo: %v %v, %d shown", got, err, len(w.shown))
	}
	// The keyboard does the same: Delete, then Ctrl+Z.
	w.list.Select(0)
	w.win.Canvas().Unfocus()
	w.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if notes, _, _ := v.List(); len(notes) != 0 {
		t.Fatal("the Delete key did not delete")
	}
	w.Undo()
	if notes, _, _ := v.List(); len(notes) != 1 {
		t.Fatal("undo did not restore")
	}
}

// TestFailedSaveKeepsText: with the disk refusing writes the edit stays in
// the editor, the user is told, and the save succeeds once the disk works.
func TestFailedSaveKeepsText(t *testing.T) {
	var broken atomic.Bool
	fsys := faultfs.New(persistence.OS, func(e faultfs.Event) error {
		if broken.Load() && e.Op == faultfs.OpWrite && strings.HasSuffix(e.Path, ".tmp") {
			return errors.New("no space left on device (injected)")
		}
		return nil
	})
	w, v := newTestWindow(t, fsys)
	n := addNote(t, v, "Important", "draft")
	w.Reload()
	w.list.Select(0)
	broken.Store(true)
	w.win.Canvas().Focus(w.editor)
	w.editor.CursorColumn = 5
	test.Type(w.editor, " v2")
	eventually(t, "the failure reported", func() bool { return strings.Contains(w.status.Text, "Not saved yet") })
	if w.editor.Text != "draft v2" {
		t.Errorf("the editor lost the text: %q", w.editor.Text)
	}
	if got, _ := v.Note(n.ID); got.Body != "draft" {
		t.Errorf("file changed to %q although saving failed", got.Body)
	}
	if len(w.win.Canvas().Overlays().List()) == 0 {
		t.Error("no error dialog shown")
	}
	broken.Store(false)
	eventually(t, "the retried save", func() bool { got, _ := v.Note(n.ID); return got.Body == "draft v2" })
	entries, _ := os.ReadDir(v.RecordingsPath())
	if len(entries) != 1 {
		t.Errorf("recordings holds %d files; failed saves left temp files", len(entries))
	}
}

// TestToggleFromOutside drives recording through HandleCommand, as
// `voicenotes toggle` does, from another goroutine.
func TestToggleFromOutside(t *testing.T) {
	w, v := newTestWindow(t, nil)
	ask := func(cmd string) string {
		reply := make(chan string)
		go func() { reply <- w.HandleCommand(cmd) }()
		for {
			select {
			case r := <-reply:
				return r
			case f := <-uiQueue:
				f()
			}
		}
	}
	if r := ask("toggle"); r != "recording" || w.rec == nil {
		t.Fatalf("first toggle: %q", r)
	}
	if w.trayRecord != nil && w.trayRecord.Label != "Stop recording" {
		t.Errorf("tray menu says %q while recording", w.trayRecord.Label)
	}
	eventually(t, "a second of audio", func() bool { return w.rec != nil && w.rec.s != nil && w.rec.s.Elapsed() >= time.Second })
	if r := ask("toggle"); r != "stopped" {
		t.Fatalf("second toggle: %q", r)
	}
	eventually(t, "the note", func() bool { notes, _, _ := v.List(); return len(notes) == 1 })
	if r := ask("show"); r != "ok" {
		t.Errorf("show: %q", r)
	}
	if r := ask("frobnicate"); !strings.Contains(r, "unknown command") {
		t.Errorf("unknown command: %q", r)
	}
}

func TestExportFromTheWindow(t *testing.T) {
	w, v := newTestWindow(t, nil)
	n := addNote(t, v, "Minutes", "We agreed on *everything*.")
	w.Reload()
	w.selectByID(n.ID)
	dir := t.TempDir()
	for _, name := range []string{"m.html", "m.txt", "m.md", "noext"} {
		if err := w.exportTo(w.selected, filepath.Join(dir, name)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	html, _ := os.ReadFile(filepath.Join(dir, "m.html"))
	txt, _ := os.ReadFile(filepath.Join(dir, "m.txt"))
	md, _ := os.ReadFile(filepath.Join(dir, "m.md"))
	if !strings.Contains(string(html), "<em>everything</em>") || !strings.HasPrefix(string(txt), "Minutes\n") || !strings.Contains(string(md), "title: Minutes") {
		t.Errorf("exports:\n%s\n%s\n%s", html, txt, md)
	}
	if _, err := os.Stat(filepath.Join(dir, "noext.html")); err != nil {
		t.Error("a name without an extension did not become HTML")
	}
}

// TestShutdownAfterTheLoop: once Fyne's loop has stopped, fyne.Do runs
// work at once on whichever goroutine asks. The recorder's and the
// saver's callbacks must then not race with Shutdown (this test runs under
// -race), and Shutdown still saves the recording and the edit.
func TestShutdownAfterTheLoop(t *testing.T) {
	w, v := newTestWindow(t, nil)
	n := addNote(t, v, "Last words", "draft")
	w.Reload()
	w.selectByID(n.ID)
	test.Tap(w.recordButton)
	eventually(t, "half a second of recording", func() bool { return w.rec != nil && w.rec.s != nil && w.rec.s.Elapsed() >= 500*time.Millisecond })
	w.selectByID(n.ID) // back to the note from the recording's pane
	w.win.Canvas().Focus(w.editor)
	w.editor.CursorColumn = len(w.editor.Text)
	test.Type(w.editor, " typed at the end")
	// The loop ends (SIGTERM): work now runs on the goroutine that asks.
	uiDirect.Store(true)
	t.Cleanup(func() { uiDirect.Store(false) })
	done := make(chan error)
	go func() { done <- w.Shutdown() }()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Note(n.ID); got.Body != "draft typed at the end" {
		t.Errorf("the edit typed before the end was not saved: %q", got.Body)
	}
	notes, _, _ := v.List()
	if len(notes) != 2 {
		t.Errorf("%d notes after shutdown, want the edited one and the recording", len(notes))
	}
	// Work that arrives after Shutdown (a transcription finishing, a late
	// level) no longer reaches the window.
	late := make(chan struct{})
	go func() {
		w.onTranscription(transcribe.Update{ID: n.ID, Status: persistence.StatusTranscribing, Progress: 0.5})
		close(late)
	}()
	<-late
	if p, ok := w.progress[n.ID]; ok {
		t.Errorf("a transcription update after Shutdown changed the window (progress %v)", p)
	}
}

// TestTypedTitleIsKept: typing a title marks it the person's, so a later
// transcript never replaces it.
func TestTypedTitleIsKept(t *testing.T) {
	w, v := newTestWindow(t, nil)
	n := v.NewNote()
	n.Title, n.AutoTitle, n.TranscriptionStatus = "Recording 1 Dec 2026 05:21", true, persistence.StatusUnprocessed
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	w.Reload()
	w.selectByID(n.ID)
	w.win.Canvas().Focus(w.titleEntry)
	w.titleEntry.SetText("")
	test.Type(w.titleEntry, "Dentist")
	eventually(t, "the typed title on disk", func() bool {
		got, _ := v.Note(n.ID)
		return got.Title == "Dentist" && !got.AutoTitle
	})
}

// TestOwnSavesInARowAreNotAConflict: typing that outlasts the pause before
// a save makes several saves before the UI thread hears of the first; the
// note the window holds still carries the revision it was read at, and
// each later save must be known for the window's own, not refused as
// another program's change. (TestShutdownAfterTheLoop failed this way on
// a loaded machine: three saves, and the last was called a conflict.)
func TestOwnSavesInARowAreNotAConflict(t *testing.T) {
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := addNote(t, v, "Typing", "")
	// The UI thread is busy: what the saver posts to it never runs.
	s := newSaver(v, func(func()) {}, func(*persistence.Note, persistence.Revision, error) {})
	for _, text := range []string{"one", "one two", "one two three", "one two three four"} {
		n.Body = text
		s.flush(n) // nothing to flush until something is dirty
		s.queue(n, 0)
		if err := s.wait(); err != nil {
			t.Fatalf("saving %q: %v", text, err)
		}
	}
	if got, err := v.Note(n.ID); err != nil || got.Body != "one two three four" {
		t.Fatalf("on disk: %+v, %v", got, err)
	}
}

// TestFoldedSearchIsToLowersSearch: whatever the text (A-Z capitals,
// others, the special İ and Kelvin sign K, invalid UTF-8) a term in lower
// case is found in it exactly when strings.ToLower's copy contains it.
func TestFoldedSearchIsToLowersSearch(t *testing.T) {
	pieces := []string{"a", "A", "b", "B", "z", "Z", "g", "G", "ab", "AB", "é", "É", "i", "İ", "k", "\u212a", "ß", " ", ".", "\xff", "1", "ﬁ"}
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	for range 20000 {
		text := gen(rng.IntN(12))
		term := strings.ToLower(gen(1 + rng.IntN(3)))
		want := strings.Contains(strings.ToLower(text), term)
		if got := fold(text).contains(term); got != want {
			t.Fatalf("fold(%q).contains(%q) = %v; strings.ToLower's copy says %v", text, term, got, want)
		}
	}
}
