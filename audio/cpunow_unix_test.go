//go:build unix

package audio

import (
	"syscall"
	"time"
)

// cpuNow is the CPU time this process has used.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
