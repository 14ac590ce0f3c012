//go:build unix

// Package cputime is the CPU time this process has used, for benchmarks
// that report a share of a core (other load on the machine does not count
// in it, as it would in wall time).
package cputime

import (
	"syscall"
	"time"
)

// Used is the user and system CPU time this process has used; ok is false
// where the system does not say.
func Used() (d time.Duration, ok bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
