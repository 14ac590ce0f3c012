//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

var liveLine = regexp.MustCompile(`^voicenotes: live text (\d+) words (\d+) ms$`)

// TestLiveTextFollowsTheSpeaker: in the real window, four LibriVox
// sentences with pauses of 1 to 3 s between them (25 s) are said into the
// virtual microphone while recording. The pane shows the words as the
// decoder makes them: never more than 2 s after, growing to the end (an
// update every 3 s of speech at least). The
// saved note's word timings put each sentence where it was said: the
// first timed word of each sentence is as far after the first one's as
// the sentence was said after the first (within 300 ms), and every cue
// lies inside the audio.
func TestLiveTextFollowsTheSpeaker(t *testing.T) {
	dir := "/usr/share/pocketsphinx/test/data/librivox"
	names := []string{"0870", "0880", "0890", "0930"}
	pauses := []time.Duration{time.Second, 3 * time.Second, 2 * time.Second}
	var speech []int16
	var starts []time.Duration
	for i, name := range names {
		path := filepath.Join(dir, "sense_and_sensibility_01_austen_64kb-"+name+".wav")
		if _, err := os.Stat(path); err != nil {
			t.Skipf("%s is missing (make setup installs pocketsphinx-testdata)", path)
		}
		if i > 0 {
			speech = append(speech, make([]int16, int(pauses[i-1].Seconds()*audio.StoreRate))...)
		}
		starts = append(starts, time.Duration(len(speech))*time.Second/audio.StoreRate)
		err := audio.ReadMonoFile(context.Background(), path, audio.StoreRate, audio.StoreRate, func(b []int16) error {
			speech = append(speech, b...)
			return nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	said := filepath.Join(t.TempDir(), "said.wav")
	if err := audio.WritePCM16(said, audio.StoreRate, 1, speech); err != nil {
		t.Fatal(err)
	}
	d := startDesktop(t)
	vault := filepath.Join(t.TempDir(), "vault")
	a := d.launch(vault)
	from := a.lineCount()
	d.key("ctrl+r")
	waitFor(t, "the recording", 15*time.Second, func() bool { return partial(vault) != "" })
	play := d.pulse.Play(t, said)
	if err := play.Wait(); err != nil {
		t.Fatal(err)
	}
	d.screenshot("live.png")
	d.key("ctrl+r")
	var n *persistence.Note
	waitFor(t, "the transcribed note", 60*time.Second, func() bool {
		ns := notes(t, vault)
		if len(ns) == 1 && ns[0].TranscriptionStatus == persistence.StatusDone {
			n = ns[0]
		}
		return n != nil
	})
	a.await(t, "the saved recording on screen", 30*time.Second, "voicenotes: saved recording "+n.ID)

	// The live text: shown within 2 s of the decoder's words, growing.
	a.mu.Lock()
	lines := append([]string(nil), a.lines[from:]...)
	a.mu.Unlock()
	var shown, words int
	var worst time.Duration
	for _, l := range lines {
		m := liveLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		w, _ := strconv.Atoi(m[1])
		ms, _ := strconv.Atoi(m[2])
		shown++
		words = max(words, w)
		worst = max(worst, time.Duration(ms)*time.Millisecond)
	}
	final := len(strings.Fields(n.Body))
	t.Logf("%d live updates, up to %d words (the note has %d); the longest wait to be shown %v", shown, words, final, worst)
	// The virtual microphone hands paplay's sound over in blocks of up
	// to two seconds, and the decoder's text changes with each: an
	// update every three seconds of speech at least.
	length := time.Duration(len(speech)) * time.Second / audio.StoreRate
	if shown < int(length/(3*time.Second)) || words < final*3/4 {
		t.Errorf("the live text was shown %d times with at most %d words in %v of speech, for a transcript of %d words: it did not follow the speaker", shown, words, length, final)
	}
	if worst > 2*time.Second {
		t.Errorf("the decoder's words waited %v to be shown (2 s at most)", worst)
	}

	// The timings: each sentence as far after the first as it was said.
	v, err := persistence.Open(vault, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	f, err := os.Open(v.TimingsPath(n))
	if err != nil {
		t.Fatalf("the note has no word timings: %v", err)
	}
	cues, stamped, err := timeline.ReadTimings(f)
	f.Close()
	if err != nil || !stamped {
		t.Fatalf("the timings: stamped %v, %v", stamped, err)
	}
	if err := timeline.CheckCues(cues, n.Duration); err != nil {
		t.Error(err)
	}
	timed := timeline.Words(cues)
	// The first word after each pause of a second or more begins a
	// sentence; there are as many as were said.
	var firsts []time.Duration
	for i, w := range timed {
		if i == 0 || w.Start-timed[i-1].End >= 900*time.Millisecond {
			firsts = append(firsts, w.Start)
		}
	}
	if len(firsts) != len(starts) {
		t.Fatalf("%d sentences in the timings (first words at %v), %d said at %v", len(firsts), firsts, len(starts), starts)
	}
	for i := range starts {
		got, want := firsts[i]-firsts[0], starts[i]-starts[0]
		if d := got - want; d > 300*time.Millisecond || d < -300*time.Millisecond {
			t.Errorf("sentence %d begins %v after the first in the timings, %v in what was said", i+1, got, want)
		}
	}
}
