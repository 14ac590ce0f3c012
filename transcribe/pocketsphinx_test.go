//go:build pocketsphinx

package transcribe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/wer"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

const librivox = "/usr/share/pocketsphinx/test/data/librivox"

// clip is one LibriVox recording with its reference transcript.
type clip struct{ path, ref string }

func librivoxClips(t testing.TB) []clip {
	t.Helper()
	f, err := os.Open(filepath.Join(librivox, "transcription"))
	if err != nil {
		t.Skipf("the LibriVox test clips are missing (%v); make setup installs pocketsphinx-testdata", err)
	}
	defer f.Close()
	line := regexp.MustCompile(`^<s> (.*) </s> \((.*)\)$`)
	var clips []clip
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := line.FindStringSubmatch(strings.TrimSpace(sc.Text())); m != nil {
			clips = append(clips, clip{filepath.Join(librivox, m[2]+".wav"), m[1]})
		}
	}
	if len(clips) != 5 {
		t.Fatalf("found %d clips in the transcription file, want 5", len(clips))
	}
	return clips
}

func newPocketSphinx(t testing.TB) Engine {
	t.Helper()
	e, err := New(PocketSphinxName, Config{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// upstream runs pocketsphinx_continuous on a file, as a user would.
func upstream(t testing.TB, path string) string {
	t.Helper()
	out, err := exec.Command("pocketsphinx_continuous", "-infile", path, "-logfn", "/dev/null").Output()
	if err != nil {
		t.Fatalf("pocketsphinx_continuous %s: %v", path, err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestAccuracyMatchesUpstream: the in-process engine is no worse than the
// pocketsphinx_continuous command on the same files, within one point.
func TestAccuracyMatchesUpstream(t *testing.T) {
	if _, err := exec.LookPath("pocketsphinx_continuous"); err != nil {
		t.Skip("pocketsphinx_continuous is not installed (make setup installs the pocketsphinx package)")
	}
	e := newPocketSphinx(t)
	var refs, ours, theirs []string
	for _, c := range librivoxClips(t) {
		var last float64
		res, err := e.Transcribe(context.Background(), c.path, Options{}, func(f float64) {
			if f < last {
				t.Errorf("progress went back from %v to %v", last, f)
			}
			last = f
		})
		if err != nil {
			t.Fatal(err)
		}
		if last != 1 {
			t.Errorf("progress ended at %v", last)
		}
		refs, ours, theirs = append(refs, c.ref), append(ours, res.Text), append(theirs, upstream(t, c.path))
		t.Logf("%s\n  ref:  %s\n  ours: %s\n  cmd:  %s", filepath.Base(c.path), c.ref, res.Text, theirs[len(theirs)-1])
	}
	werOurs, werTheirs := wer.Corpus(refs, ours), wer.Corpus(refs, theirs)
	t.Logf("WER in process %.1f%%, pocketsphinx_continuous %.1f%%", 100*werOurs, 100*werTheirs)
	if werOurs > werTheirs+0.01 {
		t.Errorf("in-process WER %.1f%% is worse than the command's %.1f%% by more than a point", 100*werOurs, 100*werTheirs)
	}
	// Deterministic: 35.2 % on these clips with Debian 12's en-us model,
	// as pocketsphinx_continuous gets; a bound above that would hide a
	// regression in how audio reaches the decoder.
	if werOurs > 0.353 {
		t.Errorf("WER %.1f%%, worse than the 35.2%% this engine gets on these clips", 100*werOurs)
	}
}

func TestTranscribeCancel(t *testing.T) {
	e := newPocketSphinx(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Transcribe(ctx, librivoxClips(t)[0].path, Options{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled transcription returned %v", err)
	}
	if _, err := e.Transcribe(context.Background(), librivoxClips(t)[0].path, Options{Language: "fr"}, nil); err == nil || !strings.Contains(err.Error(), "English") {
		t.Errorf("French: %v", err)
	}
	if _, err := e.Transcribe(context.Background(), "/etc/passwd", Options{}, nil); err == nil || !strings.Contains(err.Error(), "WAV") {
		t.Errorf("not a WAV: %v", err)
	}
}

// TestStreamGivesPartialsAndFinal feeds a clip as a recorder would, 100 ms
// at a time: partial text appears before the end and the final text equals
// the file transcription.
func TestStreamGivesPartialsAndFinal(t *testing.T) {
	e := newPocketSphinx(t).(Streamer)
	c := librivoxClips(t)[0]
	s, err := e.Stream(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var samples []int16
	decodeFile(context.Background(), c.path, func(b []int16) error { samples = append(samples, b...); return nil }, nil)
	partials := 0
	for i := 0; i < len(samples); i += 1600 {
		if err := s.Write(samples[i:min(i+1600, len(samples))]); err != nil {
			t.Fatal(err)
		}
		if i < len(samples)/2 && s.Text() != "" {
			partials++
		}
	}
	res, err := s.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if partials == 0 {
		t.Error("no partial text during the first half of the clip")
	}
	file, err := e.(Engine).Transcribe(context.Background(), c.path, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != file.Text {
		t.Errorf("streamed transcript differs from the file's:\nstream: %q\nfile:   %q", res.Text, file.Text)
	}
}

// TestTranscribesEveryFormat: audio Whispering saves as Opus (and WebM
// under a .wav name) is transcribed like the WAV it came from; a note
// kept that way is no longer marked FAILED.
func TestTranscribesEveryFormat(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
	e := newPocketSphinx(t)
	c := librivoxClips(t)[0]
	base, err := e.Transcribe(context.Background(), c.path, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := tempdir.New(t)
	opus := filepath.Join(dir, "clip.opus")
	webmAsWAV := filepath.Join(dir, "chromium.wav")
	for _, conv := range [][]string{{"-c:a", "libopus", "-b:a", "32k", opus}, {"-c:a", "libopus", "-b:a", "32k", "-f", "webm", webmAsWAV}} {
		cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error", "-y", "-i", c.path}, conv...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v\n%s", err, out)
		}
	}
	for _, path := range []string{opus, webmAsWAV} {
		res, err := e.Transcribe(context.Background(), path, Options{}, nil)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(path), err)
			continue
		}
		// Opus at 32 kb/s changes the signal a little: measured 0.41
		// against 0.32 from the WAV (two words of 22); one word more is
		// allowed.
		w, wBase := wer.WER(c.ref, res.Text), wer.WER(c.ref, base.Text)
		t.Logf("%s: WER %.2f (WAV %.2f): %s", filepath.Base(path), w, wBase, res.Text)
		if w > wBase+0.14 {
			t.Errorf("%s: WER %.2f against %.2f from the WAV", filepath.Base(path), w, wBase)
		}
	}
}

// TestStandbyDecoders: nothing is loaded before the first recording; the
// decoder it loads transcribes a clip exactly as one made on the spot
// does; once closed it is kept for the next recording (its model not
// loaded again), and
// decoders kept from recording to recording, which carry what they learnt
// of the voice and the channel, transcribe the five clips in turn at
// least as well as fresh ones (measured: mean WER 0.29, fresh 0.39).
func TestStandbyDecoders(t *testing.T) {
	e := newPocketSphinx(t).(Streamer)
	clips := librivoxClips(t)
	samplesOf := func(c clip) []int16 {
		var samples []int16
		decodeFile(context.Background(), c.path, func(b []int16) error { samples = append(samples, b...); return nil }, nil)
		return samples
	}
	feed := func(s Stream, samples []int16) string {
		for i := 0; i < len(samples); i += 1600 {
			s.Write(samples[i:min(i+1600, len(samples))])
		}
		res, _ := s.Finish()
		return res.Text
	}
	sb := NewStandby(func() (Engine, Options, error) { return e, Options{}, nil })
	defer sb.Close()
	sb.Refresh() // nothing is held: nothing is loaded
	var freshWER, keptWER float64
	var ps any // the PocketSphinx decoder of the first stream
	for i, c := range clips {
		sb.wait()
		sb.mu.Lock()
		preloaded := sb.ready
		sb.mu.Unlock()
		switch {
		case i == 0 && preloaded != nil:
			t.Fatal("a decoder was loaded before the first recording")
		case i > 0 && preloaded == nil:
			t.Fatalf("clip %d: nothing was kept from the recording before", i)
		case i > 0 && preloaded.(*psStream).d.ps != ps:
			t.Fatalf("clip %d: a new decoder was loaded instead of the one kept", i)
		}
		s, err := sb.Take(e, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			ps = s.(*takenStream).Stream.(*psStream).d.ps // loaded by Take
		} else if s.(*takenStream).Stream != preloaded {
			t.Fatalf("clip %d: Take made a decoder instead of handing over the ready one", i)
		}
		samples := samplesOf(c)
		kept := feed(s, samples)
		s.Close()
		fs, err := e.Stream(Options{})
		if err != nil {
			t.Fatal(err)
		}
		fresh := feed(fs, samples)
		fs.Close()
		if i == 0 && kept != fresh {
			t.Errorf("the preloaded decoder's transcript differs:\nstandby: %q\nfresh:   %q", kept, fresh)
		}
		freshWER += wer.WER(c.ref, fresh) / float64(len(clips))
		keptWER += wer.WER(c.ref, kept) / float64(len(clips))
	}
	t.Logf("mean WER over the clips: kept decoder %.3f, fresh decoders %.3f", keptWER, freshWER)
	if keptWER > freshWER {
		t.Errorf("the decoder kept from recording to recording did worse (WER %.3f) than fresh ones (%.3f)", keptWER, freshWER)
	}
}

// TestTimingsFromPocketSphinx: the word timings of each LibriVox clip, as
// stored, are strict WebVTT (the header, cues in order that do not
// overlap, within the audio's length, each at most 7 s and two lines of
// 42 characters), hold the transcript's words in order, and put each word
// within 300 ms of where a forced reading of the clip puts it.
func TestTimingsFromPocketSphinx(t *testing.T) {
	e := newPocketSphinx(t)
	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for _, c := range librivoxClips(t) {
		res, err := e.Transcribe(context.Background(), c.path, Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := v.NewNote()
		n.TranscriptionStatus = persistence.StatusDone
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
		if err := SaveTimings(v, n, res); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(v.TimingsPath(n))
		if err != nil {
			t.Fatal(err)
		}
		var length time.Duration
		audio.ReadMonoFile(context.Background(), c.path, 16000, 16000, func(b []int16) error {
			length += time.Duration(len(b)) * time.Second / 16000
			return nil
		}, nil)
		cues, err := timeline.ParseVTT(bytes.NewReader(data))
		if err != nil || !strings.HasPrefix(string(data), "WEBVTT\n\n") {
			t.Fatalf("%s: %v\n%s", c.path, err, data)
		}
		var words []string
		for i, q := range cues {
			if q.End <= q.Start || q.End > length+10*time.Millisecond || (i > 0 && q.Start < cues[i-1].End) || q.End-q.Start > timeline.MaxCue {
				t.Errorf("%s: cue %d %v-%v is out of order, overlaps, runs past %v or is too long", filepath.Base(c.path), i, q.Start, q.End, length)
			}
			for _, l := range strings.Split(q.Text, "\n") {
				if len([]rune(l)) > timeline.MaxLine {
					t.Errorf("%s: cue line %q is too long", filepath.Base(c.path), l)
				}
			}
			words = append(words, strings.Fields(q.Text)...)
		}
		if got, want := strings.Join(words, " "), strings.Join(strings.Fields(res.Text), " "); got != want {
			t.Errorf("%s: the timed words are not the transcript:\n%q\n%q", filepath.Base(c.path), got, want)
		}
		// Each reference word in the stored timings starts within 300 ms
		// of where a forced reading of the clip (PocketSphinx held to the
		// reference text by a grammar) puts it.
		forced := forcedReading(t, c)
		ours := timeline.Words(cues)
		pairs := matchWords(ours, forced)
		if len(pairs) < len(forced)/2 { // the test must compare something: half the words at least
			t.Errorf("%s: only %d of the %d reference words are in the timed transcript", filepath.Base(c.path), len(pairs), len(forced))
		}
		var worst time.Duration
		for _, p := range pairs {
			d := ours[p[0]].Start - forced[p[1]].Start
			worst = max(worst, d, -d)
			if d > 300*time.Millisecond || d < -300*time.Millisecond {
				t.Errorf("%s: %q starts at %v in the timings, at %v in the forced reading", filepath.Base(c.path), ours[p[0]].Text, ours[p[0]].Start, forced[p[1]].Start)
			}
		}
		t.Logf("%s: %d of %d reference words timed, at most %v from the forced reading", filepath.Base(c.path), len(pairs), len(forced), worst)
	}
}

// forcedReading is where PocketSphinx puts each word of a clip's reference
// transcript when held to it: pocketsphinx_continuous with a JSGF grammar
// of exactly that sentence, asked for word times.
func forcedReading(t *testing.T, c clip) []timeline.Word {
	t.Helper()
	if _, err := exec.LookPath("pocketsphinx_continuous"); err != nil {
		t.Skip("pocketsphinx_continuous is not installed (make setup installs the pocketsphinx package)")
	}
	grammar := filepath.Join(t.TempDir(), "forced.jsgf")
	if err := os.WriteFile(grammar, []byte("#JSGF V1.0;\ngrammar forced;\npublic <s> = "+c.ref+";\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pocketsphinx_continuous", "-infile", c.path, "-jsgf", grammar, "-time", "yes", "-logfn", "/dev/null").Output()
	if err != nil {
		t.Fatalf("forced reading of %s: %v", c.path, err)
	}
	// Lines "word(2) 0.330 0.550 1.000000" after the hypothesis.
	var words []timeline.Word
	line := regexp.MustCompile(`^(\S+?)(?:\(\d+\))? (\d+\.\d+) (\d+\.\d+) `)
	for _, l := range strings.Split(string(out), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil || strings.HasPrefix(m[1], "<") || strings.HasPrefix(m[1], "[") {
			continue
		}
		start, _ := strconv.ParseFloat(m[2], 64)
		end, _ := strconv.ParseFloat(m[3], 64)
		words = append(words, timeline.Word{Start: time.Duration(start * float64(time.Second)), End: time.Duration(end * float64(time.Second)), Text: m[1]})
	}
	if got := len(words); got != len(strings.Fields(c.ref)) {
		t.Fatalf("the forced reading of %s has %d words, the reference %d:\n%s", c.path, got, len(strings.Fields(c.ref)), out)
	}
	return words
}

// matchWords pairs the words of a and b that are the same word in a
// longest common subsequence (case aside).
func matchWords(a, b []timeline.Word) [][2]int {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	same := func(i, j int) bool { return strings.EqualFold(a[i].Text, b[j].Text) }
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if same(i, j) {
				lcs[i][j] = 1 + lcs[i+1][j+1]
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var pairs [][2]int
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case same(i, j):
			pairs = append(pairs, [2]int{i, j})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			i++
		default:
			j++
		}
	}
	return pairs
}
