//go:build !windows

package desktop

// console: a terminal's standard streams are already the program's.
func console() {}
