package persistence

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"
)

// writeLockName is the file in StateDir whose OS lock every note write of
// every process holds around re-read → compare → rename.
const writeLockName = "write.lock"

// WriteLockWait bounds how long a write waits for another process's write
// to finish (each holds the lock for one durable write, milliseconds).
var WriteLockWait = 10 * time.Second

// ErrBusy means another process kept the vault's write lock too long.
var ErrBusy = errors.New("another program kept the vault busy")

// writeLocks serialises this process's writers before they take the OS
// lock, so they queue instead of polling it.
var writeLocks sync.Map // root → *sync.Mutex

// lockWrites takes the vault's write lock: an OS lock on
// .voicenotes/write.lock, so that two processes saving one note never
// both pass the unchanged-check before either renames. It waits up to
// WriteLockWait, then returns an error wrapping ErrBusy.
func (v *Vault) lockWrites() (unlock func(), err error) {
	if v.readOnly {
		return nil, fmt.Errorf("%w (%s): nothing can be saved there; copy the vault somewhere writable to change it", ErrReadOnly, v.root)
	}
	m, _ := writeLocks.LoadOrStore(v.root, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	path := filepath.Join(v.root, StateDir, writeLockName)
	f, err := openLockFile(path)
	if err != nil {
		mu.Unlock()
		return nil, fmt.Errorf("opening the vault's write lock %s: %w", path, err)
	}
	deadline := time.Now().Add(WriteLockWait)
	for pause := time.Millisecond; ; pause = min(2*pause, 20*time.Millisecond) {
		err = lockFile(f)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrLocked) || time.Now().After(deadline) {
			f.Close()
			mu.Unlock()
			if errors.Is(err, ErrLocked) {
				return nil, fmt.Errorf("%w: its write lock %s was held for over %v; nothing was written, try again", ErrBusy, path, WriteLockWait)
			}
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		time.Sleep(pause) // another process's write takes milliseconds
	}
	return func() {
		unlockFile(f)
		f.Close()
		mu.Unlock()
	}, nil
}
