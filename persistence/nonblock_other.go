//go:build !unix

package persistence

// openNonblock is not needed where opening a pipe by name does not block.
const openNonblock = 0

// openNoFollow: Windows opens a link's target only for a reparse point
// the caller asked for; lock files are checked after opening instead.
const openNoFollow = 0
