package persistence

import (
	"encoding/json"
	"io/fs"
	"path/filepath"
	"sync"
	"time"
)

// Maintenance (removing orphaned temp files, recovering recordings) looks
// at every entry of the vault's folders, which on a vault of ten thousand
// notes costs more than the command that opened it. A folder's entries
// cannot change without changing its modification time (and, where the
// system has them, its inode change time), so a folder maintenance found
// clean, whose times have not moved since, is clean still: it is not read
// again. What each maintenance job found clean is kept in .voicenotes/scan,
// a cache like the index: deleting it only means one full scan.
//
// Trust is bounded: times that are not yet settled (settledTime) are never
// trusted (a change within the clock's granularity could keep them), and
// a folder is looked at again at least every scanTrust, in case a network
// file system reports a folder's times late or another program edited a
// note in place (which changes no folder).
const (
	scanName   = "scan"
	scanFormat = 1
	scanTrust  = 10 * time.Minute
)

// scanState is what the last maintenance found clean.
type scanState struct {
	Format int                    `json:"format"`
	Clean  map[string]cleanFolder `json:"clean"` // by job and folder
}

type cleanFolder struct {
	Key     fileKey   `json:"key"`
	Checked time.Time `json:"checked"`
	// Subdirs are the folder's subfolders, for jobs that walk the tree.
	Subdirs []string `json:"subdirs,omitempty"`
}

// scanCache is a vault's scanState while maintenance runs, and the
// folders read in this open (cleanup reads them; recovery would read
// recordings/ again, on a vault of 100k notes 200k entries).
type scanCache struct {
	mu      sync.Mutex
	state   *scanState
	dirty   bool
	entries map[string]folderRead
}

// folderRead is a folder's entries as read, and its key just before.
type folderRead struct {
	key     fileKey
	entries []fs.DirEntry
}

// MaintenanceReadDir is ReadDir for maintenance: while the vault is being
// opened, a folder cleanup read already, unchanged since, is not read again.
func (v *Vault) MaintenanceReadDir(dir string) ([]fs.DirEntry, error) {
	c := &v.scan
	c.mu.Lock()
	read, ok := c.entries[dir]
	c.mu.Unlock()
	if st, err := v.fs.Lstat(dir); ok && err == nil && keyOf(st) == read.key {
		return read.entries, nil
	}
	return v.fs.ReadDir(dir)
}

// keepEntries keeps what cleanup read of a folder whose key was key before
// it read it, for the rest of Open.
func (v *Vault) keepEntries(dir string, key fileKey, entries []fs.DirEntry) {
	c := &v.scan
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]folderRead{}
	}
	c.entries[dir] = folderRead{key, entries}
}

func (v *Vault) scanPath() string { return filepath.Join(v.root, StateDir, scanName) }

func (v *Vault) scanState() *scanState {
	c := &v.scan
	if c.state != nil {
		return c.state
	}
	c.state = &scanState{Format: scanFormat, Clean: map[string]cleanFolder{}}
	if data, err := ReadFile(v.fs, v.scanPath()); err == nil && len(data) < 16<<20 {
		var s scanState
		if json.Unmarshal(data, &s) == nil && s.Format == scanFormat && s.Clean != nil {
			c.state = &s
		}
	}
	return c.state
}

// FolderUnchanged reports whether the folder dir is as it was when job
// last found it clean (and said so with mark), with the subfolders it had
// then. mark records the folder as it was before this call (what changes
// while job looks at it makes the next call look again): job calls it
// when it found nothing in the folder to do or wait for. Only maintenance,
// which holds the vault's lock, calls it.
func (v *Vault) FolderUnchanged(job, dir string) (unchanged bool, subdirs []string, mark func(subdirs []string)) {
	c := &v.scan
	c.mu.Lock()
	defer c.mu.Unlock()
	state := v.scanState()
	rel, err := filepath.Rel(v.root, dir)
	if err != nil {
		rel = dir
	}
	id := job + ":" + filepath.ToSlash(rel)
	st, err := v.fs.Lstat(dir)
	if err != nil || !st.IsDir() {
		return false, nil, func([]string) {}
	}
	key, now := keyOf(st), v.now()
	was, ok := state.Clean[id]
	if ok && was.Key == key && now.Sub(was.Checked) < scanTrust && now.Sub(was.Checked) >= 0 {
		return true, was.Subdirs, func([]string) {}
	}
	if ok {
		delete(state.Clean, id)
		c.dirty = true
	}
	return false, nil, func(subdirs []string) {
		if !key.settled(now) {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		state.Clean[id] = cleanFolder{Key: key, Checked: now, Subdirs: subdirs}
		c.dirty = true
	}
}

// saveScan writes what maintenance found clean, if that changed.
func (v *Vault) saveScan() error {
	c := &v.scan
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil // the open is over: folders are read afresh
	if !c.dirty || c.state == nil {
		return nil
	}
	data, err := json.Marshal(c.state)
	if err != nil {
		return err
	}
	c.dirty = false
	return WriteFile(v.fs, v.scanPath(), data, FilePerm)
}
