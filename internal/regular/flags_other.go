//go:build !unix

package regular

// Nonblock is not needed where opening a pipe by name does not block.
const Nonblock = 0

// NoFollow: Windows opens a link's target only for a reparse point
// the caller asked for; lock files are checked after opening instead.
const NoFollow = 0
