package transform

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// Runner runs transformations on a vault's notes.
type Runner struct {
	Vault *persistence.Vault
	Chat  *Chat
	// Model is the chat model for transformations that name none.
	Model string
	Now   func() time.Time // time.Now when nil
}

// Step is what one transformation of a chain did.
type Step struct {
	T *Transformation
	// Result is the model's answer, as placed.
	Result string
	// Note is the note after the step (nil: unchanged), New a note it made.
	Note, New *persistence.Note
	// Kept is the file that holds the note's text from before the step.
	Kept string
}

// ErrChanged is a note that changed while it was being transformed: the
// person's typing (or another program's write) wins, and the result is
// kept apart instead of replacing anything.
var ErrChanged = errors.New("the note changed while it was being transformed")

// Run runs t, and the transformations its "then:" chains to, on note id:
// each takes the one before's result as its text, and each places its own
// result as its output says. selection, when not empty, is the part of
// the note the first transformation works on (and replaces). With dryRun
// nothing is written. progress (may be nil) gets each step's answer as it
// streams in. A step that fails leaves its note as it was: the steps
// before it are done.
func (r *Runner) Run(ctx context.Context, id string, chain []*Transformation, selection string, dryRun bool, progress func(t *Transformation, sofar string)) ([]Step, error) {
	now := r.Now
	if now == nil {
		now = time.Now
	}
	n, err := r.Vault.Note(id)
	if err != nil {
		return nil, err
	}
	var steps []Step
	input := ""
	for i, t := range chain {
		if i == 0 {
			input = Input(t, n, selection)
		}
		if input == "" {
			return steps, fmt.Errorf("note %s has no text to transform", id)
		}
		model := t.Model
		if model == "" {
			model = r.Model
		}
		var p func(string)
		if progress != nil {
			p = func(s string) { progress(t, s) }
		}
		// The text a step may replace is kept before the model is asked,
		// so the wait for the answer pays for it, not the moment after;
		// a step that comes to nothing takes its copy back.
		kept := ""
		if !dryRun && (t.Output == Replace || t.Output == Section) {
			if kept, err = KeepBefore(r.Vault, n, t, now()); err != nil {
				return steps, err
			}
		}
		result, err := r.Chat.Complete(ctx, Request{Model: model, Messages: Messages(t, n, input, selection), Temperature: t.Temperature}, p)
		if err != nil {
			dropKept(kept)
			return steps, fmt.Errorf("%s: %w", t.Title, err)
		}
		step := Step{T: t, Result: result}
		if !dryRun {
			sel := ""
			if i == 0 {
				sel = selection
			}
			if step, err = r.place(n, t, result, sel, model, kept, now()); err != nil {
				if step.Note == nil && !errors.Is(err, ErrChanged) {
					dropKept(kept)
				}
				return steps, err
			}
			if step.Note != nil {
				n = step.Note
			}
		}
		steps = append(steps, step)
		input = step.Result
	}
	return steps, nil
}

// place saves one step's result: the text it replaces is kept first, then
// the note is changed under the vault's write lock, only if it is as the
// transformation read it.
func (r *Runner) place(read *persistence.Note, t *Transformation, result, selection, model, kept string, at time.Time) (Step, error) {
	step := Step{T: t, Result: result}
	prov := Provenance(t, model, r.Chat.Host(), at)
	switch t.Output {
	case Clipboard:
		return step, nil
	case NewNote:
		made, err := Place(read, t, result, selection, prov, r.Vault.NewNote)
		if err != nil {
			return step, err
		}
		if err := r.Vault.Save(made); err != nil {
			return step, err
		}
		step.New = made
		return step, nil
	}
	step.Kept = kept
	n, err := r.Vault.Update(read.ID, func(n *persistence.Note) error {
		if n.Body != read.Body {
			return ErrChanged
		}
		_, err := Place(n, t, result, selection, prov, nil)
		return err
	})
	if errors.Is(err, ErrChanged) {
		// Their typing wins: the result is kept beside the text it was
		// made from, for the person to take what they want of it.
		out := *read
		out.Body = result
		path, kerr := KeepBefore(r.Vault, &out, &Transformation{Name: t.Name + "-result"}, at)
		if kerr != nil {
			return step, fmt.Errorf("%s: %w, so its result was not put in; and it could not be kept either: %v", t.Title, ErrChanged, kerr)
		}
		return step, fmt.Errorf("%s: %w, so its result was not put in (nothing you typed is overwritten); the result is kept in %s", t.Title, ErrChanged, path)
	}
	if err != nil {
		return step, err
	}
	step.Note = n
	return step, nil
}

// Undo takes a step back: the text it replaced is put back (and its line
// in "transformed" removed), or the note it made goes to the trash, as
// long as nobody changed the note since. A note changed since is left as
// it is: the error says where the text before is kept.
func (r *Runner) Undo(s Step) (*persistence.Note, error) {
	if s.New != nil {
		if _, err := r.Vault.Trash(s.New.ID); err != nil {
			return nil, err
		}
		return nil, nil
	}
	if s.Note == nil || s.Kept == "" {
		return nil, nil // nothing was changed
	}
	before, err := ReadKept(s.Kept)
	if err != nil {
		return nil, err
	}
	return r.Vault.Update(s.Note.ID, func(n *persistence.Note) error {
		if n.Body != s.Note.Body {
			return fmt.Errorf("%w since %s ran, so it is not undone (nothing you typed is overwritten); the text before is kept in %s", ErrChanged, s.T.Title, s.Kept)
		}
		if n.TranscriptHash == transcribe.Hash(n.Body) {
			n.TranscriptHash = transcribe.Hash(before)
		}
		n.Body = before
		n.Transformed = slices.DeleteFunc(n.Transformed, func(l string) bool { return strings.HasPrefix(l, s.T.Name+" · ") })
		return nil
	})
}
