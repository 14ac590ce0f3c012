package persistence

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// A transcription job in progress is marked twice: the note says
// TRANSCRIBING (what every program sharing the vault sees), and the
// process doing it holds an OS lock on .voicenotes/jobs/<id>.lock. The
// lock dies with the process, however it dies, so a note left
// TRANSCRIBING whose lock file is there and free was this app's job and
// its worker is gone: it is taken again at once. A note TRANSCRIBING
// without a lock file is another program's (Whispering marks its jobs
// the same way) or an older version's.

// jobsDir holds the job locks, in StateDir.
const jobsDir = "jobs"

// JobLock is this process's claim on transcribing one note.
type JobLock struct {
	lock *Lock
	path string
}

func (v *Vault) jobPath(id string) string {
	return filepath.Join(v.root, StateDir, jobsDir, id+".lock")
}

// LockJob claims note id's transcription for this process. It returns an
// error wrapping ErrLocked when another process is transcribing it.
// Safe to call from several goroutines and processes: one wins.
func (v *Vault) LockJob(id string) (*JobLock, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	dir := filepath.Join(v.root, StateDir, jobsDir)
	if err := os.MkdirAll(dir, DirPerm); err != nil {
		return nil, fmt.Errorf("making %s: %w", dir, err)
	}
	path := v.jobPath(id)
	for {
		l, err := TryLock(path)
		if err != nil {
			return nil, err
		}
		// The holder before may have removed the file as it finished,
		// between this open and this lock: a lock on a name no longer
		// there claims nothing. Take the lock again, on the file there now.
		held, err1 := l.f.Stat()
		now, err2 := os.Lstat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, now) {
			return &JobLock{lock: l, path: path}, nil
		}
		l.Unlock()
		if err2 != nil && !errors.Is(err2, os.ErrNotExist) {
			return nil, err2
		}
	}
}

// Release ends the claim: the lock file goes, then the lock (on
// Windows, where an open file cannot be removed, the lock first).
func (j *JobLock) Release() {
	if j == nil {
		return
	}
	if err := os.Remove(j.path); err != nil {
		j.lock.Unlock()
		os.Remove(j.path)
		return
	}
	j.lock.Unlock()
}

// JobState is what the job locks say of a note marked TRANSCRIBING.
type JobState int

const (
	// JobUnknown: no lock file; another program's job, or an older
	// version's.
	JobUnknown JobState = iota
	// JobRunning: a process of this app is transcribing it now.
	JobRunning
	// JobAbandoned: a process of this app was, and is gone.
	JobAbandoned
)

// Job says whether note id's transcription is running, was abandoned by
// a process that died, or is not this app's to know.
func (v *Vault) Job(id string) JobState {
	if ValidateID(id) != nil {
		return JobUnknown
	}
	if _, err := os.Lstat(v.jobPath(id)); err != nil {
		return JobUnknown
	}
	l, err := v.LockJob(id)
	if errors.Is(err, ErrLocked) {
		return JobRunning
	}
	if err != nil {
		return JobUnknown
	}
	// Free: its worker is gone. The lock is let go with the file left in
	// place, so that the state stays visible until a worker takes it.
	l.lock.Unlock()
	return JobAbandoned
}
