//go:build !linux

package transcribe

// lowPriority: only Linux lowers one thread's priority here.
func lowPriority() {}
