package cputime

import (
	"testing"
	"time"
)

// Bench is Used for a benchmark, which it skips where the system does not
// say.
func Bench(b testing.TB) time.Duration {
	d, ok := Used()
	if !ok {
		b.Skip("this system gives no CPU time to measure with")
	}
	return d
}
