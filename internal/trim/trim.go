// Package trim gives memory the program no longer uses back to the
// system, for an app that stays open all day: Go keeps freed heap pages
// for minutes, and glibc keeps freed C blocks in its arenas, where both
// still count against the process.
package trim

import "runtime/debug"

// Release collects garbage, returns the Go heap's free pages, and asks
// the C library to return its own. It takes a few milliseconds of CPU:
// call it after work that left much garbage (start-up, a freed decoder),
// not on a timer.
func Release() {
	debug.FreeOSMemory()
	cRelease()
}
