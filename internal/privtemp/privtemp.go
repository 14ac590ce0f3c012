// Package privtemp makes the private temporary folders ffmpeg's output
// goes through (a conversion to compact storage, audio decoded for
// reading), and removes those a killed process left.
//
// ffmpeg writes through the system's file API, not the vault's, and
// seeks back in its output, so it writes into the system's temporary
// folder. Each use gets a folder of its own (0700) holding a lock while it
// is used. A process killed meanwhile leaves its folder, with a copy of a
// recording in it, where the vault's own clean-up never looks: Sweep,
// run when a vault is opened, removes folders whose lock is free, so that
// no copy of a private recording outlives the work that made it.
package privtemp

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

const (
	prefix   = "voicenotes-temp-"
	lockName = "lock"
)

// legacy are the names of the plain temporary files of earlier versions,
// which held no lock: Sweep removes them once they are an hour old.
var legacy = []string{"voicenotes-compact-", "voicenotes-decoded-"}

// Folder is a private temporary folder in use, its lock held.
type Folder struct {
	dir  string
	lock *persistence.Lock
}

// New makes and locks a private temporary folder.
func New() (*Folder, error) {
	dir, err := os.MkdirTemp("", prefix+"*")
	if err != nil {
		return nil, err
	}
	lock, err := persistence.TryLock(filepath.Join(dir, lockName))
	if err != nil {
		removeFolder(dir)
		return nil, err
	}
	return &Folder{dir: dir, lock: lock}, nil
}

// Path is a file in the folder.
func (f *Folder) Path(name string) string { return filepath.Join(f.dir, name) }

// Remove removes the folder and what is in it, then lets the lock go.
func (f *Folder) Remove() {
	// The lock's file goes with the folder; on Windows, where an open
	// file cannot be removed, the folder goes after the lock.
	removeFolder(f.dir)
	f.lock.Unlock()
	removeFolder(f.dir)
}

// removeFolder removes a folder of New's: the files in it (it holds no
// folders), then it. Not os.RemoveAll, whose Windows form deletes by a
// file information class Wine does not have ("Invalid function"), so the
// tests under Wine could not see this work.
func removeFolder(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.Remove(filepath.Join(dir, e.Name()))
	}
	os.Remove(dir)
}

// staleUnlocked is how old a folder with no lock file yet must be before
// it is taken for a leftover: New makes its folder and locks it at once,
// so only a process killed between the two leaves one, and a sweep must
// not take a folder being made.
const staleUnlocked = time.Hour

// Sweep removes the folders whose process is gone (their lock free), and
// earlier versions' plain files an hour old. Other users' folders cannot
// be locked and are left alone. It reads only the names of the temporary
// folder's entries, so it costs little at every start.
func Sweep() {
	tmp := os.TempDir()
	d, err := os.Open(tmp)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, name := range names {
		ours := strings.HasPrefix(name, prefix)
		old := false
		for _, l := range legacy {
			old = old || strings.HasPrefix(name, l)
		}
		if !ours && !old {
			continue
		}
		p := filepath.Join(tmp, name)
		st, err := os.Lstat(p)
		if err != nil {
			continue
		}
		switch {
		case old && st.Mode().IsRegular():
			if time.Since(st.ModTime()) > staleUnlocked {
				os.Remove(p)
			}
		case st.IsDir(): // ours, or the last version's locked folders
			lock, err := persistence.LockExisting(filepath.Join(p, lockName))
			if errors.Is(err, fs.ErrNotExist) {
				if time.Since(st.ModTime()) > staleUnlocked {
					removeFolder(p)
				}
				continue
			}
			if err != nil {
				continue // held: in use; or not ours
			}
			lock.Unlock()
			removeFolder(p)
		}
	}
}
