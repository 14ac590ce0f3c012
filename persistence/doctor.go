package persistence

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// PartialExt marks a recording in progress (or interrupted):
// <id>.wav.partial. The name matches neither finished audio nor the atomic
// writer's temp files, so cleanup never removes it; recovery finalizes it
// after a crash.
const PartialExt = ".wav.partial"

// Health is what doctor reports about a vault.
type Health struct {
	Root         string
	Notes        int
	Bad          []BadFile
	Temps        []string // this app's temp files; stale ones are removed at open
	Partials     []string // recordings in progress or awaiting recovery
	OrphanAudio  []string // audio files no note refers to
	MissingAudio []string // ids of notes whose audio is not there
	Lock         string   // who holds the vault lock
	// Access lists what other users can do in the vault, or what in it
	// this user cannot change, each with the command that fixes it.
	Access []string
}

// Check inspects the vault without changing anything.
func (v *Vault) Check() (*Health, error) {
	h := &Health{Root: v.root}
	notes, bad, err := v.List()
	if err != nil {
		return nil, err
	}
	h.Notes, h.Bad = len(notes), bad
	used := map[string]bool{}
	for _, n := range notes {
		if p, ok := v.AudioPath(n); ok {
			used[p] = true
		} else if n.Audio != "" || n.Duration > 0 {
			h.MissingAudio = append(h.MissingAudio, n.ID)
		}
	}
	entries, err := v.fs.ReadDir(v.RecordingsPath())
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name, path := e.Name(), filepath.Join(v.RecordingsPath(), e.Name())
		switch {
		case IsOwnTemp(name):
			h.Temps = append(h.Temps, path)
		case strings.HasSuffix(name, PartialExt):
			h.Partials = append(h.Partials, path)
		case slices.Contains(AudioExts, filepath.Ext(name)) && !strings.HasPrefix(name, ".") && !used[path]:
			h.OrphanAudio = append(h.OrphanAudio, path)
		}
	}
	h.Lock = v.lockState()
	h.Access = v.access(entries)
	return h, nil
}

func (v *Vault) lockState() string {
	if v.lock != nil {
		return "held by this process"
	}
	path := filepath.Join(v.root, StateDir, lockName)
	l, err := TryLock(path)
	if errors.Is(err, ErrLocked) {
		if pid := lockHolder(path); pid > 0 {
			return fmt.Sprintf("held by process %d (a Voice Notes window is open on this vault)", pid)
		}
		return "held by another process"
	}
	if err != nil {
		return "unknown: " + err.Error()
	}
	l.Unlock()
	return "free"
}

// access says what in the vault others can write, and what this user
// cannot replace (a note or lock left by `sudo voicenotes ...` belongs to
// root: saves then fail, and the user's list loses the note).
func (v *Vault) access(entries []fs.DirEntry) []string {
	var out []string
	if v.keepsnoModes() {
		out = append(out, fmt.Sprintf("%s is on a file system that keeps no permissions (FAT, exFAT, or a share like them): its notes and recordings cannot be made private, and anyone who can read the disk can read them; keep private notes on a disk of this computer, or an encrypted one", v.root))
		return out
	}
	for _, dir := range []string{v.root, v.RecordingsPath(), filepath.Join(v.root, StateDir)} {
		st, err := v.fs.Stat(dir)
		if err != nil || !st.IsDir() {
			continue
		}
		if st.Mode().Perm()&0o022 != 0 {
			out = append(out, fmt.Sprintf("%s is writable by other users (%v): anyone on this computer can add, change or remove notes there; to make it yours alone: chmod go-w %q", dir, st.Mode().Perm(), dir))
		}
	}
	me := os.Getuid()
	check := func(path string) {
		st, err := v.fs.Lstat(path)
		if err != nil {
			return
		}
		if uid, ok := fileOwner(st); ok && me >= 0 && uid != me {
			out = append(out, fmt.Sprintf("%s belongs to another user (uid %d), so Voice Notes cannot replace it and your list may not show it; to take it back: sudo chown %d %q", path, uid, me, path))
		}
	}
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".md") || slices.Contains(AudioExts, filepath.Ext(name)) {
			check(filepath.Join(v.RecordingsPath(), name))
		}
	}
	for _, name := range []string{lockName, writeLockName} {
		check(filepath.Join(v.root, StateDir, name))
	}
	return out
}

// keepsNoModes says whether the vault's file system drops permissions: a
// file made private there does not stay so (FAT, exFAT). Windows keeps
// access in ACLs, not modes: never said there.
func (v *Vault) keepsnoModes() bool {
	if runtime.GOOS == "windows" {
		return false
	}
	p, err := CreatePending(v.fs, filepath.Join(v.root, StateDir, "modes-probe"), FilePerm)
	if err != nil {
		return false
	}
	defer p.Cleanup()
	if err := p.f.Chmod(FilePerm); err != nil {
		return noModes(err)
	}
	st, err := p.f.Stat()
	return err == nil && st.Mode().Perm() != FilePerm
}
