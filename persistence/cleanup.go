package persistence

import (
	"errors"
	"io/fs"
	"path/filepath"
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
		entries, err := v.fs.ReadDir(dir)
		if err != nil {
			errs = append(errs, err)
			return
		}
		n := len(removed)
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			switch {
			case e.IsDir():
				if !skipDirs[e.Name()] {
					walk(path)
				}
			case e.Type().IsRegular() && IsOwnTemp(e.Name()):
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
	}
	walk(v.root)
	return removed, errors.Join(errs...)
}
