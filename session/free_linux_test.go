package session

import (
	"testing"

	"github.com/voicenotes/voicenotes/internal/removable"
)

// TestFreeSpaceUnknownIsNotZero: FUSE's FAT reports a size of 0 for the
// whole file system; that is "not said", not "full" (a recording on such
// a stick was stopped at once as if the disk were full). A file system
// that says, says how much.
func TestFreeSpaceUnknownIsNotZero(t *testing.T) {
	if free, err := freeBytes(removable.Mount(t, "fat32")); err == nil {
		t.Errorf("FUSE's FAT, which does not say, is taken to have %d bytes free", free)
	}
	if free, err := freeBytes(removable.Mount(t, "exfat")); err != nil || free < 32<<20 {
		t.Errorf("the 64 MiB exFAT image has %d bytes free (%v)", free, err)
	}
}
