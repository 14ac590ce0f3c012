//go:build !unix

// Package cputime is the CPU time this process has used, for benchmarks
// that report a share of a core.
package cputime

import "time"

// Used: not measured on this system.
func Used() (time.Duration, bool) { return 0, false }
