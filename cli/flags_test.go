package cli

import (
	"testing"
	"time"
)

func TestLengthFlag(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"5": 5 * time.Second, "1.5": 1500 * time.Millisecond, "0": 0,
		"90s": 90 * time.Second, "1m30s": 90 * time.Second, "2h": 2 * time.Hour,
	} {
		var v lengthValue
		if err := v.Set(in); err != nil || time.Duration(v) != want {
			t.Errorf("--duration %s = %v, %v; want %v", in, time.Duration(v), err, want)
		}
	}
	for _, in := range []string{"x", "-5", "5 s", "NaN", "1e300", ""} {
		var v lengthValue
		if err := v.Set(in); err == nil {
			t.Errorf("--duration %q accepted as %v; want an error", in, time.Duration(v))
		}
	}
}
