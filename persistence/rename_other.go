//go:build !windows

package persistence

import "os"

// RenameWritesThrough says a rename is on the disk when it returns; here
// it is not: the folder is fsynced after it (SyncDir).
const RenameWritesThrough = false

func rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }
