//go:build pocketsphinx && linux && cgo

package transcribe

/*
#include <malloc.h>
*/
import "C"

// releaseMemory gives the memory a freed decoder held back to the system:
// glibc keeps freed blocks in its arenas, where they would still count
// against the process.
func releaseMemory() { C.malloc_trim(0) }
