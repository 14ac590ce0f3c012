package persistence

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestRetryableReplaceError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: winErrorAccessDenied}, true},
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: winErrorSharingViolation}, true},
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: winErrorLockViolation}, true},
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.Errno(2)}, false},   // file not found
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.Errno(112)}, false}, // disk full
		{fs.ErrNotExist, false},
		{errors.New("other"), false},
	} {
		if got := retryableReplaceError(tc.err); got != tc.want {
			t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// fakeClock is a clock whose sleeps advance it.
type fakeClock struct {
	t      time.Time
	sleeps []time.Duration
}

func (c *fakeClock) policy() retryPolicy {
	p := defaultRetry
	p.now = func() time.Time { return c.t }
	p.sleep = func(d time.Duration) { c.sleeps = append(c.sleeps, d); c.t = c.t.Add(d) }
	return p
}

func TestRetryReplace(t *testing.T) {
	sharing := &os.LinkError{Op: "rename", Err: winErrorSharingViolation}

	t.Run("succeeds once the handle is released", func(t *testing.T) {
		c := &fakeClock{t: time.Unix(0, 0)}
		calls := 0
		err := retryReplace(func() error {
			if calls++; calls < 4 {
				return sharing
			}
			return nil
		}, func() bool { return false }, c.policy())
		if err != nil || calls != 4 || len(c.sleeps) != 3 {
			t.Fatalf("err %v after %d calls and sleeps %v", err, calls, c.sleeps)
		}
		for i, d := range c.sleeps {
			if d <= 0 || d > defaultRetry.max {
				t.Errorf("sleep %d = %v, want in (0, %v]", i, d, defaultRetry.max)
			}
		}
	})
	t.Run("gives up after the budget", func(t *testing.T) {
		c := &fakeClock{t: time.Unix(0, 0)}
		start := c.t
		calls := 0
		err := retryReplace(func() error { calls++; return sharing }, func() bool { return false }, c.policy())
		if !errors.Is(err, winErrorSharingViolation) {
			t.Fatalf("err = %v", err)
		}
		if spent := c.t.Sub(start); spent != defaultRetry.budget {
			t.Errorf("retried for %v, want exactly the %v budget", spent, defaultRetry.budget)
		}
		if calls < 5 {
			t.Errorf("only %d tries in the budget", calls)
		}
	})
	t.Run("no retry on a read-only target", func(t *testing.T) {
		c := &fakeClock{t: time.Unix(0, 0)}
		calls := 0
		err := retryReplace(func() error { calls++; return &os.LinkError{Err: winErrorAccessDenied} }, func() bool { return true }, c.policy())
		if err == nil || calls != 1 || len(c.sleeps) != 0 {
			t.Errorf("read-only target: err %v, %d calls, sleeps %v; want one try", err, calls, c.sleeps)
		}
	})
	t.Run("no retry on other errors", func(t *testing.T) {
		c := &fakeClock{t: time.Unix(0, 0)}
		calls := 0
		retryReplace(func() error { calls++; return &os.LinkError{Err: syscall.Errno(2)} }, func() bool { return false }, c.policy())
		if calls != 1 {
			t.Errorf("%d calls, want 1", calls)
		}
	})
}
