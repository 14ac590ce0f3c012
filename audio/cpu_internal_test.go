package audio

import (
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/cputime"
)

// cpu is the CPU time used so far; the benchmark is skipped where the
// system does not say.
func cpu(b *testing.B) time.Duration {
	d, ok := cputime.Used()
	if !ok {
		b.Skip("this system gives no CPU time to measure with")
	}
	return d
}
