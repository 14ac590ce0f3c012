package audio

import (
	"errors"
	"io"
	"sync"
	"time"
)

// Sink is an output device playing interleaved float32 frames.
type Sink interface {
	// Format is the rate and channel count Write expects.
	Format() (rate, channels int)
	// Write plays buf, blocking while the device's buffer is full.
	Write(buf []float32) error
	Close() error
}

// Player plays one WAV through a Sink: play, pause, seek, position.
type Player struct {
	src   Reader
	sink  Sink
	rate  int
	chans int

	mu       sync.Mutex
	cond     *sync.Cond
	playing  bool
	seekTo   int64 // -1: none
	closed   bool
	atEnd    bool
	done     chan struct{}
	err      error
	onUpdate func(pos, length time.Duration)
	speed    float64 // 0.5 to 2; pitch is kept (Stretcher)
}

// NewPlayer prepares src for playback on sink. onUpdate (may be nil) is
// called with the position about every 50 ms while playing and at the end.
func NewPlayer(src Reader, sink Sink, onUpdate func(pos, length time.Duration)) *Player {
	rate, chans := sink.Format()
	p := &Player{src: src, sink: sink, rate: rate, chans: chans, seekTo: -1, done: make(chan struct{}), onUpdate: onUpdate, speed: 1}
	p.cond = sync.NewCond(&p.mu)
	go p.run()
	return p
}

// Play starts or resumes playback; at the end it starts again from the top.
func (p *Player) Play() {
	p.set(func() {
		if p.atEnd && p.seekTo < 0 {
			p.seekTo = 0
		}
		p.atEnd = false
		p.playing = true
	})
}

// Pause pauses playback.
func (p *Player) Pause() { p.set(func() { p.playing = false }) }

// Playing reports whether it is playing.
func (p *Player) Playing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.playing
}

// Seek moves to a position.
func (p *Player) Seek(d time.Duration) {
	p.set(func() { p.seekTo = int64(d.Seconds() * float64(p.src.Format().SampleRate)) })
}

// SetSpeed plays at speed (0.5 to 2) with the pitch kept.
func (p *Player) SetSpeed(speed float64) {
	speed = min(2, max(0.5, speed))
	p.set(func() { p.speed = speed })
}

// Speed is the speed it plays at.
func (p *Player) Speed() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.speed
}

// Length is the audio's duration.
func (p *Player) Length() time.Duration { return p.src.Duration() }

// Close stops playback and releases the device.
func (p *Player) Close() error {
	p.set(func() { p.closed = true })
	<-p.done
	return p.err
}

// Done is closed when the player has been closed.
func (p *Player) Done() <-chan struct{} { return p.done }

func (p *Player) set(f func()) {
	p.mu.Lock()
	f()
	p.mu.Unlock()
	p.cond.Broadcast()
}

func (p *Player) position() time.Duration {
	return time.Duration(p.src.Position()) * time.Second / time.Duration(p.src.Format().SampleRate)
}

func (p *Player) run() {
	defer close(p.done)
	defer func() {
		if err := p.sink.Close(); p.err == nil {
			p.err = err
		}
	}()
	f := p.src.Format()
	conv := newConverter(f.SampleRate, f.Channels, p.rate, p.chans)
	block := f.SampleRate / 50 // 20 ms
	var in, out, stretched []float32
	lastUpdate := time.Time{}
	st := NewStretcher(f.SampleRate, f.Channels, 1)
	for {
		p.mu.Lock()
		for !p.playing && !p.closed && p.seekTo < 0 {
			p.cond.Wait()
		}
		if p.closed {
			p.mu.Unlock()
			return
		}
		if p.seekTo >= 0 {
			p.src.SeekFrame(p.seekTo)
			p.seekTo = -1
			p.atEnd = false
			conv = newConverter(f.SampleRate, f.Channels, p.rate, p.chans)
			st = NewStretcher(f.SampleRate, f.Channels, p.speed)
			if p.onUpdate != nil {
				p.onUpdate(p.position(), p.Length())
			}
		}
		playing := p.playing
		if p.speed != st.Speed() {
			st = NewStretcher(f.SampleRate, f.Channels, p.speed)
		}
		p.mu.Unlock()
		if !playing {
			continue
		}
		var err error
		in, err = p.src.Read(in[:0], block)
		if errors.Is(err, io.EOF) {
			out = conv.process(st.Flush(stretched[:0]), out[:0])
			out = conv.flush(out)
			if len(out) > 0 {
				p.sink.Write(out)
			}
			p.set(func() { p.playing = false; p.atEnd = true })
			if p.onUpdate != nil {
				p.onUpdate(p.Length(), p.Length())
			}
			continue
		}
		if err != nil {
			p.err = err
			return
		}
		stretched = st.Process(in, stretched[:0])
		out = conv.process(stretched, out[:0])
		if err := p.sink.Write(out); err != nil {
			p.err = err
			return
		}
		if p.onUpdate != nil && time.Since(lastUpdate) >= 50*time.Millisecond {
			p.onUpdate(p.position(), p.Length())
			lastUpdate = time.Now()
		}
	}
}

// converter maps channels and rate from a file's format to a device's.
type converter struct {
	inCh, outCh int
	rs          []*Resampler
	chans       [][]float32
	outs        [][]float32
}

func newConverter(inRate, inCh, outRate, outCh int) *converter {
	c := &converter{inCh: inCh, outCh: outCh}
	mid := min(inCh, outCh)
	if inCh != outCh {
		mid = 1 // unequal layouts meet in mono
	}
	for range mid {
		c.rs = append(c.rs, NewResampler(inRate, outRate))
	}
	c.chans = make([][]float32, mid)
	c.outs = make([][]float32, mid)
	return c
}

func (c *converter) process(in, out []float32) []float32 { return c.run(in, out, false) }
func (c *converter) flush(out []float32) []float32       { return c.run(nil, out, true) }

func (c *converter) run(in, out []float32, flush bool) []float32 {
	mid := len(c.rs)
	for ch := range mid {
		c.chans[ch] = c.chans[ch][:0]
	}
	if mid == 1 {
		c.chans[0] = Downmix(in, c.inCh, c.chans[0])
	} else {
		for i := 0; i+c.inCh <= len(in); i += c.inCh {
			for ch := range mid {
				c.chans[ch] = append(c.chans[ch], in[i+ch])
			}
		}
	}
	for ch := range mid {
		if flush {
			c.outs[ch] = c.rs[ch].Flush(c.outs[ch][:0])
		} else {
			c.outs[ch] = c.rs[ch].Process(c.chans[ch], c.outs[ch][:0])
		}
	}
	n := len(c.outs[0])
	for i := range n {
		for ch := range c.outCh {
			src := c.outs[min(ch, mid-1)]
			if i < len(src) {
				out = append(out, src[i])
			} else {
				out = append(out, 0)
			}
		}
	}
	return out
}
