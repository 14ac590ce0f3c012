package persistence

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"syscall"
	"time"
)

// replaceFile renames oldpath over newpath. On Windows, antivirus scanners,
// indexers and sync clients briefly hold files open, so a replace that is
// refused for that reason is retried for a bounded time.
func replaceFile(fsys FS, oldpath, newpath string) error {
	rename := func() error { return fsys.Rename(oldpath, newpath) }
	if runtime.GOOS != "windows" {
		return rename()
	}
	readOnly := func() bool {
		st, err := fsys.Stat(newpath)
		return err == nil && st.Mode().Perm()&0o200 == 0
	}
	return retryReplace(rename, readOnly, defaultRetry)
}

// Windows error codes a transient handle causes.
const (
	winErrorAccessDenied     = syscall.Errno(5)
	winErrorSharingViolation = syscall.Errno(32)
	winErrorLockViolation    = syscall.Errno(33)
)

// retryableReplaceError reports whether a Windows replace failed only because
// another process holds the file for a moment.
func retryableReplaceError(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	switch errno {
	case winErrorAccessDenied, winErrorSharingViolation, winErrorLockViolation:
		return true
	}
	return false
}

type retryPolicy struct {
	budget time.Duration // total time to keep trying
	base   time.Duration // first back-off; it doubles, with jitter, up to max
	max    time.Duration
	sleep  func(time.Duration)
	now    func() time.Time
}

var defaultRetry = retryPolicy{
	budget: 2 * time.Second,
	base:   5 * time.Millisecond,
	max:    250 * time.Millisecond,
	sleep:  time.Sleep,
	now:    time.Now,
}

// retryReplace calls rename until it succeeds, fails for a reason a retry
// cannot fix (including a read-only target, which also reports access
// denied), or the budget is spent.
func retryReplace(rename func() error, targetReadOnly func() bool, p retryPolicy) error {
	deadline := p.now().Add(p.budget)
	backoff := p.base
	for {
		err := rename()
		if err == nil || !retryableReplaceError(err) || targetReadOnly() {
			return err
		}
		left := deadline.Sub(p.now())
		if left <= 0 {
			return err
		}
		// Full jitter in [backoff/2, backoff], never past the deadline.
		d := backoff/2 + time.Duration(rand.Int64N(int64(backoff/2)+1))
		d = min(d, left)
		p.sleep(d)
		backoff = min(2*backoff, p.max)
	}
}
