package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
)

// The note list: titles and their details, searching.

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
