//go:build unix

package session

import (
	"errors"

	"golang.org/x/sys/unix"
)

// freeBytes is the space left to this user on the file system of dir.
// A file system that does not say (FUSE's FAT reports a size of 0) gives
// an error: its recording is stopped by a failed write, not by a guess.
func freeBytes(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	if st.Blocks == 0 {
		return 0, errors.New("the file system does not say how much space it has")
	}
	return st.Bavail * uint64(st.Bsize), nil
}
