package transcribe

import (
	"log"
	"sync"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// Live runs a Stream beside a recording: Feed takes the recorder's samples
// without ever blocking it, a goroutine decodes them, and onText receives
// the live transcript (settled words plus the current guess) when it
// changes.
type Live struct {
	stream Stream
	onText func(string)

	mu      sync.Mutex
	cond    *sync.Cond
	pending [][]int16
	closed  bool
	done    chan struct{}
	err     error
	result  *Result // the final transcript, once done is closed
}

// liveTextEvery is how much audio (16 kHz samples) is decoded between
// two looks at the text: a quarter second.
const liveTextEvery = 4000

// NewLive starts decoding into s.
func NewLive(s Stream, onText func(string)) *Live {
	l := &Live{stream: s, onText: onText, done: make(chan struct{})}
	l.cond = sync.NewCond(&l.mu)
	go l.run()
	return l
}

// Feed queues samples (copied) for decoding. It is meant for the recorder's
// OnSamples and never waits for the decoder.
func (l *Live) Feed(samples []int16) {
	c := append([]int16(nil), samples...)
	l.mu.Lock()
	l.pending = append(l.pending, c)
	l.mu.Unlock()
	l.cond.Signal()
}

// run decodes on a thread of its own at low priority, the final pass
// too: on a machine with few cores the decoder must give way to the
// window's painting and to capture, and it keeps up with speech on what
// they leave (real-time factor about 0.27 here).
func (l *Live) run() {
	defer close(l.done)
	lowPriority()
	last := ""
	for {
		l.mu.Lock()
		for len(l.pending) == 0 && !l.closed {
			l.cond.Wait()
		}
		batch := l.pending
		l.pending = nil
		closed := l.closed
		l.mu.Unlock()
		// The text is told as it changes, every liveTextEvery of audio
		// within a batch too: a decoder that fell behind (a loaded
		// machine, a device that hands audio over in blocks) catches up
		// word by word on screen, not in one jump at the end.
		fed := 0
		for i, c := range batch {
			if l.err == nil {
				l.err = l.stream.Write(c)
			}
			if fed += len(c); fed >= liveTextEvery || i == len(batch)-1 {
				fed = 0
				if text := l.stream.Text(); text != last && l.onText != nil {
					last = text
					l.onText(text)
				}
			}
		}
		if closed {
			if l.err == nil {
				l.result, l.err = l.stream.Finish()
			}
			return
		}
	}
}

// Finish decodes what is left and returns the final transcript.
func (l *Live) Finish() (*Result, error) {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.cond.Signal()
	<-l.done
	l.stream.Close()
	if l.err != nil {
		return nil, l.err
	}
	return l.result, nil
}

// Commit finishes the live transcription and saves its text into n, the
// note the recording just made: the decoder already heard everything, so
// there is no second pass over the audio. engine names the engine for the
// note's frontmatter.
func (l *Live) Commit(v *persistence.Vault, n *persistence.Note, engine string, o Options) error {
	res, err := l.Finish()
	if err != nil {
		return err
	}
	saved, err := v.Update(n.ID, func(fresh *persistence.Note) error {
		ApplyTranscript(fresh, res.Text, engine, o.Language, time.Now())
		if fresh.Language == "" {
			fresh.Language = res.Language
		}
		return nil
	})
	if err != nil {
		return err
	}
	*n = *saved
	if err := SaveTimings(v, n, res); err != nil {
		log.Printf("transcribe: the word timings of %s were not saved: %v", n.ID, err)
	}
	return nil
}
