package persistence

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
)

// skipDirs are folders cleanup never walks into.
var skipDirs = map[string]bool{".git": true, "node_modules": true}

// Cleanup removes this package's orphaned temp files (a write interrupted
// by a crash) older than age, anywhere in the vault. It never follows
// symbolic links and never touches files of any other pattern: other
// tools' temp and conflict files, or recordings in progress. It returns the
// removed paths. Callers hold the vault lock; Open does this.
func (v *Vault) Cleanup(age time.Duration) ([]string, error) {
	cutoff := v.now().Add(-age)
	var removed []string
	var errs []error
	var walk func(dir string)
	walk = func(dir string) {
		// A folder unchanged since it was found clean holds no temp
		// file: only its subfolders are looked at.
		// The app's own folder, which holds what records this, changes
		// at every save of it; it is small, and always read.
		unchanged, subdirs, mark := v.FolderUnchanged("cleanup", dir)
		if own := filepath.Join(v.root, StateDir); dir == own || strings.HasPrefix(dir, own+string(filepath.Separator)) {
			unchanged, mark = false, func([]string) {}
		}
		if unchanged {
			for _, name := range subdirs {
				walk(filepath.Join(dir, name))
			}
			return
		}
		before, statErr := v.fs.Lstat(dir)
		entries, err := v.fs.ReadDir(dir)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if statErr == nil {
			v.keepEntries(dir, keyOf(before), entries)
		}
		n, left := len(removed), false
		subdirs = nil
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			switch {
			case e.IsDir():
				if !skipDirs[e.Name()] {
					subdirs = append(subdirs, e.Name())
					walk(path)
				}
			case e.Type().IsRegular() && IsOwnTemp(e.Name()):
				left = true
				st, err := v.fs.Lstat(path)
				if err != nil || !st.Mode().IsRegular() || !st.ModTime().Before(cutoff) {
					continue
				}
				if err := v.fs.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, err)
					continue
				}
				removed = append(removed, path)
			}
		}
		if len(removed) > n {
			errs = append(errs, SyncDir(v.fs, dir))
		}
		if !left {
			mark(subdirs)
		}
	}
	walk(v.root)
	return removed, errors.Join(errs...)
}
