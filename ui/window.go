// Package ui is the Voice Notes window: record, watch the words arrive,
// edit, play and find notes. It knows the rest of the app through Services,
// so its tests run without audio hardware; background work reaches widgets
// only through fyne.Do in bridge.go.
package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// Services are the app's working parts, supplied by main (or a test).
type Services struct {
	Vault      *persistence.Vault
	OpenInput  func() (audio.Source, error)
	OpenOutput func(rate, channels int) (audio.Sink, error)
	// Engine returns the transcription engine to use now; nil means none.
	Engine    func() (transcribe.Engine, transcribe.Options, error)
	Recovered []*persistence.Note // rebuilt after a crash, to tell the user
	// For Settings: the input devices, opening one by name, and switching
	// to another vault (which opens it with its lock and releases the old).
	ListInputs     func() ([]string, error)
	OpenInputNamed func(name string) (audio.Source, error)
	SwitchVault    func(root string) (*persistence.Vault, error)
	// Trace, when set, hears on the UI thread what the window has done, so
	// an end-to-end test can wait for it: "shown ID" once a note's text is
	// in the editor, "edited ID BYTES" after each change to its text.
	Trace func(event string)
}

// Window is the main window. Its widgets are exported for tests.
type Window struct {
	App fyne.App
	Win fyne.Window
	svc Services

	// Toolbar
	RecordButton *widget.Button
	PauseButton  *widget.Button
	Elapsed      *widget.Label
	Level        *widget.ProgressBar
	LiveText     *widget.Label

	// Note list
	Search *widget.Entry
	List   *widget.List

	// Selected note
	Title      *widget.Entry
	Meta       *widget.Label
	Editor     *widget.Entry
	Preview    *widget.RichText
	Tabs       *container.AppTabs
	PlayButton *widget.Button
	Seek       *widget.Slider
	Position   *widget.Label
	Waveform   *Waveform
	Retry      *widget.Button
	Copy       *widget.Button
	Reveal     *widget.Button
	Export     *widget.Button
	Delete     *widget.Button

	// Status bar, with Undo after a delete
	Status *widget.Label
	Undo   *widget.Button

	SettingsButton *widget.Button

	// WatchFallback is why the vault is polled rather than watched (nil
	// while it is watched).
	WatchFallback error

	uiMu  sync.Mutex // held while background work runs on the UI thread (see do)
	ended bool       // set by Shutdown: background work no longer runs

	notes     []*persistence.Note          // all, newest first
	shown     []*persistence.Note          // after the search filter
	hay       map[*persistence.Note]string // lower-cased title and text, for search
	lastQuery string
	filtered  bool               // shown is the result of lastQuery over notes
	progress  map[string]float64 // transcription progress by id
	selected  *persistence.Note
	loading   bool // true while widgets are being filled from a note

	saver    *saver
	rec      *recording
	player   *playback
	queue    *transcribe.Queue
	trashed  []*persistence.Trashed
	levelVal binding.Float
	stop     chan struct{}

	conflictOpen map[string]bool

	trayMenu   *fyne.Menu
	trayRecord *fyne.MenuItem
	trayIcon   fyne.Resource
}

// New builds the window on an open vault.
func New(a fyne.App, svc Services) *Window {
	w := &Window{App: a, svc: svc, Win: a.NewWindow("Voice Notes"), progress: map[string]float64{}, stop: make(chan struct{}), conflictOpen: map[string]bool{}}
	w.saver = newSaver(svc.Vault, w.do, w.onSaved)
	w.build()
	w.bindKeys()
	w.setupTray()
	w.Reload()
	w.startBackground()
	w.Win.SetCloseIntercept(w.Close)
	if len(svc.Recovered) > 0 {
		w.tellRecovered(svc.Recovered)
	}
	return w
}

func (w *Window) build() {
	w.levelVal = binding.NewFloat()
	w.RecordButton = widget.NewButtonWithIcon("Record", theme.MediaRecordIcon(), w.ToggleRecording)
	w.RecordButton.Importance = widget.HighImportance
	w.PauseButton = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), w.TogglePause)
	w.PauseButton.Disable()
	w.Elapsed = widget.NewLabel("0:00")
	w.Level = widget.NewProgressBarWithData(w.levelVal)
	w.Level.TextFormatter = func() string { return "" }
	w.Level.Refresh()
	w.LiveText = widget.NewLabel("")
	w.LiveText.Truncation = fyne.TextTruncateClip
	w.SettingsButton = widget.NewButtonWithIcon("", theme.SettingsIcon(), func() { w.ShowSettings() })
	toolbar := container.NewBorder(nil, nil,
		container.NewHBox(w.RecordButton, w.PauseButton, w.Elapsed),
		w.SettingsButton, container.NewVBox(w.Level, w.LiveText))

	w.Search = widget.NewEntry()
	w.Search.SetPlaceHolder("Search titles and transcripts")
	w.Search.OnChanged = func(string) { w.applyFilter() }
	w.List = widget.NewList(
		func() int { return len(w.shown) },
		func() fyne.CanvasObject {
			title := widget.NewLabel("title")
			title.TextStyle.Bold = true
			title.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(title, widget.NewLabel("meta"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(w.shown) {
				return
			}
			n := w.shown[i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(displayTitle(n))
			box.Objects[1].(*widget.Label).SetText(w.listMeta(n))
		})
	w.List.OnSelected = func(i widget.ListItemID) {
		if i < len(w.shown) {
			w.selectNote(w.shown[i])
		}
	}
	left := container.NewBorder(w.Search, nil, nil, nil, w.List)

	w.Title = widget.NewEntry()
	w.Title.SetPlaceHolder("Title")
	w.Title.OnChanged = func(s string) { w.edited(func(n *persistence.Note) { n.Title = s }) }
	w.Meta = widget.NewLabel("")
	w.Editor = widget.NewMultiLineEntry()
	w.Editor.Wrapping = fyne.TextWrapWord
	w.Editor.SetPlaceHolder("The transcript appears here; type to edit.")
	w.Editor.OnChanged = func(s string) { w.edited(func(n *persistence.Note) { n.Body = s }) }
	w.Preview = widget.NewRichTextFromMarkdown("")
	w.Preview.Wrapping = fyne.TextWrapWord
	w.Tabs = container.NewAppTabs(
		container.NewTabItem("Transcript", w.Editor),
		container.NewTabItem("Preview", container.NewVScroll(w.Preview)))
	w.Tabs.OnSelected = func(t *container.TabItem) {
		if t.Text == "Preview" {
			w.Preview.ParseMarkdown(w.Editor.Text)
		}
	}
	w.PlayButton = widget.NewButtonWithIcon("", theme.MediaPlayIcon(), w.TogglePlay)
	w.Seek = widget.NewSlider(0, 1)
	w.Seek.Step = 0.001
	w.Seek.OnChangeEnded = func(v float64) { w.seekTo(v) }
	w.Position = widget.NewLabel("0:00 / 0:00")
	w.Waveform = NewWaveform(func(f float64) { w.Seek.SetValue(f); w.seekTo(f) })
	w.Retry = widget.NewButtonWithIcon("Transcribe again", theme.ViewRefreshIcon(), w.Retranscribe)
	w.Copy = widget.NewButtonWithIcon("Copy text", theme.ContentCopyIcon(), w.CopyText)
	w.Reveal = widget.NewButtonWithIcon("Show file", theme.FolderOpenIcon(), w.RevealFile)
	w.Export = widget.NewButtonWithIcon("Export", theme.DocumentSaveIcon(), w.ExportSelected)
	w.Delete = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), w.DeleteSelected)
	w.Delete.Importance = widget.DangerImportance
	playback := container.NewBorder(nil, nil, w.PlayButton, w.Position, w.Seek)
	actions := container.NewHBox(w.Retry, w.Copy, w.Reveal, w.Export, w.Delete)
	right := container.NewBorder(
		container.NewVBox(w.Title, w.Meta),
		container.NewVBox(w.Waveform, playback, actions),
		nil, nil, w.Tabs)

	w.Status = widget.NewLabel("")
	w.Status.Truncation = fyne.TextTruncateEllipsis
	w.Undo = widget.NewButton("Undo", w.UndoDelete)
	w.Undo.Hide()
	status := container.NewBorder(nil, nil, nil, w.Undo, w.Status)

	split := container.NewHSplit(left, right)
	split.Offset = 0.32
	w.Win.SetContent(container.NewBorder(toolbar, status, nil, nil, split))
	w.Win.Resize(fyne.NewSize(1100, 700))
	w.showNote(nil)
}

// displayTitle is a note's title, or its date when it has none.
func displayTitle(n *persistence.Note) string {
	if t := strings.TrimSpace(n.Title); t != "" {
		return t
	}
	return "Note of " + n.CreatedAt.Local().Format("2 Jan 2006 15:04")
}

func (w *Window) listMeta(n *persistence.Note) string {
	parts := []string{n.CreatedAt.Local().Format("2 Jan 15:04"), audio.FormatDuration(n.Duration)}
	switch n.TranscriptionStatus {
	case persistence.StatusUnprocessed:
		parts = append(parts, "queued")
	case persistence.StatusTranscribing:
		parts = append(parts, fmt.Sprintf("transcribing %.0f%%", 100*w.progress[n.ID]))
	case persistence.StatusFailed:
		parts = append(parts, "transcription failed")
	}
	if n.Recovered {
		parts = append(parts, "recovered")
	}
	return strings.Join(parts, " · ")
}

// Reload reads the vault again, keeping the selection.
func (w *Window) Reload() {
	notes, bad, err := w.svc.Vault.List()
	if err != nil {
		w.showError(err)
		return
	}
	w.notes = notes
	w.filtered = false
	w.hay = make(map[*persistence.Note]string, len(notes))
	for _, n := range notes { // now, not on the first keystroke
		w.haystack(n)
	}
	w.applyFilter()
	msg := fmt.Sprintf("%d notes in %s", len(notes), w.svc.Vault.Root())
	if len(bad) > 0 {
		msg += fmt.Sprintf(" · %d files could not be read (voicenotes doctor lists them)", len(bad))
	}
	w.setStatus(msg)
}

// applyFilter shows the notes whose title or text holds every word typed.
func (w *Window) applyFilter() {
	query := strings.ToLower(w.Search.Text)
	terms := strings.Fields(query)
	// Typing more narrows the last result: search only what it showed.
	from := w.notes
	if w.lastQuery != "" && strings.HasPrefix(query, w.lastQuery) && w.filtered {
		from = w.shown
	}
	shown := make([]*persistence.Note, 0, len(from))
	for _, n := range from {
		if len(terms) == 0 || matches(w.haystack(n), terms) {
			shown = append(shown, n)
		}
	}
	w.shown, w.lastQuery, w.filtered = shown, query, true
	w.List.UnselectAll()
	w.List.Refresh()
	if w.selected != nil {
		if i := slices.IndexFunc(w.shown, func(n *persistence.Note) bool { return n.ID == w.selected.ID }); i >= 0 {
			w.List.Select(i)
		}
	}
}

// haystack is what search looks in, lower-cased once per note and edit.
func (w *Window) haystack(n *persistence.Note) string {
	h, ok := w.hay[n]
	if !ok {
		h = strings.ToLower(n.Title + "\n" + n.Body)
		w.hay[n] = h
	}
	return h
}

func matches(hay string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(hay, t) {
			return false
		}
	}
	return true
}

// startBackground starts the transcription queue and the vault watcher;
// they stop when w.stop closes.
func (w *Window) startBackground() {
	w.WatchFallback = nil
	ctx := stopContext(w.stop)
	// The queue runs whenever the app can transcribe at all: it asks for
	// the engine Settings name at each job, so turning an engine on takes
	// effect with the next recording, without a restart.
	w.queue = nil
	if w.svc.Engine != nil {
		w.queue = transcribe.NewQueue(w.svc.Vault, w.svc.Engine, w.onTranscription)
		go w.queue.Run(ctx)
		if cfg := w.settings(); cfg.AutoTranscribe && cfg.Engine != "" {
			w.queuePending()
		}
	}
	v := w.svc.Vault
	onChange := func(paths []string) { w.readChanges(v, paths) }
	go func() {
		err := v.Watch(ctx, 200*time.Millisecond, onChange)
		if err == nil || ctx.Err() != nil {
			return
		}
		// Without a watch (the system's inotify limits reached), look every
		// two seconds instead, and say so: changes from other programs
		// arrive later, but they arrive.
		log.Printf("ui: %v; polling instead", err)
		w.do(func() {
			w.WatchFallback = err
			w.setStatus(fmt.Sprintf("Changes by other programs are checked every %v: %v", pollEvery, err))
		})
		v.Poll(ctx, pollEvery, onChange)
	}()
}

// queuePending queues the notes waiting for a transcript (off the UI
// thread).
func (w *Window) queuePending() {
	go func(q *transcribe.Queue) {
		if _, err := q.EnqueuePending(); err != nil {
			w.showError(fmt.Errorf("notes waiting to be transcribed could not be queued: %w; 'Transcribe again' on a note queues it", err))
		}
	}(w.queue)
}

// pollEvery is how often the vault is listed when it cannot be watched.
var pollEvery = 2 * time.Second

// switchVault saves everything, releases this vault and opens another.
func (w *Window) switchVault(root string) error {
	if w.rec != nil {
		return errors.New("stop the recording before switching vaults")
	}
	if w.svc.SwitchVault == nil {
		return errors.New("this window cannot switch vaults")
	}
	if w.selected != nil {
		w.saver.flush(w.selected)
	}
	if err := w.saver.wait(); err != nil {
		return fmt.Errorf("your last edit could not be saved, so the vault was not switched: %w", err)
	}
	v, err := w.svc.SwitchVault(root)
	if err != nil {
		return err
	}
	w.stopPlayback()
	close(w.stop)
	w.stop = make(chan struct{})
	w.svc.Vault = v
	w.saver = newSaver(v, w.do, w.onSaved)
	w.selected = nil
	w.showNote(nil)
	w.startBackground()
	w.Reload()
	return nil
}

// readChanges reads the notes another program touched (on the watcher's
// goroutine) and hands them to the UI thread.
func (w *Window) readChanges(v *persistence.Vault, paths []string) {
	changes := map[string]*persistence.Note{} // nil: gone
	for _, p := range paths {
		n, err := v.ReadNote(p)
		switch {
		case err == nil:
			changes[p] = n
		case errors.Is(err, fs.ErrNotExist):
			changes[p] = nil
		} // unreadable files stay out of the list; doctor reports them
	}
	w.do(func() {
		if w.svc.Vault == v { // not a vault switched away from meanwhile
			w.applyDiskChanges(changes)
		}
	})
}

// applyDiskChanges brings the list up to date with files changed on disk.
// The open note is reloaded quietly when it has no unsaved edits; with
// edits, the next save finds the conflict and asks the user.
func (w *Window) applyDiskChanges(changes map[string]*persistence.Note) {
	changed := false
	for path, fresh := range changes {
		i := slices.IndexFunc(w.notes, func(n *persistence.Note) bool { return n.Path == path })
		var old *persistence.Note
		if i >= 0 {
			old = w.notes[i]
		}
		dirtyOpen := old != nil && w.selected == old && w.saver.isDirty(old.ID)
		switch {
		case fresh == nil && old != nil && !dirtyOpen:
			w.notes = slices.Delete(w.notes, i, i+1)
			if w.selected == old {
				w.selected = nil
				w.showNote(nil)
			}
		case fresh == nil || dirtyOpen:
			continue
		case old != nil && old.Revision() == fresh.Revision():
			continue // our own write
		case old != nil:
			w.notes[i] = fresh
			if w.selected == old {
				w.selected = fresh
				w.showNote(fresh)
			}
		case slices.ContainsFunc(w.notes, func(n *persistence.Note) bool { return n.ID == fresh.ID }):
			// Two files with one id: let List decide which is the note,
			// as it does at start, so the answer never depends on the
			// order the events came in.
			w.Reload()
			return
		default:
			w.notes = append(w.notes, fresh)
		}
		changed = true
	}
	if !changed {
		return
	}
	persistence.SortNotes(w.notes)
	w.filtered = false
	w.applyFilter()
	w.setStatus(fmt.Sprintf("%d notes in %s (updated from disk)", len(w.notes), w.svc.Vault.Root()))
}

// selectNote shows a note, saving the previous one's edits first.
func (w *Window) selectNote(n *persistence.Note) {
	if w.selected != nil && n != nil && w.selected.ID == n.ID {
		return
	}
	if w.selected != nil {
		w.saver.flush(w.selected)
	}
	w.stopPlayback()
	w.selected = n
	w.showNote(n)
}

func (w *Window) showNote(n *persistence.Note) {
	w.loading = true
	defer func() { w.loading = false }()
	for _, o := range []fyne.Disableable{w.Title, w.Editor, w.PlayButton, w.Seek, w.Retry, w.Copy, w.Reveal, w.Export, w.Delete} {
		if n == nil {
			o.Disable()
		} else {
			o.Enable()
		}
	}
	if n == nil {
		w.Title.SetText("")
		w.Editor.SetText("")
		w.Meta.SetText("Select a note, or press Record (Ctrl+R).")
		w.Waveform.SetPeaks(nil)
		w.Position.SetText("0:00 / 0:00")
		return
	}
	w.Title.SetText(n.Title)
	w.Editor.SetText(n.Body)
	w.Preview.ParseMarkdown(n.Body)
	w.refreshMeta()
	w.Seek.SetValue(0)
	w.Position.SetText("0:00 / " + audio.FormatDuration(n.Duration))
	w.loadWaveform(n)
	w.trace("shown %s", n.ID)
}

func (w *Window) trace(format string, a ...any) {
	if w.svc.Trace != nil {
		w.svc.Trace(fmt.Sprintf(format, a...))
	}
}

func (w *Window) refreshMeta() {
	n := w.selected
	if n == nil {
		return
	}
	parts := []string{n.CreatedAt.Local().Format("Monday 2 January 2006, 15:04"), audio.FormatDuration(n.Duration)}
	if n.Engine != "" {
		parts = append(parts, "transcribed by "+n.Engine)
	}
	switch n.TranscriptionStatus {
	case persistence.StatusFailed:
		parts = append(parts, "transcription failed: "+n.TranscriptionError)
	case persistence.StatusTranscribing:
		parts = append(parts, fmt.Sprintf("transcribing… %.0f%%", 100*w.progress[n.ID]))
	case persistence.StatusUnprocessed:
		parts = append(parts, "waiting to be transcribed")
	}
	w.Meta.SetText(strings.Join(parts, " · "))
}

// edited applies a change typed by the user and schedules its save.
func (w *Window) edited(change func(*persistence.Note)) {
	if w.loading || w.selected == nil {
		return
	}
	change(w.selected)
	delete(w.hay, w.selected)
	w.filtered = false
	w.saver.schedule(w.selected)
	w.List.Refresh()
	w.trace("edited %s %d", w.selected.ID, len(w.selected.Body))
}

// onSaved hears from the saver (on the UI thread).
func (w *Window) onSaved(saved *persistence.Note, before persistence.Revision, err error) {
	var conflict *persistence.ConflictError
	switch {
	case errors.As(err, &conflict):
		w.askConflict(saved, conflict)
		return
	case err != nil:
		w.setStatus(fmt.Sprintf("Not saved yet: %v. Your text is kept and saving is retried.", err))
		w.showError(fmt.Errorf("could not save your edit: %w\nYour text stays in the editor and is saved as soon as it can be", err))
		return
	}
	for _, n := range w.notes {
		if n.ID == saved.ID && n.Revision() == before {
			n.Adopt(saved)
		}
	}
	if w.selected != nil && w.selected.ID == saved.ID && w.selected.Revision() == before {
		w.selected.Adopt(saved)
	}
	w.setStatus("Saved")
}

func (w *Window) setStatus(s string) { w.Status.SetText(s) }

// Close flushes unsaved edits, stops recording (saving it) and quits.
func (w *Window) Close() {
	log.Printf("ui: closing the window")
	if w.rec != nil {
		w.stopRecording(true)
	}
	w.stopPlayback()
	if w.selected != nil {
		w.saver.flush(w.selected)
	}
	if err := w.saver.wait(); err != nil {
		w.showError(fmt.Errorf("your last edit could not be saved (%w); it is still in the editor. Fix the problem and close again", err))
		return
	}
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	w.Win.Close()
}

// HandleCommand answers a command from outside the window (instance
// package): toggle recording, or come to the front. Any goroutine.
func (w *Window) HandleCommand(cmd string) string {
	reply := make(chan string, 1)
	switch cmd {
	case "toggle":
		w.do(func() {
			w.ToggleRecording()
			if w.rec != nil {
				reply <- "recording"
			} else {
				reply <- "stopped"
			}
		})
	case "show":
		w.do(func() {
			w.Win.Show()
			w.Win.RequestFocus()
			reply <- "ok"
		})
	default:
		return "unknown command " + cmd
	}
	select {
	case r := <-reply:
		return r
	case <-time.After(5 * time.Second):
		return "busy"
	}
}

// Shutdown saves what is left when the app ends by a route that skips
// Close (SIGTERM and the tray's Quit stop the event loop directly): the
// recording in progress and unsaved edits. Call it after the event loop
// returned; it touches no widgets.
func (w *Window) Shutdown() error {
	w.end()
	var errs []error
	if rec := w.rec; rec != nil {
		w.rec = nil
		_, err := w.saveRecording(rec)
		errs = append(errs, err)
	}
	if w.selected != nil {
		w.saver.flush(w.selected)
	}
	errs = append(errs, w.saver.wait())
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	return errors.Join(errs...)
}

// ShowAndRun shows the window and runs the app until it quits.
func (w *Window) ShowAndRun() { w.Win.ShowAndRun() }

func (w *Window) tellRecovered(notes []*persistence.Note) {
	var titles []string
	for _, n := range notes {
		titles = append(titles, "• "+displayTitle(n)+" ("+audio.FormatDuration(n.Duration)+")")
	}
	msg := fmt.Sprintf("Voice Notes stopped while recording last time. %d recording(s) were recovered and are in the list, marked \"recovered\":\n\n%s", len(notes), strings.Join(titles, "\n"))
	w.info("Recordings recovered", msg)
	w.setStatus(fmt.Sprintf("%d recording(s) recovered after a crash", len(notes)))
}
