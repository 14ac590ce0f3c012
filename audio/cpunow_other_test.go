//go:build !unix

package audio

import "time"

var start = time.Now()

// cpuNow: without getrusage, the wall clock (an upper bound).
func cpuNow() time.Duration { return time.Since(start) }
