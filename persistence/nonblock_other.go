//go:build !unix

package persistence

// openNonblock is not needed where opening a pipe by name does not block.
const openNonblock = 0
