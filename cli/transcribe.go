package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/merge"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
	"github.com/voicenotes/voicenotes/transcribe"
	"github.com/voicenotes/voicenotes/transform"
)

func runEngines(env *Env, _ *persistence.Vault, _ *flag.FlagSet, _ []string) error {
	def := transcribe.DefaultEngine()
	for _, e := range transcribe.Engines() {
		mark := " "
		if e.Name == def {
			mark = "*"
		}
		state := "available"
		if e.Unavailable != "" {
			state = "unavailable: " + e.Unavailable
		}
		fmt.Fprintf(env.Stdout, "%s %-13s %s\n    %s\n", mark, e.Name, e.Description, state)
	}
	return nil
}

// engineFrom builds the engine the flags name.
func engineFrom(fs *flag.FlagSet) (transcribe.Engine, transcribe.Options, error) {
	return transcribe.Choice{
		Engine:   flagValue[string](fs, "engine"),
		BaseURL:  flagValue[string](fs, "base-url"),
		Model:    flagValue[string](fs, "model"),
		Language: flagValue[string](fs, "language"),
	}.Open()
}

// runQueue transcribes ids with a progress line on a terminal; it returns
// an error naming the notes that failed.
func runQueue(env *Env, v *persistence.Vault, fs *flag.FlagSet, ids []string) error {
	engine, opts, err := engineFrom(fs)
	if err != nil {
		return err
	}
	tty := isTerminal(env.Stderr)
	var failed []string
	chat := env.settings().ChatBaseURL != ""
	q := transcribe.NewQueue(v, func() (transcribe.Engine, transcribe.Options, error) { return engine, opts, nil }, func(u transcribe.Update) {
		switch u.Status {
		case persistence.StatusTranscribing:
			if u.Note != nil && chat { // queued for its transformations before the engine runs
				if err := transform.MarkIfAuto(v, u.ID, time.Now()); err != nil {
					fmt.Fprintf(env.Stderr, "voicenotes: %s will not be transformed on its own: %v\n", u.ID, printable(err.Error(), true))
				}
			}
			if tty {
				fmt.Fprintf(env.Stderr, "\r%s [%s] %3.0f%%", u.ID, bar(u.Progress, 30), 100*u.Progress)
			}
		case persistence.StatusDone:
			if tty {
				fmt.Fprint(env.Stderr, "\r\033[K")
			}
			fmt.Fprintf(env.Stdout, "%s transcribed\n", u.ID)
			if u.Note != nil {
				if c := len(merge.Find(u.Note.Body)); c > 0 {
					fmt.Fprintf(env.Stdout, "%s: the new transcript and your edits changed the same words in %d place(s), each marked ⟦yours: … ‖ new: …⟧ in the text: keep one (the window offers both; voicenotes versions %s lists the transcripts)\n", u.ID, c, u.ID)
				}
			}
		case persistence.StatusFailed:
			if tty {
				fmt.Fprint(env.Stderr, "\r\033[K")
			}
			failed = append(failed, u.ID)
			fmt.Fprintf(env.Stderr, "voicenotes: %s failed: %s\n", u.ID, printable(u.Err.Error(), true))
		}
	})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	q.Enqueue(ids...)
	q.Drain(ctx)
	if ctx.Err() != nil {
		return errors.New("interrupted; unfinished notes are transcribed at the next start")
	}
	var errs []error
	if len(failed) > 0 {
		errs = append(errs, fmt.Errorf("%d of %d notes failed (%s); their audio is kept, and 'voicenotes transcribe ID' retries", len(failed), len(ids), strings.Join(failed, ", ")))
	}
	if chat {
		errs = append(errs, runAutoTransforms(ctx, env, v))
	}
	return errors.Join(errs...)
}

// runAutoTransforms runs the transformations set to run after
// transcription on the notes queued for them.
func runAutoTransforms(ctx context.Context, env *Env, v *persistence.Vault) error {
	if ids, _ := transform.Pending(v); len(ids) == 0 {
		return nil
	}
	s := env.settings()
	key, err := transcribe.LoadAPIKey(s.ChatBaseURL)
	if err != nil {
		key = "" // no keychain: a local server needs none, and one that does says so
	}
	chat, err := transform.NewChat(s.ChatBaseURL, key)
	if err != nil {
		return err
	}
	ts, _, err := transform.Load(v)
	if err != nil {
		return err
	}
	steps, err := (&transform.Runner{Vault: v, Chat: chat, Model: s.ChatModel}).RunPending(ctx, ts)
	for _, st := range steps {
		switch {
		case st.New != nil:
			fmt.Fprintf(env.Stdout, "%s made by %s\n", st.New.ID, st.T.Name)
		case st.Note != nil:
			fmt.Fprintf(env.Stdout, "%s transformed: %s\n", st.Note.ID, st.T.Name)
		}
	}
	if err != nil {
		return fmt.Errorf("the automatic transformations: %w (tried again at the next start)", err)
	}
	return nil
}

func bar(f float64, width int) string {
	n := max(0, min(width, int(f*float64(width))))
	return strings.Repeat("#", n) + strings.Repeat(".", width-n)
}

// checkStore says what is wrong with --store.
func checkStore(fs *flag.FlagSet) error {
	if f := flagValue[string](fs, "store"); !slices.Contains(audio.StoreFormats, f) {
		return usagef("--store %q: choose one of %s", f, strings.Join(audio.StoreFormats, ", "))
	}
	return nil
}

func runImport(env *Env, v *persistence.Vault, fs *flag.FlagSet, files []string) error {
	if len(files) == 0 {
		return usagef("usage: voicenotes import FILE|FOLDER... [--title T]")
	}
	if err := checkStore(fs); err != nil {
		return err
	}
	var ids []string
	var errs []error
	folder := slices.ContainsFunc(files, func(f string) bool { st, err := os.Stat(f); return err == nil && st.IsDir() })
	args := files
	files, skipped := recording.ImportableFiles(files, true)
	if len(files) == 0 {
		return usagef("import: no audio or video files in %s (%d other files left alone)", strings.Join(args, " "), len(skipped))
	}
	for i, f := range files {
		if folder { // say how far along
			fmt.Fprintf(env.Stderr, "importing %d of %d: %s\n", i+1, len(files), f)
		}
		n, err := recording.Import(v, f, flagValue[string](fs, "title"))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := recording.Compact(context.Background(), v, n, flagValue[string](fs, "store")); err != nil {
			fmt.Fprintf(env.Stderr, "voicenotes: %v\n", err) // imported all the same, as a WAV
		}
		fmt.Fprintf(env.Stdout, "%s imported from %s\n", n.ID, f)
		ids = append(ids, n.ID)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(env.Stderr, "%d file(s) that are not audio or video were left alone\n", len(skipped))
	}
	if len(ids) > 0 && !flagValue[bool](fs, "no-transcribe") {
		if err := runQueue(env, v, fs, ids); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func runTranscribe(env *Env, v *persistence.Vault, fs *flag.FlagSet, ids []string) error {
	pending := flagValue[bool](fs, "pending")
	if pending == (len(ids) > 0) {
		return usagef("usage: voicenotes transcribe ID... | --pending")
	}
	if pending {
		q := transcribe.NewQueue(v, nil, nil)
		var err error
		if ids, err = q.EnqueuePending(); err != nil {
			return err
		}
		if len(ids) == 0 {
			fmt.Fprintln(env.Stderr, "nothing to transcribe")
			return nil
		}
	}
	for _, id := range ids {
		if _, err := v.Note(id); err != nil {
			return err
		}
	}
	return runQueue(env, v, fs, ids)
}
