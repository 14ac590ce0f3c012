package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
)

// noteList is the left pane: the search field, the list of notes grouped
// by day, and what stands over it when it is empty or nothing matches.
type noteList struct {
	search *keyEntry
	list   *widget.List
	// searchCount says how many notes a search found ("12 of 10,000");
	// noMatch says over the list that none did, and what to try.
	searchCount, noMatch *widget.Label
	// empty is shown over the list while the vault has no notes: how to
	// start, where the files are, a button to open the folder.
	empty      *fyne.Container
	emptyWhere *widget.Label
	openFolder *widget.Button
	warm       *canvas.LinearGradient // see warm.go

	notes     []*persistence.Note            // all, newest first
	shown     []*persistence.Note            // after the search filter
	hay       map[*persistence.Note]haystack // lower-cased title, text and tags, for search
	hayGen    int                            // counts the lists read, for haystacks made off the UI thread
	lastQuery string
	filtered  bool           // shown is the result of lastQuery over notes
	terms     []string       // the search's words, lower case ('#' ones are tags)
	headings  map[int]string // the group heading above shown[i], where one starts
	// rowHeight and rowHeadedHeight are a list row's height without and
	// with a group heading.
	rowHeight, rowHeadedHeight float32
	rowsFilled                 int                // list rows filled (what a keystroke costs)
	progress                   map[string]float64 // transcription progress by id
	// reading: the window opened before the vault was listed (see
	// awaitListing); the list says so until the listing comes.
	// diskWhileReading are the changes on disk seen meanwhile (by path;
	// nil: gone), applied over the listing when it comes.
	reading          bool
	diskWhileReading map[string]*persistence.Note
}

// The note list: titles and their details, searching.

// displayTitle is a note's title, or its date when it has none.
func displayTitle(n *persistence.Note) string {
	if t := strings.TrimSpace(n.Title); t != "" {
		return t
	}
	return "Note of " + n.CreatedAt.Local().Format("2 Jan 2006 15:04")
}

// listMeta is a row's last line: when, how long, the transcription's
// state, the tags.
func (w *Window) listMeta(n *persistence.Note) string {
	when := n.When().Local()
	var at string
	switch group(when, w.now()) {
	case "Today", "Yesterday":
		at = when.Format("15:04")
	case "This week":
		at = when.Format("Mon 15:04")
	default:
		at = when.Format("2 Jan 2006")
	}
	parts := []string{at, audio.FormatDuration(n.Duration)}
	switch n.TranscriptionStatus {
	case persistence.StatusUnprocessed:
		parts = append(parts, "queued")
	case persistence.StatusTranscribing:
		parts = append(parts, fmt.Sprintf("transcribing %.0f%%", 100*w.progress[n.ID]))
	case persistence.StatusFailed:
		parts = append(parts, "transcription failed: Transcribe again")
	}
	if n.Recovered {
		parts = append(parts, "recovered")
	}
	if tags := tagText(n); tags != "" {
		parts = append(parts, tags)
	}
	return strings.Join(parts, " · ")
}

// fillRow shows note i of the list in a row.
func (w *Window) fillRow(r *noteRow, i int) {
	w.rowsFilled++
	n := w.shown[i]
	if h, ok := w.headings[i]; ok {
		r.heading.SetText(h)
		r.heading.Show()
	} else {
		r.heading.Hide()
	}
	r.title.Segments = highlighted(clip(displayTitle(n)), w.terms, true)
	r.title.Refresh()
	line := snippet(n.Body, w.terms)
	if line == "" {
		line = "No transcript yet"
	}
	r.snippet.Segments = highlighted(line, w.terms, false)
	r.snippet.Refresh()
	r.meta.SetText(w.listMeta(n))
}

// setHeadings works out where each group starts in the list and gives
// those rows room for their heading.
func (w *Window) setHeadings() {
	old := w.headings
	w.headings = make(map[int]string, len(old))
	now, last := w.now(), ""
	for i, n := range w.shown {
		if g := group(n.When(), now); g != last {
			w.headings[i], last = g, g
		}
	}
	// Fyne refreshes the whole list at each height set, filling every
	// visible row again: with a result of thousands of notes over years,
	// dozens of headings move and a keystroke took half a second. The
	// heights change while the list is empty, then the caller refreshes it
	// once.
	shown := w.shown
	w.shown = nil
	for i := range old {
		if _, ok := w.headings[i]; !ok {
			w.list.SetItemHeight(i, w.rowHeight)
		}
	}
	for i := range w.headings {
		if _, ok := old[i]; !ok {
			w.list.SetItemHeight(i, w.rowHeadedHeight)
		}
	}
	w.shown = shown
}

// awaitListing shows the vault's listing, read beside the widgets being
// built. When it takes longer than svc.ListWait more (a vault's first
// launch reads every note; a loaded machine), the window opens without
// it: the list says it is reading, and fills in when it comes, keeping
// what the window did meanwhile (a recording saved, a change on disk).
func (w *Window) awaitListing(listed <-chan listing) {
	var late <-chan time.Time
	if w.svc.ListWait > 0 {
		t := time.NewTimer(w.svc.ListWait)
		defer t.Stop()
		late = t.C
	}
	select {
	case l := <-listed:
		w.showListing(l)
		w.tracePainted("vault listed %d", len(w.notes))
		return
	case <-late:
	}
	w.reading, w.diskWhileReading = true, map[string]*persistence.Note{}
	w.applyFilter()
	w.setStatus("Reading the notes in " + w.svc.Vault.Root() + "…")
	v := w.svc.Vault
	go func() {
		l := <-listed
		w.do(func() {
			if !w.reading || w.svc.Vault != v {
				w.trace("late listing dropped") // read again since (Reload), or another vault's
				return
			}
			// What changed on disk meanwhile is newer than what the
			// listing read: it goes over it, as any change does.
			disk := w.diskWhileReading
			w.showListing(w.withWindowsNotes(l))
			w.mergeNotes(disk)
			w.tracePainted("vault listed %d", len(w.notes))
		})
	}()
}

// withWindowsNotes is a listing that came late with the notes the window
// has in memory meanwhile (a recording saved while the vault was read):
// they are kept as they are, the selection and its edits with them.
func (w *Window) withWindowsNotes(l listing) listing {
	if l.err != nil || len(w.notes) == 0 {
		return l
	}
	notes := slices.Clone(l.notes)
	at := make(map[string]int, len(notes))
	for i, n := range notes {
		at[n.Path] = i
	}
	for _, n := range w.notes {
		if i, ok := at[n.Path]; ok {
			notes[i] = n
		} else {
			notes = append(notes, n)
		}
	}
	persistence.SortNotes(notes)
	l.notes = notes
	return l
}

// Reload reads the vault again, keeping the selection.
func (w *Window) Reload() {
	var l listing
	l.notes, l.bad, l.err = w.svc.Vault.List()
	w.showListing(l)
}

// listing is what Vault.List returned.
type listing struct {
	notes []*persistence.Note
	bad   []persistence.BadFile
	err   error
}

// listVault lists the vault as the window launches, leaving a core to
// its start (a variable: a test makes the listing late).
var listVault = func(v *persistence.Vault) listing {
	var l listing
	l.notes, l.bad, l.err = v.ListBeside()
	return l
}

// showListing makes a listing of the vault the window's.
func (w *Window) showListing(l listing) {
	notes, bad, err := l.notes, l.bad, l.err
	wasReading := w.reading
	w.reading, w.diskWhileReading = false, nil
	if err != nil {
		if wasReading { // the list no longer says it is reading
			w.applyFilter()
		}
		w.showError(err)
		return
	}
	w.notes = notes
	w.setVersions(bad)
	w.filtered = false
	w.hay = make(map[*persistence.Note]haystack, len(notes))
	w.warmHaystacks(notes)
	w.applyFilter()
	msg := notesIn(len(notes), w.svc.Vault.Root())
	unread, versions := 0, 0
	for _, b := range bad {
		if b.CopyOf != "" {
			versions++
		} else {
			unread++
		}
	}
	if versions > 0 {
		msg += fmt.Sprintf(" · %d other versions left by sync tools (the notes say so)", versions)
	}
	if unread > 0 {
		msg += fmt.Sprintf(" · %d files could not be read (voicenotes doctor lists them)", unread)
	}
	w.setStatus(msg)
}

// applyFilter shows the notes whose title or text holds every word typed.
func (w *Window) applyFilter() {
	query := strings.ToLower(w.search.Text)
	terms := strings.Fields(query)
	w.terms = terms
	// Typing more narrows the last result: search only what it showed.
	from := w.notes
	if w.lastQuery != "" && strings.HasPrefix(query, w.lastQuery) && w.filtered {
		from = w.shown
	}
	shown := make([]*persistence.Note, 0, len(from))
	for _, n := range from {
		if len(terms) == 0 || matches(n, w.haystack(n), terms) {
			shown = append(shown, n)
		}
	}
	changed := query != w.lastQuery
	w.shown, w.lastQuery, w.filtered = shown, query, true
	w.setHeadings()
	w.showEmpty()
	w.showCount()
	w.list.UnselectAll()
	w.list.Refresh()
	// A new query shows its first matches; the open note stays marked
	// when it is among those in view (marking one further down would
	// scroll the list to it).
	if changed {
		w.list.ScrollToTop()
	}
	if w.selected != nil {
		i := slices.IndexFunc(w.shown, func(n *persistence.Note) bool { return n.ID == w.selected.ID })
		if i >= 0 && (!changed || float32(i+1)*w.rowHeight <= w.list.Size().Height) {
			w.list.Select(i)
		}
	}
}

// showCount says how many notes a search found, and that none did.
func (w *Window) showCount() {
	if w.searchCount == nil {
		return
	}
	switch {
	case w.reading:
		w.searchCount.SetText("")
		w.noMatch.SetText("Reading the notes…")
		w.noMatch.Show()
	case len(w.terms) == 0:
		w.searchCount.SetText("")
		w.noMatch.Hide()
	case len(w.notes) == 0:
		// The first-run state says the vault is empty; a search's
		// "no note holds" over it would say it twice, one over the other.
		w.searchCount.SetText("0 of 0")
		w.noMatch.Hide()
	case len(w.shown) == 0:
		w.searchCount.SetText(fmt.Sprintf("0 of %s", thousands(len(w.notes))))
		w.noMatch.SetText(fmt.Sprintf("No note holds %s.\n\nSearch looks in titles, transcripts and tags (#tag); check the spelling, or type fewer words.", quoteTerms(w.terms)))
		w.noMatch.Show()
	default:
		w.searchCount.SetText(fmt.Sprintf("%s of %s", thousands(len(w.shown)), thousands(len(w.notes))))
		w.noMatch.Hide()
	}
}

// quoteTerms names the words searched for: “guitar” and “lesson”.
func quoteTerms(terms []string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = "“" + t + "”"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// notesIn says how many notes a vault holds: "1 note in …", "10,000
// notes in …".
func notesIn(n int, root string) string {
	if n == 1 {
		return "1 note in " + root
	}
	return thousands(n) + " notes in " + root
}

// thousands writes n with a comma between thousands: 10,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// haystack is what search looks in: a note's title, text and tags, each
// apart, as a search in lower case sees them. None is a copy unless it
// must be (see folded).
type haystack struct{ title, body, tags folded }

// contains reports whether the word t (in lower case) is in one of the
// haystack's parts (a word holds no line break, so none spans two).
func (h haystack) contains(t string) bool {
	return h.body.contains(t) || h.title.contains(t) || h.tags.contains(t)
}

// folded is a text as a search in lower case sees it, without copying it
// when it need not be: a text in lower case (PocketSphinx writes it so)
// is itself; one whose capitals are all A-Z (most English transcripts,
// titles, the bench's vault) is itself, compared with those folded
// (ascii); any other (É, İ, invalid UTF-8) is strings.ToLower's copy. On
// 10k notes of English text the copies were 14 MB.
type folded struct {
	s     string
	ascii bool
}

func fold(s string) folded {
	upper := false
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			upper = upper || 'A' <= b && b <= 'Z'
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unicode.ToLower(r) != r {
			return folded{s: strings.ToLower(s)}
		}
		i += size
	}
	return folded{s: s, ascii: upper}
}

// contains reports whether strings.ToLower of the text contains t, which
// is in lower case.
func (f folded) contains(t string) bool {
	if !f.ascii {
		return strings.Contains(f.s, t)
	}
	return indexASCIIFold(f.s, t) >= 0
}

// indexASCIIFold is where t (in lower case) first is in s with s's A-Z
// read as a-z, or -1. Every other byte compares as it is, so it agrees with
// strings.ToLower(s) when s's only capitals are A-Z.
func indexASCIIFold(s, t string) int {
	if t == "" {
		return 0
	}
	c := t[0]
	other := c // the first byte's capital, if it has one
	if 'a' <= c && c <= 'z' {
		other = c - 'a' + 'A'
	}
	// The next place of each form of the first byte, found with
	// IndexByte (fast) and looked for again only once passed.
	nextLower, nextUpper := -2, -2
	for from := 0; from+len(t) <= len(s); {
		if nextLower < from && nextLower != -1 {
			if nextLower = strings.IndexByte(s[from:], c); nextLower >= 0 {
				nextLower += from
			}
		}
		if other != c && nextUpper < from && nextUpper != -1 {
			if nextUpper = strings.IndexByte(s[from:], other); nextUpper >= 0 {
				nextUpper += from
			}
		}
		i := nextLower
		if other != c && nextUpper >= 0 && (i < 0 || nextUpper < i) {
			i = nextUpper
		}
		if i < 0 || i+len(t) > len(s) {
			return -1
		}
		if equalASCIIFold(s[i+1:i+len(t)], t[1:]) {
			return i
		}
		from = i + 1
	}
	return -1
}

// equalASCIIFold says whether a, with its A-Z read as a-z, is b.
func equalASCIIFold(a, b string) bool {
	for i := 0; i < len(b); i++ {
		x := a[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if x != b[i] {
			return false
		}
	}
	return true
}

// haystack is what search looks in, lower-cased once per note and edit.
func (w *Window) haystack(n *persistence.Note) haystack {
	h, ok := w.hay[n]
	if !ok {
		h = haystackOf(n.Title, n.Body, n.Tags)
		w.hay[n] = h
	}
	return h
}

func haystackOf(title, body string, tags []string) haystack {
	return haystack{fold(title), fold(body), fold(tagText(&persistence.Note{Tags: tags}))}
}

// warmHaystacks lower-cases what search looks in off the UI thread (on 10k
// notes, a tenth of a second the launch's first frame no longer waits
// for, nor the first keystroke). A note edited meanwhile keeps the one
// its edit makes; the work of a list read again since is dropped.
func (w *Window) warmHaystacks(notes []*persistence.Note) {
	type text struct {
		n           *persistence.Note
		title, body string
		tags        []string
	}
	texts := make([]text, len(notes))
	for i, n := range notes {
		texts[i] = text{n, n.Title, n.Body, slices.Clone(n.Tags)}
	}
	w.hayGen++
	gen := w.hayGen
	go func() {
		made := make([]haystack, len(texts))
		for i, t := range texts {
			made[i] = haystackOf(t.title, t.body, t.tags)
		}
		w.do(func() {
			if w.hayGen != gen {
				return // the list was read again: its notes are others
			}
			for i, t := range texts {
				if _, ok := w.hay[t.n]; !ok && t.n.Title == t.title && t.n.Body == t.body && slices.Equal(t.n.Tags, t.tags) {
					w.hay[t.n] = made[i]
				}
			}
		})
	}()
}

// matches reports whether a note holds every term: a word in its title,
// transcript or tags, or, for "#ta", a tag that begins so (as the person
// types "#tag" the list narrows letter by letter).
func matches(n *persistence.Note, hay haystack, terms []string) bool {
	for _, t := range terms {
		if len(t) > 1 && t[0] == '#' {
			if !n.HasTagPrefix(t) {
				return false
			}
			continue
		}
		if !hay.contains(t) {
			return false
		}
	}
	return true
}

// buildEmpty makes the first-run state shown over the empty list.
func (w *Window) buildEmpty() fyne.CanvasObject {
	start := widget.NewLabel("No notes yet.\n\nPress Ctrl+R or click Record to make your first note. Voice Notes transcribes it on this computer.")
	start.Wrapping = fyne.TextWrapWord
	start.Alignment = fyne.TextAlignCenter
	w.emptyWhere = widget.NewLabel("")
	w.emptyWhere.Wrapping = fyne.TextWrapWord
	w.emptyWhere.Alignment = fyne.TextAlignCenter
	w.openFolder = widget.NewButtonWithIcon("Open the folder", theme.FolderOpenIcon(), w.OpenVaultFolder)
	w.empty = container.NewVBox(layout.NewSpacer(), start, w.emptyWhere, container.NewCenter(w.openFolder), layout.NewSpacer())
	w.empty.Hide()
	w.noMatch = widget.NewLabel("")
	w.noMatch.Wrapping = fyne.TextWrapWord
	w.noMatch.Alignment = fyne.TextAlignCenter
	w.noMatch.Hide()
	return container.NewStack(w.empty, container.NewVBox(w.noMatch))
}

// showEmpty shows the first-run state when the vault has no notes and
// nothing is being recorded.
func (w *Window) showEmpty() {
	if w.empty == nil {
		return
	}
	if len(w.notes) > 0 || w.rec != nil || w.reading {
		w.empty.Hide()
		return
	}
	w.emptyWhere.SetText("Each note is a Markdown file beside its audio, in\n" + w.svc.Vault.RecordingsPath())
	w.empty.Show()
}

// OpenVaultFolder opens the vault's recordings folder in the file manager.
func (w *Window) OpenVaultFolder() {
	dir := w.svc.Vault.RecordingsPath()
	if err := w.app.OpenURL(&url.URL{Scheme: "file", Path: dir}); err != nil {
		w.showError(fmt.Errorf("could not open the file manager: %w; the notes are in %s", err, dir))
	}
}

// buildList makes the left pane: search, the recording's row (built
// by buildLive), the list, and what stands over it.
func (w *Window) buildList() fyne.CanvasObject {
	w.search = newKeyEntry(false, w.windowShortcut)
	w.search.SetPlaceHolder("Search titles, transcripts and #tags (Ctrl+F)")
	w.search.OnChanged = func(q string) {
		w.timed(w.applyFilter)
		w.tracePainted("search painted %q %d", q, len(w.shown))
	}
	w.list = widget.NewList(
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
	w.list.OnSelected = func(i widget.ListItemID) {
		if i < len(w.shown) {
			w.selectNote(w.shown[i])
		}
	}
	w.warm = newWarmShadow()
	w.searchCount = widget.NewLabel("")
	w.searchCount.Importance = widget.LowImportance
	return inScreenOrder(container.NewVBox(inScreenOrder(nil, nil, nil, w.searchCount, w.search), w.recordingBox), nil, nil, nil, container.NewStack(container.NewWithoutLayout(w.warm), w.list, w.buildEmpty()))
}
