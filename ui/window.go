// Package ui is the Voice Notes window: record, watch the words arrive,
// edit, play and find notes. It knows the rest of the app through Services,
// so its tests run without audio hardware; background work reaches widgets
// only through fyne.Do in bridge.go.
package ui

import (
	"errors"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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
	// painted ticks with every frame under VOICENOTES_TRACE; the events
	// of paintedNext are painted this frame, those of paintedNow were.
	painted                 *fyne.Animation
	paintedNow, paintedNext []string

	App fyne.App
	Win fyne.Window
	svc Services

	// Toolbar
	RecordButton *TipButton
	PauseButton  *TipButton
	Elapsed      *widget.Label
	Level        *Meter
	// Empty is shown over the list while the vault has no notes: how to
	// start, where the files are, a button to open the folder.
	Empty      *fyne.Container
	EmptyWhere *widget.Label
	// SearchCount says how many notes a search found ("12 of 10,000");
	// NoMatch says over the list that none did, and what to try.
	SearchCount, NoMatch *widget.Label
	// rowsFilled counts list rows filled (what a keystroke costs).
	rowsFilled int
	// statusHeld: until when a message that matters stays; statusNext is
	// the routine status that waits for it.
	statusHeld time.Time
	statusNext string
	// hayGen counts the lists read, for haystacks made off the UI thread.
	hayGen int
	// exportDialog asks which format to export as (exportChoice).
	exportDialog *dialog.ConfirmDialog
	exportChoice *widget.RadioGroup
	OpenFolder   *widget.Button
	// The Follow tab: the transcript word by word, for notes with word
	// timings (follow.go).
	Speed        *widget.Select // playback speed, pitch kept
	FollowTab    *container.TabItem
	FollowWords  *fyne.Container
	followScroll *container.Scroll
	FollowAt     *widget.Label
	CaretAt      *widget.Label // when the word at the editor's caret was said
	follow       *follow
	playPos      time.Duration // where the player last said it was
	// The selected note's tags and the field to add one.
	TagChips *fyne.Container
	TagEntry *tagEntry
	// Banner shows what the recording's watchdog says, by the meter.
	Banner   *Banner
	LiveText *widget.Label
	// The recording in progress in the note pane (live.go): its growing
	// transcript, and the row above the list that brings it back.
	LiveBody      *widget.Label
	RecordingRow  *widget.Button // tapped: the recording back in the pane
	RecordingLine *widget.Label  // over it: "● Recording now · newest words"
	recordingBox  *fyne.Container
	liveScroll    *container.Scroll
	livePane      *fyne.Container
	live          *liveView // while recording
	liveShown     bool      // the pane shows the recording, not a note

	// Note list
	Search *keyEntry
	List   *widget.List
	warm   *canvas.LinearGradient // see warm.go

	// Selected note
	Title      *keyEntry
	Meta       *widget.Label
	Editor     *keyEntry
	Preview    *widget.RichText
	Tabs       *container.AppTabs
	PlayButton *TipButton
	Seek       *widget.Slider
	Position   *widget.Label
	Waveform   *Waveform
	Retry      *TipButton
	Copy       *TipButton
	Reveal     *TipButton
	Export     *TipButton
	Delete     *TipButton

	// Status bar, with Undo after a delete
	Status *widget.Label
	Undo   *widget.Button

	SettingsButton *TipButton

	// WatchFallback is why the vault is polled rather than watched (nil
	// while it is watched).
	WatchFallback error

	uiMu  sync.Mutex // held while background work runs on the UI thread (see do)
	ended bool       // set by Shutdown: background work no longer runs

	notes     []*persistence.Note          // all, newest first
	shown     []*persistence.Note          // after the search filter
	hay       map[*persistence.Note]string // lower-cased title and text, for search
	lastQuery string
	filtered  bool           // shown is the result of lastQuery over notes
	terms     []string       // the search's words, lower case ('#' ones are tags)
	headings  map[int]string // the group heading above shown[i], where one starts
	// rowHeight and rowHeadedHeight are a list row's height without and
	// with a group heading.
	rowHeight, rowHeadedHeight float32
	now                        func() time.Time
	progress                   map[string]float64 // transcription progress by id
	selected                   *persistence.Note
	loading                    bool // true while widgets are being filled from a note

	saver   *saver
	rec     *ongoing
	player  *playback
	queue   *transcribe.Queue
	standby *transcribe.Standby // the live decoder, loaded before Record
	trashed []*persistence.Trashed
	stop    chan struct{}

	conflictOpen map[string]bool
	ownKeys      map[string]func() // the window's shortcuts by name, for text fields to pass on

	trayMenu   *fyne.Menu
	trayRecord *fyne.MenuItem
	trayMark   *fyne.MenuItem
	trayIcon   fyne.Resource
}

// New builds the window on an open vault.
func New(a fyne.App, svc Services) *Window {
	w := &Window{App: a, svc: svc, Win: a.NewWindow("Voice Notes"), progress: map[string]float64{}, stop: make(chan struct{}), conflictOpen: map[string]bool{},
		headings: map[int]string{}, now: time.Now}
	w.saver = newSaver(svc.Vault, w.do, w.onSaved)
	w.build()
	w.bindKeys()
	w.setupTray()
	w.Reload()
	w.startBackground()
	w.standby = transcribe.NewStandby(liveEngine(a, svc.Engine))
	w.standby.Refresh()
	w.Win.SetCloseIntercept(w.Close)
	w.Win.SetOnDropped(w.onDrop)
	if len(svc.Recovered) > 0 {
		w.tellRecovered(svc.Recovered)
	}
	return w
}

func (w *Window) build() {
	w.RecordButton = w.newTipButton("Record", theme.MediaRecordIcon(), "Start or stop recording (Ctrl+R)", w.ToggleRecording)
	w.RecordButton.Importance = widget.HighImportance
	w.PauseButton = w.newTipButton("Pause", theme.MediaPauseIcon(), "Pause or resume the recording", w.TogglePause)
	w.PauseButton.Disable()
	w.Elapsed = widget.NewLabel("0:00")
	w.Level = NewMeter()
	w.Banner = NewBanner()
	w.LiveText = widget.NewLabel("")
	w.LiveText.Truncation = fyne.TextTruncateClip
	w.SettingsButton = w.newTipButton("", theme.SettingsIcon(), "Settings: vault, microphone, transcription", func() { w.ShowSettings() })
	toolbar := inScreenOrder(nil, nil,
		container.NewHBox(w.RecordButton, w.PauseButton, w.Elapsed),
		w.SettingsButton, container.NewVBox(w.Level, w.Banner, w.LiveText))

	w.Search = newKeyEntry(false, w.windowShortcut)
	w.Search.SetPlaceHolder("Search titles, transcripts and #tags (Ctrl+F)")
	w.Search.OnChanged = func(q string) {
		w.timed(w.applyFilter)
		w.tracePainted("search painted %q %d", q, len(w.shown))
	}
	w.List = widget.NewList(
		func() int { return len(w.shown) },
		func() fyne.CanvasObject { return newNoteRow().box },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(w.shown) {
				w.fillRow(rowOf(o.(*fyne.Container)), i)
			}
		})
	sample := newNoteRow()
	w.rowHeight = sample.box.MinSize().Height
	sample.heading.Show()
	w.rowHeadedHeight = sample.box.MinSize().Height
	w.List.OnSelected = func(i widget.ListItemID) {
		if i < len(w.shown) {
			w.selectNote(w.shown[i])
		}
	}
	w.warm = newWarmShadow()
	w.buildLive()
	w.SearchCount = widget.NewLabel("")
	w.SearchCount.Importance = widget.LowImportance
	left := inScreenOrder(container.NewVBox(inScreenOrder(nil, nil, nil, w.SearchCount, w.Search), w.recordingBox), nil, nil, nil, container.NewStack(container.NewWithoutLayout(w.warm), w.List, w.buildEmpty()))

	w.Title = newKeyEntry(false, w.windowShortcut)
	w.Title.SetPlaceHolder("Title")
	w.Title.OnChanged = func(s string) {
		if w.liveShown && !w.loading {
			w.live.title = s // the recording's, given to its note when saved
			return
		}
		w.edited(func(n *persistence.Note) { n.Title, n.AutoTitle = s, false }) // typed: never replaced
	}
	w.Meta = widget.NewLabel("")
	w.Editor = newKeyEntry(true, w.windowShortcut)
	w.Editor.Wrapping = fyne.TextWrapWord
	w.Editor.SetPlaceHolder("The transcript appears here; type to edit.")
	w.Editor.OnChanged = func(s string) { w.edited(func(n *persistence.Note) { n.Body = s }) }
	w.Editor.OnCursorChanged = w.caretMoved
	w.CaretAt = widget.NewLabel("")
	w.CaretAt.Importance = widget.LowImportance
	w.CaretAt.Hide()
	w.Preview = widget.NewRichTextFromMarkdown("")
	w.Preview.Wrapping = fyne.TextWrapWord
	flow := &flowLayout{}
	w.FollowWords = container.New(flow)
	w.followScroll = container.NewVScroll(w.FollowWords)
	flow.relayout = w.followScroll.Refresh
	flow.laidOut = w.traceFollowLayout
	w.FollowAt = widget.NewLabel("Tap a word to play from it")
	w.FollowTab = container.NewTabItem("Follow", container.NewBorder(nil, w.FollowAt, nil, nil, w.followScroll))
	w.Tabs = container.NewAppTabs(
		container.NewTabItem("Transcript", inScreenOrder(nil, w.CaretAt, nil, nil, asDocument(w.Editor))),
		container.NewTabItem("Preview", container.NewVScroll(w.Preview)))
	w.Tabs.OnSelected = func(t *container.TabItem) {
		switch t {
		case w.Tabs.Items[1]:
			if w.selected != nil {
				w.showPreview(w.Editor.Text)
			}
		case w.FollowTab:
			w.followWords()
			w.markAt(w.playPos)
		}
	}
	w.PlayButton = w.newTipButton("", theme.MediaPlayIcon(), "Play or pause (Space)", w.TogglePlay)
	w.Seek = widget.NewSlider(0, 1)
	w.Seek.Step = 0.001
	w.Seek.OnChangeEnded = func(v float64) { w.seekTo(v) }
	w.Position = widget.NewLabel("0:00 / 0:00")
	w.Waveform = NewWaveform(func(f float64) { w.showSeek(f); w.seekTo(f) })
	w.Retry = w.newTipButton("Transcribe again", theme.ViewRefreshIcon(), "Transcribe this recording again (your edits are kept)", w.Retranscribe)
	w.Copy = w.newTipButton("Copy text", theme.ContentCopyIcon(), "Copy the transcript", w.CopyText)
	w.Reveal = w.newTipButton("Show file", theme.FolderOpenIcon(), "Show the note's file in the file manager", w.RevealFile)
	w.Export = w.newTipButton("Export", theme.DocumentSaveIcon(), "Export as a web page, Markdown, text or subtitles (Ctrl+E)", w.ExportSelected)
	w.Delete = w.newTipButton("Delete", theme.DeleteIcon(), "Move to the vault's trash (Delete; Ctrl+Z brings it back)", w.DeleteSelected)
	w.Delete.Importance = widget.DangerImportance
	w.Speed = w.buildSpeed()
	playback := inScreenOrder(nil, nil, w.PlayButton, container.NewHBox(w.Position, w.Speed), w.Seek)
	actions := container.NewHBox(w.Retry, w.Copy, w.Reveal, w.Export, w.Delete)
	right := inScreenOrder(
		container.NewVBox(w.Title, w.buildTags(), w.Meta),
		container.NewVBox(w.Waveform, playback, actions),
		nil, nil, container.NewStack(w.Tabs, w.livePane))

	w.Status = widget.NewLabel("")
	w.Status.Truncation = fyne.TextTruncateEllipsis
	w.Undo = widget.NewButton("Undo", w.UndoDelete)
	w.Undo.Hide()
	status := inScreenOrder(nil, nil, nil, w.Undo, w.Status)

	split := container.NewHSplit(left, right)
	split.Offset = 0.32
	w.Win.SetContent(inScreenOrder(toolbar, status, nil, nil, split))
	w.Win.Resize(fyne.NewSize(1100, 700))
	w.showNote(nil)
}

// tracePainted says, under VOICENOTES_TRACE, that what the UI thread just
// changed is on the screen (make bench times a keystroke to it). Each
// frame tick of Fyne's loop handles input, ticks animations, then paints:
// the change is painted at the end of the next tick after this call, and
// said at the tick after that, which comes at most a frame later.
func (w *Window) tracePainted(format string, a ...any) {
	if w.svc.Trace == nil {
		return
	}
	if w.painted == nil {
		w.painted = fyne.NewAnimation(time.Hour, func(float32) {
			for _, e := range w.paintedNow {
				w.trace("%s", e)
			}
			w.paintedNow, w.paintedNext = w.paintedNext, w.paintedNow[:0]
		})
		w.painted.RepeatCount = fyne.AnimationRepeatForever
		w.painted.Start()
	}
	w.paintedNext = append(w.paintedNext, fmt.Sprintf(format, a...))
}

func (w *Window) trace(format string, a ...any) {
	if w.svc.Trace != nil {
		w.svc.Trace(fmt.Sprintf(format, a...))
	}
}

// statusHold is how long a message that matters stays in the status bar
// before routine status (a save, a count) may replace it.
const statusHold = 6 * time.Second

// setStatus shows routine status: it waits while a message that matters
// is held (and is shown then, if nothing newer came).
func (w *Window) setStatus(s string) {
	if w.now().Before(w.statusHeld) {
		w.statusNext = s
		return
	}
	w.Status.SetText(s)
}

// tell shows a message that matters (a refusal, a conflict resolved, a
// marker, a warning): routine status does not replace it for statusHold.
func (w *Window) tell(s string) {
	w.Status.SetText(s)
	w.statusHeld, w.statusNext = w.now().Add(statusHold), ""
	held := w.statusHeld
	time.AfterFunc(statusHold, func() {
		w.do(func() {
			if w.statusHeld.Equal(held) {
				w.releaseStatus()
			}
		})
	})
}

// releaseStatus ends the hold, showing the routine status that waited.
func (w *Window) releaseStatus() {
	w.statusHeld = time.Time{}
	if w.statusNext != "" {
		w.Status.SetText(w.statusNext)
		w.statusNext = ""
	}
}

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
		label, ok := strings.CutPrefix(cmd, "mark")
		if !ok || label != "" && label[0] != ' ' {
			return "unknown command " + cmd
		}
		w.do(func() { reply <- w.MarkRecording(strings.TrimSpace(label)) })
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
	w.standby.Close()
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
	w.tell(fmt.Sprintf("%d recording(s) recovered after a crash", len(notes)))
}
