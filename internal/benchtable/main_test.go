package main

import (
	"fmt"
	"strings"
	"testing"
)

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

// TestTableFails: the table's exit status is 1 when a target is missed,
// a benchmark failed, or a target was never measured; 0 only when every
// target was measured and met.
func TestTableFails(t *testing.T) {
	var all strings.Builder
	for _, tg := range targets {
		fmt.Fprintf(&all, "%s-2 1 100 ns/op %g %s\n", tg.bench, tg.max, tg.metric)
	}
	var out, errs strings.Builder
	if code := table(strings.NewReader(all.String()), &out, &errs); code != 0 {
		t.Errorf("every target met: exit %d\n%s", code, out.String())
	}
	first := targets[0]
	missed := strings.Replace(all.String(), fmt.Sprintf("%g %s\n", first.max, first.metric), fmt.Sprintf("%g %s\n", first.max*2+1, first.metric), 1)
	if code := table(strings.NewReader(missed), &out, &errs); code != 1 {
		t.Error("a missed target: exit 0")
	}
	lines := strings.SplitAfter(all.String(), "\n")
	if code := table(strings.NewReader(strings.Join(lines[1:], "")), &out, &errs); code != 1 || !strings.Contains(out.String(), "NOT MEASURED") {
		t.Error("a target never measured: exit 0")
	}
	if code := table(strings.NewReader(all.String()+"--- FAIL: BenchmarkX\nFAIL\n"), &out, &errs); code != 1 {
		t.Error("a failed benchmark: exit 0")
	}
}
