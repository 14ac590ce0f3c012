package main

import "testing"

// TestShownDecides: a metric is judged as printed, so a value that prints
// as the target is within it, and one that prints above it is not.
func TestShownDecides(t *testing.T) {
	for _, tc := range []struct {
		v, max float64
		missed bool
	}{
		{1.004, 1, false}, // printed "1"
		{1.006, 1, true},  // printed "1.01"
		{0.9999, 1, false},
		{1234.4, 1000, true},
		{0, 0, false},
	} {
		if got := shown(tc.v) > tc.max; got != tc.missed {
			t.Errorf("value %v against %v: missed = %v, want %v (shown as %v)", tc.v, tc.max, got, tc.missed, shown(tc.v))
		}
	}
}
