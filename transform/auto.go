package transform

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// Transformations marked "auto: true" run after each transcription,
// through a queue that survives a crash or a quit: a note is marked (a
// file in .voicenotes/transform-pending named by its id) before its
// transcription begins, and the mark goes only once every auto
// transformation has placed its result. Each result is saved in one
// atomic write, so after any crash a note is either not transformed yet
// (and its mark still there, so the next start runs it) or fully
// transformed by a step; a step whose result was saved is not run again
// (the note's "transformed" says so).

// pendingDir is where the marks are.
func pendingDir(v *persistence.Vault) string {
	return filepath.Join(v.Root(), persistence.StateDir, "transform-pending")
}

// maxAttempts is how many starts try a note's auto transformations
// before they are given up (logged): a server that is down for a day
// must not be asked at every start for ever.
const maxAttempts = 5

// Autos are the transformations of ts that run after transcription.
func Autos(ts []*Transformation) []*Transformation {
	var out []*Transformation
	for _, t := range ts {
		if t.Auto {
			out = append(out, t)
		}
	}
	return out
}

// Mark queues note id for the auto transformations, durably, with when.
// It is done before the note's transcription begins.
func Mark(v *persistence.Vault, id string, at time.Time) error {
	if err := persistence.ValidateID(id); err != nil {
		return err
	}
	if _, err := os.Lstat(filepath.Join(pendingDir(v), id)); err == nil {
		return nil // already queued: keep its time and its attempts
	}
	if err := persistence.MkdirPrivate(persistence.OS, pendingDir(v)); err != nil {
		return err
	}
	return writeMark(v, id, at, 0)
}

func writeMark(v *persistence.Vault, id string, at time.Time, attempts int) error {
	data := at.UTC().Format(persistence.TimeFormat) + "\n" + strconv.Itoa(attempts) + "\n"
	return persistence.WriteFile(persistence.OS, filepath.Join(pendingDir(v), id), []byte(data), persistence.FilePerm)
}

// Pending are the notes queued for auto transformations.
func Pending(v *persistence.Vault) ([]string, error) {
	entries, err := os.ReadDir(pendingDir(v))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if e.Type().IsRegular() && persistence.ValidateID(e.Name()) == nil {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

func readMark(v *persistence.Vault, id string) (at time.Time, attempts int, err error) {
	data, err := os.ReadFile(filepath.Join(pendingDir(v), id))
	if err != nil {
		return time.Time{}, 0, err
	}
	lines := strings.Split(string(data), "\n")
	at, err = time.Parse(persistence.TimeFormat, strings.TrimSpace(lines[0]))
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("the mark of %s is not readable: %w", id, err)
	}
	if len(lines) > 1 {
		attempts, _ = strconv.Atoi(strings.TrimSpace(lines[1]))
	}
	return at, attempts, nil
}

func unmark(v *persistence.Vault, id string) error {
	err := os.Remove(filepath.Join(pendingDir(v), id))
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return persistence.SyncDir(persistence.OS, pendingDir(v))
	}
	return err
}

// doneSince reports whether note n holds t's result made at or after at.
func doneSince(n *persistence.Note, t *Transformation, at time.Time) bool {
	for _, l := range n.Transformed {
		rest, ok := strings.CutPrefix(l, t.Name+" · ")
		if !ok {
			continue
		}
		i := strings.LastIndex(rest, " · ")
		if when, err := time.Parse(persistence.TimeFormat, rest[i+len(" · "):]); err == nil && !when.Before(at.Truncate(time.Millisecond)) {
			return true
		}
	}
	return false
}

// RunPending runs the auto transformations of ts on every queued note
// whose transcript is done, and unmarks each once all are placed. A note
// still being transcribed stays queued; one gone is unmarked. It returns
// the steps done, and the first error (the others are logged).
func (r *Runner) RunPending(ctx context.Context, ts []*Transformation) ([]Step, error) {
	ids, err := Pending(r.Vault)
	if err != nil {
		return nil, err
	}
	autos := Autos(ts)
	var all []Step
	var first error
	for _, id := range ids {
		if ctx.Err() != nil {
			return all, ctx.Err()
		}
		steps, err := r.runMarked(ctx, id, ts, autos)
		all = append(all, steps...)
		if err != nil && ctx.Err() == nil {
			log.Printf("transform: %s: %v", id, err)
			if first == nil {
				first = err
			}
		}
	}
	return all, first
}

func (r *Runner) runMarked(ctx context.Context, id string, ts, autos []*Transformation) ([]Step, error) {
	at, attempts, err := readMark(r.Vault, id)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil // done meanwhile by another process
		}
		return nil, errors.Join(err, unmark(r.Vault, id))
	}
	n, err := r.Vault.Note(id)
	if errors.Is(err, persistence.ErrNotFound) {
		return nil, unmark(r.Vault, id) // deleted
	}
	if err != nil {
		return nil, err
	}
	if n.TranscriptionStatus != persistence.StatusDone {
		if n.TranscriptionStatus == persistence.StatusFailed {
			return nil, unmark(r.Vault, id) // no transcript to transform
		}
		return nil, nil // still to be transcribed: it stays queued
	}
	var steps []Step
	for _, t := range autos {
		if doneSince(n, t, at) || strings.TrimSpace(n.Body) == "" {
			continue
		}
		if t.Output == Replace && n.TranscriptHash != transcribe.Hash(n.Body) {
			// The person has edited the text since the engine wrote it:
			// what they typed is not replaced on its own (the menu can).
			continue
		}
		chain, err := Chain(ts, t)
		if err == nil {
			var s []Step
			s, err = r.Run(ctx, id, chain, "", false, nil)
			steps = append(steps, s...)
		}
		if err != nil {
			if ctx.Err() != nil {
				return steps, err // quitting: the next start goes on
			}
			if attempts+1 >= maxAttempts {
				return steps, errors.Join(fmt.Errorf("%s gave up after %d tries: %w", t.Name, attempts+1, err), unmark(r.Vault, id))
			}
			return steps, errors.Join(err, writeMark(r.Vault, id, at, attempts+1))
		}
		if n, err = r.Vault.Note(id); err != nil {
			return steps, err
		}
	}
	return steps, unmark(r.Vault, id)
}

// MarkIfAuto queues note id for the auto transformations when any is set
// to run (Mark).
func MarkIfAuto(v *persistence.Vault, id string, at time.Time) error {
	ts, _, err := Load(v)
	if err != nil || len(Autos(ts)) == 0 {
		return err
	}
	return Mark(v, id, at)
}
