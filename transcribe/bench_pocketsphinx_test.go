//go:build pocketsphinx

package transcribe

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkRealTimeFactor transcribes the LibriVox clips in process and
// with pocketsphinx_continuous, side by side, and reports each one's
// real-time factor (processing time per second of audio) and their ratio.
func BenchmarkRealTimeFactor(b *testing.B) {
	clips := librivoxClips(b)
	e := newPocketSphinx(b)
	var ours, theirs time.Duration
	audioSecs := 0.0
	for b.Loop() {
		for _, c := range clips {
			t0 := time.Now()
			res, err := e.Transcribe(context.Background(), c.path, Options{}, nil)
			if err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if err := exec.Command("pocketsphinx_continuous", "-infile", c.path, "-logfn", "/dev/null").Run(); err != nil {
				b.Fatal(err)
			}
			ours, theirs = ours+t1.Sub(t0), theirs+time.Since(t1)
			if len(res.Segments) > 0 {
				audioSecs += res.Segments[len(res.Segments)-1].End
			}
		}
	}
	b.ReportMetric(ours.Seconds()/audioSecs, "rtf-inprocess")
	b.ReportMetric(theirs.Seconds()/audioSecs, "rtf-continuous")
	b.ReportMetric(ours.Seconds()/theirs.Seconds(), "x-continuous")
}

// BenchmarkLiveLatency streams the clips 100 ms at a time, as the recorder
// delivers them, and measures for each word how long after it was spoken
// (its end in the audio) a word appears in its place in the live text: the
// audio still to come in that 100 ms block plus the time decoding the block
// took. median-ms-as-final counts a word only once the live text shows it
// as the final transcript will (PocketSphinx revises its guesses within an
// utterance; words right only at the end count when the recording stops).
func BenchmarkLiveLatency(b *testing.B) {
	clips := librivoxClips(b)
	e := newPocketSphinx(b).(Streamer)
	var delays, exact []float64
	for b.Loop() {
		for _, c := range clips {
			var samples []int16
			decodeFile(context.Background(), c.path, func(s []int16) error { samples = append(samples, s...); return nil }, nil)
			// Reference word times from a decode of the whole file.
			final, err := e.Transcribe(context.Background(), c.path, Options{}, nil)
			if err != nil {
				b.Fatal(err)
			}
			s, err := e.Stream(Options{})
			if err != nil {
				b.Fatal(err)
			}
			shown, right := 0, 0 // words on screen; of those, words as in the final text
			for i := 0; i < len(samples); i += 1600 {
				t0 := time.Now()
				s.Write(samples[i:min(i+1600, len(samples))])
				words := strings.Fields(s.Text())
				compute := time.Since(t0).Seconds()
				now := float64(min(i+1600, len(samples))) / 16000
				for ; shown < len(final.Words) && shown < len(words); shown++ {
					delays = append(delays, max(0, now-final.Words[shown].End)+compute)
				}
				for right < len(final.Words) && right < len(words) && words[right] == final.Words[right].Text {
					exact = append(exact, max(0, now-final.Words[right].End)+compute)
					right++
				}
			}
			// The rest appear when the recording stops.
			t0 := time.Now()
			s.Finish()
			compute := time.Since(t0).Seconds()
			end := float64(len(samples)) / 16000
			for ; shown < len(final.Words); shown++ {
				delays = append(delays, max(0, end-final.Words[shown].End)+compute)
			}
			for ; right < len(final.Words); right++ {
				exact = append(exact, max(0, end-final.Words[right].End)+compute)
			}
			s.Close()
		}
	}
	slices.Sort(delays)
	slices.Sort(exact)
	if len(delays) == 0 {
		b.Fatal("no word appeared in the live text")
	}
	b.ReportMetric(1000*delays[len(delays)/2], "median-ms")
	b.ReportMetric(1000*delays[len(delays)*9/10], "p90-ms")
	b.ReportMetric(1000*exact[len(exact)/2], "median-ms-as-final")
	b.ReportMetric(float64(len(delays))/float64(b.N), "words")
}
