//go:build unix

package regular

import "syscall"

// Nonblock opens without waiting for a named pipe's writer.
const Nonblock = syscall.O_NONBLOCK

// NoFollow makes an open fail on a symbolic link instead of
// following it (ELOOP).
const NoFollow = syscall.O_NOFOLLOW
