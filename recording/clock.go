package recording

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// The clock of a recording. Three clocks meet in a recording: the wall
// clock of the person's actions (Record, a marker, Pause, Stop), the
// device's frames as they are read, and the stored samples. A frame is
// read some time after the sound it holds reached the microphone: the
// device's buffer (PortAudio reports it as the stream's input latency),
// and a sound server or a wireless link that hands audio over in blocks.
// Counting stored samples at the moment of an action therefore places it
// early by whatever is still on its way, and a Stop that ends capture at
// once loses it.
//
// captureClock maps a moment to the frame that was captured at it. Each
// read tells it that the last frame read was captured no later than the
// read returned, less the device's stated latency; so the capture of
// frame 0 is at most (read time - latency - frames/rate), for every read.
// The smallest of these bounds over the last few seconds is the estimate:
// a read only ever returns late (a scheduler, a stalled machine), never
// early, so the smallest is the truest, and a window lets the estimate
// follow a device clock that drifts from the wall clock. A device that
// starts late (a sound server that begins the stream at its next block,
// a suspended source waking up) has its frame 0 captured late, and the
// clock says so: what was said before it was never captured.
type captureClock struct {
	rate    float64
	base    time.Time     // the moment the clock counts from
	latency time.Duration // the device's own figure

	// origin is when frame 0 was captured, in ns after base; known once a
	// frame was read. Written by the capture goroutine, read by any.
	origin atomic.Int64
	known  atomic.Bool

	// The windowed minimum: the bound's minimum in each of the last
	// clockBuckets spans of clockBucket (capture goroutine only).
	mins     [clockBuckets]int64
	bucket   int64 // index of the current span
	captured int64 // frames read

	// Gaps: audio the device never delivered (the machine suspended, the
	// process stopped, the sound server's buffer overrun). Then every
	// read is late by the time lost, for good: the smallest bound over a
	// period longer than any block a device hands over stays above the
	// origin. The clock moves its origin by the time lost (or every later
	// moment would be placed that far too late) and says where the gap is.
	period    int64 // ns after base when the current period began; -1 before the first read
	periodMin int64 // the smallest bound in it
	// jumpAt is the frames read before the first read late by more than
	// gapMin since one that was not: where a gap begins, if it is one (a
	// block's lateness comes back down within the block).
	jumpAt    int64
	gaps      chan gap
	lostTotal atomic.Int64 // ns of audio never delivered
}

// gap is audio a device never delivered: lost after frame.
type gap struct {
	frame int64
	lost  time.Duration
}

const (
	clockBucket  = 5 * time.Second
	clockBuckets = 4
	// gapPeriod is longer than any block a device hands over (a sound
	// server's two seconds), and gapMin shorter than any suspend a person
	// would want told but longer than any block's lateness.
	gapPeriod = 4 * time.Second
	gapMin    = 1500 * time.Millisecond
)

func newCaptureClock(rate int, latency time.Duration, base time.Time) *captureClock {
	c := &captureClock{rate: float64(rate), base: base, latency: max(latency, 0), period: -1, jumpAt: -1, gaps: make(chan gap, 16)}
	for i := range c.mins {
		c.mins[i] = math.MaxInt64
	}
	return c
}

// read records that frames more frames were read at the moment at. It is
// called by the capture goroutine only and neither locks nor allocates.
func (c *captureClock) read(frames int64, at time.Time) {
	c.captured += frames
	now := int64(at.Sub(c.base))
	bound := now - int64(c.latency) - int64(float64(c.captured)*1e9/c.rate)
	if b := now / int64(clockBucket); b != c.bucket {
		for k := c.bucket + 1; k <= b && k <= c.bucket+clockBuckets; k++ {
			c.mins[k%clockBuckets] = math.MaxInt64
		}
		c.bucket = b
	}
	i := c.bucket % clockBuckets
	c.mins[i] = min(c.mins[i], bound)
	o := int64(math.MaxInt64)
	for _, m := range c.mins {
		o = min(o, m)
	}
	if c.period < 0 {
		c.period, c.periodMin = now, bound
	}
	c.periodMin = min(c.periodMin, bound)
	switch late := bound - o; {
	case late <= int64(gapMin):
		c.jumpAt = -1
	case c.jumpAt < 0:
		c.jumpAt = c.captured - frames
	}
	if now-c.period >= int64(gapPeriod) {
		if lost := c.periodMin - o; lost > int64(gapMin) {
			for i := range c.mins {
				c.mins[i] = c.periodMin
			}
			o = c.periodMin
			c.lostTotal.Add(lost)
			select {
			case c.gaps <- gap{frame: max(c.jumpAt, 0), lost: time.Duration(lost)}:
			default: // sixteen gaps not yet told: the total still counts them
			}
			c.jumpAt = -1
		}
		c.period, c.periodMin = now, math.MaxInt64
	}
	c.origin.Store(o)
	c.known.Store(true)
}

// frameAt is the device frame captured at moment t, which may be before
// frame 0 (negative) or not read yet; false until a frame was read.
func (c *captureClock) frameAt(t time.Time) (int64, bool) {
	if !c.known.Load() {
		return 0, false
	}
	ns := int64(t.Sub(c.base)) - c.origin.Load()
	return int64(math.Floor(float64(ns) * c.rate / 1e9)), true
}

// firstCaptured is when frame 0 was captured; false until a frame was read.
func (c *captureClock) firstCaptured() (time.Time, bool) {
	if !c.known.Load() {
		return time.Time{}, false
	}
	return c.base.Add(time.Duration(c.origin.Load())), true
}

// pauses are the stretches of device frames a recording leaves out:
// [from, to) each, to = math.MaxInt64 while paused. The capture goroutine
// reads them without locking or allocating (an immutable slice behind an
// atomic pointer); Pause and Resume replace it under mu.
type pauses struct {
	mu   sync.Mutex
	list atomic.Pointer[[]frameSpan]
}

type frameSpan struct{ from, to int64 }

func (p *pauses) load() []frameSpan {
	if l := p.list.Load(); l != nil {
		return *l
	}
	return nil
}

// pause starts a stretch at frame; a pause already open stays as it is.
func (p *pauses) pause(frame int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.load()
	if len(l) > 0 && l[len(l)-1].to == math.MaxInt64 {
		return
	}
	if len(l) > 0 {
		frame = max(frame, l[len(l)-1].to) // stretches stay in order, apart
	}
	next := append(append([]frameSpan(nil), l...), frameSpan{frame, math.MaxInt64})
	p.list.Store(&next)
}

// resume ends the open stretch at frame (not before it began).
func (p *pauses) resume(frame int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.load()
	if len(l) == 0 || l[len(l)-1].to != math.MaxInt64 {
		return
	}
	next := append([]frameSpan(nil), l...)
	next[len(next)-1].to = max(frame, next[len(next)-1].from)
	p.list.Store(&next)
}

// kept is how many of the frames before frame are stored: those outside
// every stretch.
func (p *pauses) kept(frame int64) int64 {
	n := max(frame, 0)
	for _, s := range p.load() {
		if s.from >= frame {
			break
		}
		n -= min(s.to, frame) - max(s.from, 0)
	}
	return max(n, 0)
}

// next is the first frame at or after frame that is stored, and the
// first after that which is not (math.MaxInt64 when none is left out).
func (p *pauses) next(frame int64) (keepFrom, keepTo int64) {
	keepFrom = frame
	for _, s := range p.load() {
		if s.to <= keepFrom {
			continue
		}
		if s.from <= keepFrom {
			keepFrom = s.to
			continue
		}
		return keepFrom, s.from
	}
	return keepFrom, math.MaxInt64
}
