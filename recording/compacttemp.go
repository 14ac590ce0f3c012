package recording

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
)

// A conversion to compact storage encodes into a private folder in the
// system's temporary folder (ffmpeg seeks back in its output, so it cannot
// write through the vault's file system) and holds a lock in it while it
// runs. A process killed during the encoding leaves that folder, with a
// copy of the recording in it, where the vault's own clean-up never
// looks; sweepCompactTemps removes such folders (their lock free) when a
// vault is opened, so that no copy of a private recording outlives the
// conversion that made it.
const (
	compactTempPrefix = "voicenotes-compact-"
	compactLockName   = "lock"
)

// compactTemp is a conversion's private folder and its held lock.
type compactTemp struct {
	dir  string
	lock *persistence.Lock
}

// newCompactTemp makes and locks a conversion's folder (0700).
func newCompactTemp() (*compactTemp, error) {
	dir, err := os.MkdirTemp("", compactTempPrefix+"*")
	if err != nil {
		return nil, err
	}
	lock, err := persistence.TryLock(filepath.Join(dir, compactLockName))
	if err != nil {
		removeFolder(dir)
		return nil, err
	}
	return &compactTemp{dir: dir, lock: lock}, nil
}

// path is a file in the folder.
func (c *compactTemp) path(name string) string { return filepath.Join(c.dir, name) }

// remove removes the folder and what is in it, then lets the lock go.
func (c *compactTemp) remove() {
	// The lock's file goes with the folder; on Windows, where an open
	// file cannot be removed, the folder goes after the lock.
	removeFolder(c.dir)
	c.lock.Unlock()
	removeFolder(c.dir)
}

// removeFolder removes a conversion's folder: the files in it (it holds
// no folders), then it. Not os.RemoveAll, whose Windows form deletes by
// a file information class Wine does not have ("Invalid function"), so
// the tests under Wine could not see this work.
func removeFolder(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.Remove(filepath.Join(dir, e.Name()))
	}
	os.Remove(dir)
}

// staleUnlocked is how old a conversion's folder with no lock file yet
// must be before it is taken for a leftover: a conversion makes its
// folder and locks it at once, so only a process killed between the two
// leaves one, and a sweep must not take a folder being made.
const staleUnlocked = time.Hour

// sweepCompactTemps removes the folders of conversions whose process is
// gone (their lock free), and, from before conversions held a lock, plain
// files of that name an hour old. Other users' folders cannot be locked
// and are left alone. It reads only the names of the temporary folder's
// entries, so it costs little at every start.
func sweepCompactTemps() {
	tmp := os.TempDir()
	d, err := os.Open(tmp)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, name := range names {
		if !strings.HasPrefix(name, compactTempPrefix) {
			continue
		}
		p := filepath.Join(tmp, name)
		st, err := os.Lstat(p)
		if err != nil {
			continue
		}
		switch {
		case st.Mode().IsRegular():
			if time.Since(st.ModTime()) > staleUnlocked {
				os.Remove(p)
			}
		case st.IsDir():
			lockPath := filepath.Join(p, compactLockName)
			lock, err := persistence.LockExisting(lockPath)
			if errors.Is(err, fs.ErrNotExist) {
				if time.Since(st.ModTime()) > staleUnlocked {
					removeFolder(p)
				}
				continue
			}
			if err != nil {
				continue // held: a conversion under way; or not ours
			}
			lock.Unlock()
			removeFolder(p)
		}
	}
}
