package audio

import "sync/atomic"

// Ring is a single-producer, single-consumer ring buffer of samples. Write
// and Read never block, lock or allocate, so the capture side can call Write
// from a real-time context. A Write that does not fit writes what fits and
// counts the rest as dropped; nothing is dropped silently.
type Ring struct {
	frame   uint64 // samples are written in whole frames of this many
	buf     []int16
	mask    uint64
	head    atomic.Uint64 // next index to write; only the producer stores
	tail    atomic.Uint64 // next index to read; only the consumer stores
	dropped atomic.Uint64
}

// NewRing holds at least size samples (rounded up to a power of two) and
// accepts writes in whole frames of frame samples (interleaved channels).
func NewRing(size, frame int) *Ring {
	n := 1
	for n < size {
		n <<= 1
	}
	r := &Ring{buf: make([]int16, n), mask: uint64(n - 1), frame: uint64(max(frame, 1))}
	// Touch every page now, so the memory is resident from the start and
	// the first lap of a long recording does not grow the process.
	for i := 0; i < n; i += 2048 {
		r.buf[i] = 1
		r.buf[i] = 0
	}
	return r
}

// Cap is how many samples the ring holds.
func (r *Ring) Cap() int { return len(r.buf) }

// Len is how many samples wait to be read.
func (r *Ring) Len() int { return int(r.head.Load() - r.tail.Load()) }

// Write copies as much of p as fits, in whole frames, and returns how many
// samples it wrote; the rest are added to Dropped.
func (r *Ring) Write(p []int16) int {
	head, tail := r.head.Load(), r.tail.Load()
	free := uint64(len(r.buf)) - (head - tail)
	n := uint64(len(p))
	if n > free {
		free -= free % r.frame
		r.dropped.Add(n - free)
		n = free
	}
	for i := uint64(0); i < n; {
		at := (head + i) & r.mask
		c := copy(r.buf[at:], p[i:n])
		i += uint64(c)
	}
	r.head.Store(head + n)
	return int(n)
}

// Read copies up to len(p) waiting samples into p and returns the count.
func (r *Ring) Read(p []int16) int {
	head, tail := r.head.Load(), r.tail.Load()
	n := min(uint64(len(p)), head-tail)
	for i := uint64(0); i < n; {
		at := (tail + i) & r.mask
		end := min(uint64(len(r.buf)), at+(n-i))
		c := copy(p[i:n], r.buf[at:end])
		i += uint64(c)
	}
	r.tail.Store(tail + n)
	return int(n)
}

// Dropped is how many samples did not fit, ever.
func (r *Ring) Dropped() uint64 { return r.dropped.Load() }
