//go:build linux && cgo

package trim

/*
#include <malloc.h>
*/
import "C"

func cRelease() { C.malloc_trim(0) }
