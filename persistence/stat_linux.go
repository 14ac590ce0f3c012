package persistence

import (
	"io/fs"
	"syscall"
)

// inodeChange is a file's inode number and the time its inode last
// changed (ctime, which a program setting mtime back cannot set).
func inodeChange(st fs.FileInfo) (ino uint64, ctime int64) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return s.Ino, s.Ctim.Nano()
	}
	return 0, 0
}
