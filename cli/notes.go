package cli

import (
	"bufio"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
)

// noteJSON is the stable JSON shape of "list --json".
type noteJSON struct {
	ID                  string   `json:"id"`
	Title               string   `json:"title"`
	CreatedAt           string   `json:"createdAt,omitempty"`
	UpdatedAt           string   `json:"updatedAt,omitempty"`
	DurationSeconds     float64  `json:"durationSeconds"`
	TranscriptionStatus string   `json:"transcriptionStatus"`
	Path                string   `json:"path"`
	Audio               string   `json:"audio,omitempty"`
	Tags                []string `json:"tags,omitempty"`
	Recovered           bool     `json:"recovered,omitempty"`
}

type badJSON struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	CopyOf string `json:"copyOf,omitempty"` // the id of the note this file is another version of
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(persistence.TimeFormat)
}

func runList(env *Env, v *persistence.Vault, fs *flag.FlagSet, _ []string) error {
	// A listing of 100k notes holds about 36-47 MB at its peak (the
	// index's header section, the folder's names, the items), and makes
	// three times that in garbage (the folder's entries, each file's
	// stat) before it writes a line: the collector is asked to keep the
	// heap near 56 MiB rather than let it grow to twice what it last
	// found live (RSS 84 MB there; 89 MB at 64 MiB, for 6% less CPU). A
	// soft limit: a larger vault's listing still gets what it needs.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(56 << 20))
	listed, err := v.Headers()
	if err != nil {
		return err
	}
	tags := flagValue[[]string](fs, "tag")
	// Each note is made as it is written: a listing of 100k notes holds
	// the index, not 100k notes.
	notes := func(yield func(*persistence.Note) bool) {
		for i := range listed.Len() {
			n := listed.Note(i)
			if !slices.ContainsFunc(tags, func(tag string) bool { return !n.HasTag(tag) }) && !yield(n) {
				return
			}
		}
	}
	// Written as it is made, through a buffer: a table or a document of
	// 100k notes held whole before the first byte was a third of the
	// memory of a listing; and to a terminal or a pipe each write is a
	// system call.
	out := bufio.NewWriterSize(env.Stdout, 64<<10)
	if flagValue[bool](fs, "json") {
		err = listJSON(out, v, notes, listed.Bad)
	} else {
		listTable(out, notes)
	}
	if err := cmp.Or(err, out.Flush()); err != nil {
		return err
	}
	if !flagValue[bool](fs, "json") {
		reportBad(env.Stderr, listed.Bad)
	}
	return nil
}

// listJSON writes "list --json" one note at a time, as json.Encoder with
// a two-space indent writes the whole document.
func listJSON(w *bufio.Writer, v *persistence.Vault, notes iter.Seq[*persistence.Note], bad []persistence.BadFile) error {
	var err error
	items := func(name string, each iter.Seq[any], last bool) {
		fmt.Fprintf(w, "  %q: [", name)
		first := true
		for item := range each {
			data, merr := json.MarshalIndent(item, "    ", "  ")
			if merr != nil {
				err = cmp.Or(err, merr)
				return
			}
			if !first {
				w.WriteByte(',')
			}
			w.WriteString("\n    ")
			w.Write(data)
			first = false
		}
		if !first {
			w.WriteString("\n  ")
		}
		w.WriteString("]")
		if !last {
			w.WriteByte(',')
		}
		w.WriteByte('\n')
	}
	w.WriteString("{\n")
	items("notes", func(yield func(any) bool) {
		for n := range notes {
			audio, _ := v.AudioPath(n)
			if !yield(noteJSON{n.ID, n.Title, fmtTime(n.CreatedAt), fmtTime(n.UpdatedAt),
				n.Duration.Seconds(), string(n.TranscriptionStatus), n.Path, audio, n.Tags, n.Recovered}) {
				return
			}
		}
	}, false)
	items("bad", func(yield func(any) bool) {
		for _, b := range bad {
			if !yield(badJSON{b.Path, b.Reason, b.CopyOf}) {
				return
			}
		}
	}, true)
	w.WriteString("}\n")
	return err
}

// listTable writes the notes as a table: each column as wide as its
// widest cell and two spaces (as text/tabwriter sets it, which holds every
// row until the last), the title last and not padded. The notes are gone
// through twice: for the widths, then to write.
func listTable(w *bufio.Writer, notes iter.Seq[*persistence.Note]) {
	head := []string{"ID", "CREATED", "DURATION", "STATUS"}
	cells := func(n *persistence.Note) [4]string {
		created := ""
		if !n.CreatedAt.IsZero() {
			created = n.CreatedAt.Local().Format("2006-01-02 15:04")
		}
		// The id too is another program's text: a tab in it split the
		// columns, an escape sequence reached the terminal.
		return [4]string{printable(n.ID, false), created, audio.FormatDuration(n.Duration), string(n.TranscriptionStatus)}
	}
	var width [4]int
	for i, h := range head {
		width[i] = utf8.RuneCountInString(h)
	}
	for n := range notes {
		for i, c := range cells(n) {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	row := func(c [4]string, title string) {
		for i := range c {
			w.WriteString(c[i])
			for range width[i] - utf8.RuneCountInString(c[i]) + 2 {
				w.WriteByte(' ')
			}
		}
		w.WriteString(title)
		w.WriteByte('\n')
	}
	row([4]string(head), "TITLE")
	for n := range notes {
		row(cells(n), printable(oneLine(n.Title), false))
	}
}

func reportBad(w io.Writer, bad []persistence.BadFile) {
	for _, b := range bad {
		fmt.Fprintf(w, "voicenotes: skipped %s: %s\n", printable(b.Path, false), printable(b.Reason, false))
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func runShow(env *Env, v *persistence.Vault, _ *flag.FlagSet, args []string) error {
	n, err := v.Note(args[0])
	if err != nil {
		return err
	}
	data, err := persistence.ReadFile(v.FS(), n.Path)
	if err != nil {
		return err
	}
	if isTerminal(env.Stdout) { // piped, the file as it is
		data = []byte(printable(string(data), true))
	}
	_, err = env.Stdout.Write(data)
	return err
}

func runEdit(env *Env, v *persistence.Vault, fs *flag.FlagSet, args []string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["title"] && !set["text-file"] && !set["tag"] && !set["untag"] {
		return usagef("edit: nothing to change: give --title T, --text-file F, --tag T or --untag T")
	}
	add, remove := flagValue[[]string](fs, "tag"), flagValue[[]string](fs, "untag")
	for _, t := range add {
		if _, err := persistence.NormalizeTag(t); err != nil {
			return usagef("edit: %v", err)
		}
	}
	if _, err := v.Note(args[0]); err != nil {
		return err
	}
	var text []byte
	if set["text-file"] {
		var err error
		if name := flagValue[string](fs, "text-file"); name == "-" {
			text, err = io.ReadAll(env.Stdin)
		} else {
			text, err = os.ReadFile(name)
		}
		if err != nil {
			return fmt.Errorf("reading the new text: %w", err)
		}
	}
	// Read, change and write under the vault's write lock: another
	// program's change to the same note (its title, its transcript) lands
	// before or after this one, never lost between.
	n, err := v.Update(args[0], func(n *persistence.Note) error {
		if set["title"] {
			n.Title = flagValue[string](fs, "title")
			n.AutoTitle = false // typed by the person: never replaced
		}
		if set["text-file"] {
			n.Body = string(text)
		}
		for _, t := range remove {
			n.RemoveTag(t)
		}
		for _, t := range add {
			if _, _, err := n.AddTag(t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "saved %s\n", n.Path)
	return nil
}

func runDelete(env *Env, v *persistence.Vault, _ *flag.FlagSet, args []string) error {
	t, err := v.Trash(args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "moved %s to %s\n", strings.Join(t.Files, " and "), t.Dir)
	return nil
}

func runDoctor(env *Env, v *persistence.Vault, _ *flag.FlagSet, _ []string) error {
	h, err := v.Check()
	if err != nil {
		return err
	}
	w := env.Stdout
	fmt.Fprintf(w, "vault:          %s\n", printable(h.Root, false))
	fmt.Fprintf(w, "notes:          %d\n", h.Notes)
	var unreadable, versions []persistence.BadFile
	for _, b := range h.Bad {
		if b.CopyOf != "" {
			versions = append(versions, b)
		} else {
			unreadable = append(unreadable, b)
		}
	}
	fmt.Fprintf(w, "unreadable:     %d\n", len(unreadable))
	for _, b := range unreadable {
		fmt.Fprintf(w, "  %s: %s\n", printable(b.Path, false), printable(b.Reason, false))
	}
	fmt.Fprintf(w, "other versions: %d\n", len(versions))
	for _, b := range versions {
		fmt.Fprintf(w, "  %s: of note %s (the window offers keep mine, take theirs, keep both on that note)\n", printable(b.Path, false), printable(b.CopyOf, false))
	}
	list := func(label string, items []string, what string) {
		fmt.Fprintf(w, "%-15s %d\n", label+":", len(items))
		sort.Strings(items)
		for _, it := range items {
			fmt.Fprintf(w, "  %s%s\n", printable(it, false), what)
		}
	}
	list("temp files", h.Temps, " (left by an interrupted save; removed at open once an hour old)")
	list("partial audio", h.Partials, " (a recording in progress, or one to recover)")
	list("orphan audio", h.OrphanAudio, " (no note refers to it)")
	list("missing audio", h.MissingAudio, " (note without its audio file)")
	list("access", h.Access, "")
	if v.Maintenance.Ran {
		fmt.Fprintf(w, "cleanup:        removed %d stale temp files\n", len(v.Maintenance.Removed))
	} else if v.Maintenance.ReadOnly {
		fmt.Fprintf(w, "cleanup:        skipped, the vault is on a read-only file system (it is read, not changed)\n")
	} else {
		fmt.Fprintf(w, "cleanup:        skipped, the vault is in use\n")
	}
	fmt.Fprintf(w, "lock:           %s\n", printable(h.Lock, false))
	if len(unreadable) > 0 {
		return fmt.Errorf("%d files in %s are not readable notes (listed above); they were left untouched", len(unreadable), v.RecordingsPath())
	}
	return nil
}
