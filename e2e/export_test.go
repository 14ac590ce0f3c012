//go:build e2e

package e2e

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

// importClips imports audio files into vault as a person would
// (`voicenotes import`, transcribed offline) and returns their notes in
// the order of the files.
func importClips(t *testing.T, d *desktop, vault string, clips ...string) []*persistence.Note {
	t.Helper()
	var out []*persistence.Note
	for _, c := range clips {
		if _, err := os.Stat(c); err != nil {
			t.Skipf("%s is missing (make setup installs pocketsphinx-testdata)", c)
		}
		before := map[string]bool{}
		for _, n := range notes(t, vault) {
			before[n.ID] = true
		}
		cmd := exec.Command(binary, "import", c, "--vault", vault)
		cmd.Env = d.env()
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("import %s: %v\n%s", c, err, b)
		}
		for _, n := range notes(t, vault) {
			if !before[n.ID] {
				out = append(out, n)
			}
		}
	}
	if len(out) != len(clips) {
		t.Fatalf("%d notes from %d clips", len(out), len(clips))
	}
	return out
}

// show finds a note as a person does: Ctrl+F, its title typed into the
// search, the first row of what the window painted clicked.
func (d *desktop) show(t *testing.T, a *app, n *persistence.Note) {
	t.Helper()
	from := a.lineCount()
	d.key("ctrl+f", "ctrl+a")
	if err := d.xdotool("type", "--delay", "20", n.Title); err != nil {
		t.Fatal(err)
	}
	a.awaitLine(t, "the search painted", from, 10*time.Second, regexp.MustCompile(`^voicenotes: search painted "`+regexp.QuoteMeta(n.Title)+`" [1-9]`))
	d.click(175, 140) // the first row
	a.awaitLine(t, "the note shown", from, 10*time.Second, regexp.MustCompile(`^voicenotes: shown `+regexp.QuoteMeta(n.ID)+`$`))
}

// box is a rectangle of the window as the window traced it.
type box struct{ x, y, w, h int }

func (b box) centre() (int, int) { return b.x + b.w/2, b.y + b.h/2 }

var boxLine = `at (-?\d+),(-?\d+) size (\d+)x(\d+)$`

func boxOf(m []string) box {
	n := func(k int) int { v, _ := strconv.Atoi(m[len(m)-4+k]); return v }
	return box{n(0), n(1), n(2), n(3)}
}

// TestExportSubtitlesChosenByName: Ctrl+E offers the formats by name,
// subtitles only for a note with word timings; the person clicks
// "Subtitles (SRT)", then "Choose where…", and takes the name the save
// dialog offers in the folder it offers (their Documents): the SRT there
// holds the note's words at their times.
func TestExportSubtitlesChosenByName(t *testing.T) {
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	spoken := importClips(t, d, vault, clip)[0]
	typed := writeNote(t, vault, "Typed only", "words that were never said")
	docs := filepath.Join(d.home, "Documents")
	if err := os.Mkdir(docs, 0o700); err != nil {
		t.Fatal(err)
	}
	a := d.launch(vault)
	offers := regexp.MustCompile(`^voicenotes: export offers \[(.*)\]$`)

	// Without timings: no subtitles, and Cancel closes.
	d.show(t, a, typed)
	from := a.lineCount()
	d.key("ctrl+e")
	m := a.awaitLine(t, "the formats offered", from, 10*time.Second, offers)
	if strings.Contains(m[1], "Subtitles") || !strings.Contains(m[1], `"Markdown"`) || !strings.Contains(m[1], `"Plain text"`) {
		t.Errorf("a note without word timings is offered %s", m[1])
	}
	cancel := boxOf(a.awaitLine(t, "Cancel", from, 10*time.Second, regexp.MustCompile(`^voicenotes: export button "Cancel" `+boxLine)))
	d.click(cancel.centre())

	// With timings: SRT chosen by its name.
	d.show(t, a, spoken)
	from = a.lineCount()
	d.key("ctrl+e")
	m = a.awaitLine(t, "the formats offered", from, 10*time.Second, offers)
	if !strings.Contains(m[1], `"Subtitles (SRT)"`) || !strings.Contains(m[1], `"Subtitles (WebVTT)"`) {
		t.Fatalf("a note with word timings is offered %s", m[1])
	}
	srt := boxOf(a.awaitLine(t, "the SRT choice", from, 10*time.Second, regexp.MustCompile(`^voicenotes: export choice "Subtitles \(SRT\)" `+boxLine)))
	choose := boxOf(a.awaitLine(t, "Choose where", from, 10*time.Second, regexp.MustCompile(`^voicenotes: export button "Choose where…" `+boxLine)))
	d.click(srt.x+12, srt.y+srt.h/2) // its round button
	a.awaitLine(t, "SRT chosen", from, 10*time.Second, regexp.MustCompile(`^voicenotes: export chose "Subtitles \(SRT\)"$`))
	d.click(choose.centre())
	a.awaitLine(t, "the save dialog", from, 10*time.Second, regexp.MustCompile(`^voicenotes: export asks where, as srt$`))
	d.key("Return") // the offered name, in the offered folder
	done := a.awaitLine(t, "the export", from, 20*time.Second, regexp.MustCompile(`^voicenotes: status "Exported to (.*)"$`))
	path := done[1]
	if filepath.Dir(path) != docs || filepath.Ext(path) != ".srt" {
		t.Errorf("exported to %s; want an .srt in %s, the folder the dialog should offer first", path, docs)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// The file's words and times are the note's.
	f, err := os.Open(filepath.Join(vault, persistence.RecordingsDir, spoken.ID+".vtt"))
	if err != nil {
		t.Fatalf("the imported clip has no word timings: %v", err)
	}
	cues, err := timeline.ParseVTT(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	timed := timeline.Align(timeline.Words(cues), spoken.Body)
	cue := regexp.MustCompile(`(?m)^(\d+)\n(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)\n((?:.+\n)+)`)
	found := cue.FindAllStringSubmatch(string(data), -1)
	if len(found) == 0 {
		t.Fatalf("%s is not SRT:\n%s", path, data)
	}
	var words []string
	for i, c := range found {
		if c[1] != strconv.Itoa(i+1) {
			t.Errorf("cue %d is numbered %s", i+1, c[1])
		}
		words = append(words, strings.Fields(c[10])...)
	}
	if got, want := strings.Join(words, " "), strings.Join(strings.Fields(spoken.Body), " "); got != want {
		t.Errorf("the subtitles say %q; the note says %q", got, want)
	}
	ms := func(c []string, k int) time.Duration {
		n := func(i int) int { v, _ := strconv.Atoi(c[k+i]); return v }
		return time.Duration(((n(0)*60+n(1))*60+n(2))*1000+n(3)) * time.Millisecond
	}
	if first := ms(found[0], 2); len(timed) > 0 && (first-timed[0].Start).Abs() > time.Millisecond {
		t.Errorf("the first subtitle starts at %v, its word at %v", first, timed[0].Start)
	}
	if last := ms(found[len(found)-1], 6); len(timed) > 0 && (last-timed[len(timed)-1].End).Abs() > time.Millisecond {
		t.Errorf("the last subtitle ends at %v, its word at %v", last, timed[len(timed)-1].End)
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	a.wait()
}

// TestSwitchingNotesResetsTheWaveform: the play head set on one note's
// waveform is not where the next note's waveform is painted from. What
// the screen shows is counted: pixels of the played colour.
func TestSwitchingNotesResetsTheWaveform(t *testing.T) {
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	ns := importClips(t, d, vault, clip, "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav")
	first, second := ns[0], ns[1]
	if first.Title == second.Title {
		t.Fatalf("both clips are titled %q: the search cannot tell them apart", first.Title)
	}
	a := d.launch(vault)
	waveOf := func(n *persistence.Note, from int) box {
		return boxOf(a.awaitLine(t, "the waveform of "+n.ID, from, 15*time.Second, regexp.MustCompile(`^voicenotes: waveform of `+regexp.QuoteMeta(n.ID)+` `+boxLine)))
	}
	painted := regexp.MustCompile(`^voicenotes: waveform painted at ([0-9.]+)$`)

	from := a.lineCount()
	d.show(t, a, first)
	wave := waveOf(first, from)
	from = a.lineCount()
	d.click(wave.x+wave.w*7/10, wave.y+wave.h/2) // the play head to 70%
	a.awaitLine(t, "the play head painted at 70%", from, 10*time.Second, regexp.MustCompile(`^voicenotes: waveform painted at 0\.(69|70|71)\d$`))
	d.screenshot("waveform-played.png")
	playedColour, before := playedPixels(t, filepath.Join(d.shots, "waveform-played.png"), wave, nil)
	if before < wave.w/4 {
		t.Fatalf("only %d pixels of the played colour with the play head at 70%%", before)
	}

	from = a.lineCount()
	d.show(t, a, second)
	wave = waveOf(second, from)
	// The first painting of the new peaks: they are set, and the line
	// said, on the window's thread before it paints them.
	set := from
	for k, l := range a.linesFrom(from) {
		if strings.HasPrefix(l, "voicenotes: waveform of "+second.ID+" ") {
			set = from + k + 1
		}
	}
	at := a.awaitLine(t, "the second note's waveform painted", set, 10*time.Second, painted)[1]
	if v, _ := strconv.ParseFloat(at, 64); v != 0 {
		t.Errorf("the second note's waveform was painted with its play head at %s", at)
	}
	d.screenshot("waveform-next.png")
	_, after := playedPixels(t, filepath.Join(d.shots, "waveform-next.png"), wave, playedColour)
	if after > before/20 {
		t.Errorf("after switching notes the waveform shows %d pixels of the played colour (%d before, at 70%%)", after, before)
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	a.wait()
}

// playedPixels counts the pixels of the played colour within b of a
// screenshot. With colour nil, the played colour is found: the most
// common colour left of the middle of b that is neither the background
// (the most common of all) nor in the right-hand half at all.
func playedPixels(t *testing.T, shot string, b box, colour color.Color) (color.Color, int) {
	t.Helper()
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	r := image.Rect(b.x, b.y, b.x+b.w, b.y+b.h).Intersect(img.Bounds())
	if colour == nil {
		left, right := map[color.RGBA]int{}, map[color.RGBA]int{}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c := rgba(img.At(x, y))
				if x < r.Min.X+r.Dx()/2 {
					left[c]++
				} else if x > r.Min.X+r.Dx()*3/4 {
					right[c]++
				}
			}
		}
		best := 0
		for c, n := range left {
			if right[c] == 0 && n > best {
				colour, best = c, n
			}
		}
		if colour == nil {
			t.Fatalf("no colour in %s's waveform is only left of the play head", shot)
		}
	}
	want := rgba(colour)
	count := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if rgba(img.At(x, y)) == want {
				count++
			}
		}
	}
	return colour, count
}

func rgba(c color.Color) color.RGBA {
	r, g, b, a := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}
