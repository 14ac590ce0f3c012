//go:build unix

package persistence

import "syscall"

// openNonblock opens without waiting for a named pipe's writer.
const openNonblock = syscall.O_NONBLOCK
