//go:build !windows

package main

// console: a terminal's standard streams are already the program's.
func console() {}
