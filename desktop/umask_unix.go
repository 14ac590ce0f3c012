//go:build unix

package desktop

import "syscall"

// private makes every file this process creates private to the user,
// including those of libraries that pick their own modes (Fyne writes its
// preferences 0644 otherwise): voice notes and what surrounds them are
// nobody else's.
func private() { syscall.Umask(0o077) }
