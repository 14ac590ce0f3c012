package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

// The listing is written as it is made; these check it against the
// writers that held it whole (text/tabwriter, json.Encoder), on notes
// whose cells vary in width, script and emptiness.
func streamedNotes(r *rand.Rand, count int) []*persistence.Note {
	words := []string{"", "a", "Ünïcödé", "日本語のメモ", "x y", "looooooooooooong", "\t", "🎸", "\x1b[31m"}
	statuses := []persistence.Status{persistence.StatusDone, persistence.StatusFailed, persistence.StatusUnprocessed, ""}
	var notes []*persistence.Note
	for i := range count {
		n := &persistence.Note{ID: fmt.Sprintf("%s%d", words[r.IntN(len(words))], i), Title: words[r.IntN(len(words))] + " " + words[r.IntN(len(words))],
			Duration: time.Duration(r.Int64N(int64(30 * time.Hour))), TranscriptionStatus: statuses[r.IntN(len(statuses))],
			Path: fmt.Sprintf("/v/recordings/%d.md", i)}
		if r.IntN(3) > 0 {
			n.CreatedAt = time.Unix(r.Int64N(4e9), 0)
			n.UpdatedAt = n.CreatedAt.Add(time.Hour)
		}
		if r.IntN(2) == 0 {
			n.Tags = []string{words[r.IntN(len(words))], "tag"}
		}
		n.Recovered = r.IntN(5) == 0
		notes = append(notes, n)
	}
	return notes
}

func TestListTableAsTabwriter(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, count := range []int{0, 1, 2, 50} {
		notes := streamedNotes(r, count)
		var want bytes.Buffer
		tw := tabwriter.NewWriter(&want, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCREATED\tDURATION\tSTATUS\tTITLE")
		for _, n := range notes {
			created := ""
			if !n.CreatedAt.IsZero() {
				created = n.CreatedAt.Local().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", printable(n.ID, false), created, audio.FormatDuration(n.Duration), n.TranscriptionStatus, printable(oneLine(n.Title), false))
		}
		tw.Flush()
		var got bytes.Buffer
		w := bufio.NewWriter(&got)
		listTable(w, slices.Values(notes))
		w.Flush()
		if bytes.ContainsAny(got.Bytes(), "\x1b\t") {
			t.Errorf("%d notes: an escape or a tab of a note's id or title reached the table:\n%q", count, got.String())
		}
		if got.String() != want.String() {
			t.Errorf("%d notes: table\n%s\nwant (tabwriter)\n%s", count, got.String(), want.String())
		}
	}
}

func TestListJSONAsEncoder(t *testing.T) {
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	r := rand.New(rand.NewPCG(3, 4))
	for _, count := range []int{0, 1, 7} {
		notes := streamedNotes(r, count)
		var bad []persistence.BadFile
		for i := range count % 3 {
			bad = append(bad, persistence.BadFile{Path: fmt.Sprintf("/v/recordings/b%d.md", i), Reason: "a \"reason\" <&>", CopyOf: []string{"", "x"}[i%2]})
		}
		out := struct {
			Notes []noteJSON `json:"notes"`
			Bad   []badJSON  `json:"bad"`
		}{Notes: []noteJSON{}, Bad: []badJSON{}}
		for _, n := range notes {
			audio, _ := v.AudioPath(n)
			out.Notes = append(out.Notes, noteJSON{n.ID, n.Title, fmtTime(n.CreatedAt), fmtTime(n.UpdatedAt),
				n.Duration.Seconds(), string(n.TranscriptionStatus), n.Path, audio, n.Tags, n.Recovered})
		}
		for _, b := range bad {
			out.Bad = append(out.Bad, badJSON{b.Path, b.Reason, b.CopyOf})
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.Encode(out)
		var got bytes.Buffer
		w := bufio.NewWriter(&got)
		if err := listJSON(w, v, slices.Values(notes), bad); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if got.String() != want.String() {
			t.Errorf("%d notes, %d bad: JSON\n%s\nwant (json.Encoder)\n%s", count, len(bad), got.String(), want.String())
		}
	}
}
