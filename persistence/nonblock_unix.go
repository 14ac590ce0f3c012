//go:build unix

package persistence

import "syscall"

// openNonblock opens without waiting for a named pipe's writer.
const openNonblock = syscall.O_NONBLOCK

// openNoFollow makes an open fail on a symbolic link instead of
// following it (ELOOP).
const openNoFollow = syscall.O_NOFOLLOW
