//go:build pocketsphinx

package transcribe

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

// pausedSpeech joins LibriVox clips with the given pauses of silence
// between them into one 16 kHz WAV, as a person speaks: a sentence, a
// pause to think, the next. It returns the file, its length, and the
// clips with where each begins in it.
func pausedSpeech(t *testing.T, clips []clip, pauses []time.Duration) (string, time.Duration, []time.Duration) {
	t.Helper()
	var all []int16
	var starts []time.Duration
	for i, c := range clips {
		if i > 0 {
			all = append(all, make([]int16, int(pauses[i-1].Seconds()*audio.StoreRate))...)
		}
		starts = append(starts, time.Duration(len(all))*time.Second/audio.StoreRate)
		err := audio.ReadMonoFile(context.Background(), c.path, audio.StoreRate, audio.StoreRate, func(b []int16) error {
			all = append(all, b...)
			return nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(tempdir.New(t), "paused.wav")
	if err := audio.WritePCM16(path, audio.StoreRate, 1, all); err != nil {
		t.Fatal(err)
	}
	return path, time.Duration(len(all)) * time.Second / audio.StoreRate, starts
}

// TestTimingsAcrossPauses: speech with pauses of one to three seconds
// between sentences, transcribed from the file (import, Transcribe again)
// and through a live stream on a decoder kept from an earlier recording
// (the window's path), is timed where it was said: each reference word
// the transcript has within 300 ms of where a forced reading of its own
// clip puts it, moved by where the clip begins, at least three words of
// every sentence among them; and the stored cues in order, inside the
// audio.
func TestTimingsAcrossPauses(t *testing.T) {
	all := librivoxClips(t)
	clips := []clip{all[0], all[1], all[2], all[4]}
	pauses := []time.Duration{time.Second, 3 * time.Second, 2 * time.Second}
	path, length, starts := pausedSpeech(t, clips, pauses)
	var forced []timeline.Word // the reference, in the joined file's time
	var firsts []int           // where each clip's words begin in forced
	for i, c := range clips {
		firsts = append(firsts, len(forced))
		for _, w := range forcedReading(t, c) {
			forced = append(forced, timeline.Word{Start: w.Start + starts[i], End: w.End + starts[i], Text: w.Text})
		}
	}
	e := newPocketSphinx(t)

	fromFile, err := e.Transcribe(context.Background(), path, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Live: a decoder that decoded a recording before (its frame count
	// must start again), fed 100 ms at a time as the recorder feeds it.
	st, err := e.(Streamer).Stream(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := decodeFile(context.Background(), clips[3].path, st.Write, nil); err != nil {
		t.Fatal(err)
	}
	next, ok := st.(interface{ Recycle() (Stream, bool) }).Recycle()
	if !ok {
		t.Fatal("the decoder could not be kept for the next recording")
	}
	defer next.Close()
	if err := audio.ReadMonoFile(context.Background(), path, audio.StoreRate, audio.StoreRate/10, next.Write, nil); err != nil {
		t.Fatal(err)
	}
	live, err := next.Finish()
	if err != nil {
		t.Fatal(err)
	}

	v, err := persistence.Open(tempdir.New(t), persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for _, run := range []struct {
		name string
		res  *Result
	}{{"file", fromFile}, {"live", live}} {
		t.Run(run.name, func(t *testing.T) {
			n := v.NewNote()
			n.Duration, n.Engine, n.TranscriptionStatus = length, PocketSphinxName, persistence.StatusDone
			if err := v.Save(n); err != nil {
				t.Fatal(err)
			}
			if err := SaveTimings(v, n, run.res); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(v.TimingsPath(n))
			if err != nil {
				t.Fatal(err)
			}
			cues, stamped, err := timeline.ReadTimings(bytes.NewReader(data))
			if err != nil || !stamped {
				t.Fatalf("the stored timings do not read back as this version's (stamped %v): %v", stamped, err)
			}
			if err := timeline.CheckCues(cues, length); err != nil {
				t.Error(err)
			}
			ours := timeline.Words(cues)
			pairs := matchWords(ours, forced)
			if len(pairs) < len(forced)/2 {
				t.Fatalf("only %d of the %d reference words are in the timed transcript %q", len(pairs), len(forced), run.res.Text)
			}
			var worst time.Duration
			compared := make([]int, len(clips)) // reference words compared, per sentence
			for _, p := range pairs {
				d := ours[p[0]].Start - forced[p[1]].Start
				worst = max(worst, d, -d)
				if d > 300*time.Millisecond || d < -300*time.Millisecond {
					t.Errorf("%q starts at %v in the timings, at %v in the audio", ours[p[0]].Text, ours[p[0]].Start, forced[p[1]].Start)
				}
				for i := len(firsts) - 1; i >= 0; i-- {
					if p[1] >= firsts[i] {
						compared[i]++
						break
					}
				}
			}
			for i, c := range compared {
				if c < 3 {
					t.Errorf("sentence %d (after %v) had only %d words recognised to compare", i+1, starts[i], c)
				}
			}
			t.Logf("%d of %d reference words timed, at most %v from where they were said; sentences begin at %v", len(pairs), len(forced), worst, fmt.Sprint(starts))
		})
	}
}
