//go:build !(linux && cgo)

package trim

// cRelease: elsewhere the C library returns freed memory by itself, or
// no C code is linked in.
func cRelease() {}
