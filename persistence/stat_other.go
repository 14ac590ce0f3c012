//go:build !linux && !darwin

package persistence

import "io/fs"

// inodeChange is zero where the file information has no inode (Windows):
// there a file is known by its size and modification time, at 100 ns.
func inodeChange(fs.FileInfo) (ino uint64, ctime int64) { return 0, 0 }
