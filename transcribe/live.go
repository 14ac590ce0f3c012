package transcribe

import (
	"cmp"
	"errors"
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
	queued  int // samples fed and not yet decoded
	closed  bool
	behind  bool // the decoder fell more than maxLiveBacklog behind: given up
	done    chan struct{}
	err     error
	result  *Result // the final transcript, once done is closed
	// rest is what run had not decoded when Finish came, left for Finish
	// to decode at its caller's priority (set before done is closed).
	rest [][]int16
	// finishing is closed when Finish is called.
	finishing chan struct{}
	last      string // the text last told (decoding goroutine)
	// OnBehind, when set before the first Feed, is called once (from
	// Feed's goroutine) when live decoding is given up.
	OnBehind func()
	// Backlog, set before the first Feed, is how much audio (samples) the
	// first feeds hand over at once because the decoder was still loading
	// when the recording began: it may be behind by that much more.
	Backlog int
}

// maxLiveBacklog is how far the decoder may fall behind the recording (a
// machine too loaded for it, a model too slow) before live transcription
// of this recording is given up: 30 s of audio, about 1 MB. Past it the
// memory would grow for as long as the recording runs, and Stop would wait
// for the decoder to hear all of it; instead the note is transcribed from
// its file once the recording stops (the final pass).
const maxLiveBacklog = 30 * 16000

// ErrLiveBehind is Finish's error when live decoding was given up.
var ErrLiveBehind = errors.New("live transcription fell too far behind the recording and was stopped; the recording is transcribed when it stops")

// liveTextEvery is how much audio (16 kHz samples) is decoded between
// two looks at the text: a quarter second.
const liveTextEvery = 4000

// NewLive starts decoding into s.
func NewLive(s Stream, onText func(string)) *Live {
	l := &Live{stream: s, onText: onText, done: make(chan struct{}), finishing: make(chan struct{})}
	l.cond = sync.NewCond(&l.mu)
	go l.run()
	return l
}

// Feed queues samples (copied) for decoding. It is meant for the recorder's
// OnSamples and never waits for the decoder.
func (l *Live) Feed(samples []int16) {
	l.mu.Lock()
	if l.behind || l.closed {
		l.mu.Unlock()
		return
	}
	if l.queued+len(samples) > maxLiveBacklog+l.Backlog {
		l.behind, l.pending, l.queued = true, nil, 0
		l.mu.Unlock()
		l.cond.Signal()
		log.Printf("transcribe: %v", ErrLiveBehind)
		if l.OnBehind != nil {
			l.OnBehind()
		}
		return
	}
	l.pending = append(l.pending, append([]int16(nil), samples...))
	l.queued += len(samples)
	l.mu.Unlock()
	l.cond.Signal()
}

// run decodes on a thread of its own at low priority while the recording
// runs: on a machine with few cores the decoder must give way to the
// window's painting and to capture, and it keeps up with speech on what
// they leave (real-time factor about 0.27 here). Two things move the
// decoding to a thread of normal priority, since a person is waiting on
// it and on a busy machine a thread at nice 10 gets a tenth of a core's
// share: falling more than liveCatchUp behind the speaker (beside a
// build, the live text had shown 16 of 54 words after 25 s of speech),
// and Finish (a 10 s dictation took 20 to 55 s to stop beside a build).
func (l *Live) run() { l.decode(true) }

// liveCatchUp is how far (16 kHz samples) the low-priority decoder may
// fall behind, beyond the backlog it started with, before it decodes at
// normal priority for the rest of the recording: 4 s, more than a sound
// server's largest block (2 s) so that a slow input alone never moves it.
const liveCatchUp = 4 * 16000

// decode is run's loop; low says it runs on the low-priority thread.
func (l *Live) decode(low bool) {
	handedOver := false
	defer func() {
		if !handedOver {
			close(l.done)
		}
	}()
	if low {
		lowPriority() // the thread ends with this goroutine
	}
	for {
		l.mu.Lock()
		for len(l.pending) == 0 && !l.closed && !l.behind {
			l.cond.Wait()
		}
		batch := l.pending
		l.pending = nil
		closed, behind := l.closed, l.behind
		l.mu.Unlock()
		if behind {
			l.err = ErrLiveBehind
			return
		}
		// The text is told as it changes, every liveTextEvery of audio
		// within a batch too: a decoder that fell behind (a loaded
		// machine, a device that hands audio over in blocks) catches up
		// word by word on screen, not in one jump at the end.
		fed := 0
		for i, c := range batch {
			l.mu.Lock()
			behind, closing := l.behind, l.closed
			late := low && l.queued > liveCatchUp+l.Backlog
			if late {
				// The rest of the batch goes back in front of what came
				// since, for the decoder of normal priority.
				l.pending = append(batch[i:len(batch):len(batch)], l.pending...)
			} else {
				l.queued -= len(c)
			}
			l.mu.Unlock()
			if behind {
				break // given up: Finish does not wait for the rest
			}
			if late {
				handedOver = true
				go l.decode(false)
				return
			}
			if closing {
				l.rest = batch[i:] // Finish decodes it, at its caller's priority
				return
			}
			if l.err == nil {
				l.err = l.stream.Write(c)
			}
			if fed += len(c); fed >= liveTextEvery || i == len(batch)-1 {
				fed = 0
				if text := l.stream.Text(); text != l.last && l.onText != nil {
					l.last = text
					l.onText(text)
				}
			}
		}
		if closed {
			return // Finish ends the stream
		}
	}
}

// Finish decodes what is left and returns the final transcript.
func (l *Live) Finish() (*Result, error) {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	close(l.finishing)
	l.cond.Signal()
	<-l.done
	if l.err == nil {
		l.mu.Lock()
		rest := append(l.rest, l.pending...)
		l.pending, l.rest = nil, nil
		l.mu.Unlock()
		// Told as it goes, as the decoding thread tells it: the live
		// text catches up word by word while the note is saved.
		fed := 0
		for i, c := range rest {
			if l.err = l.stream.Write(c); l.err != nil {
				break
			}
			if fed += len(c); fed >= liveTextEvery || i == len(rest)-1 {
				fed = 0
				if text := l.stream.Text(); text != l.last && l.onText != nil {
					l.last = text
					l.onText(text)
				}
			}
		}
		if l.err == nil {
			l.result, l.err = l.stream.Finish()
		}
	}
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
	p := Provenance{Engine: engine, Language: cmp.Or(o.Language, res.Language), Duration: n.Duration.Seconds()}
	if engine == PocketSphinxName {
		p.Model = psModelName
	}
	saved, err := Take(v, n.ID, res, p, time.Now())
	if err != nil {
		return err
	}
	*n = *saved
	return nil
}
