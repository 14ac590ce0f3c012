package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/instance"
	"github.com/voicenotes/voicenotes/keyboard"
	"github.com/voicenotes/voicenotes/persistence"
)

func runToggle(env *Env, v *persistence.Vault, _ *flag.FlagSet, _ []string) error {
	reply, err := instance.Send(v.Root(), instance.Toggle)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, reply)
	return nil
}

func runMark(env *Env, v *persistence.Vault, _ *flag.FlagSet, args []string) error {
	cmd := instance.Mark
	if label := strings.Join(strings.Fields(strings.Join(args, " ")), " "); label != "" {
		cmd += " " + label
	}
	reply, err := instance.Send(v.Root(), cmd)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(reply, "marked") {
		return fmt.Errorf("no marker dropped: the window says %q; start a recording first (Ctrl+R or voicenotes toggle)", reply)
	}
	fmt.Fprintln(env.Stdout, reply)
	return nil
}

// runDictate starts or stops a dictation in the running window; with
// --duration or --paste, or with no window running, it dictates here:
// records a note tagged dictation until --duration or Ctrl+C, transcribes
// it, prints its words on standard output and, with --paste, types them
// into the window that had the keyboard when it began, if it still has it.
func runDictate(env *Env, v *persistence.Vault, fs *flag.FlagSet, _ []string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["duration"] && !set["paste"] {
		reply, err := instance.Send(v.Root(), instance.Dictate)
		if err == nil {
			fmt.Fprintln(env.Stdout, reply)
			return nil
		}
		if !errors.Is(err, instance.ErrNotRunning) {
			return err
		}
		fmt.Fprintln(env.Stderr, "voicenotes: the window is not running: dictating here (Ctrl+C stops)")
	}
	return dictateHere(env, v, fs)
}

// dictateHere is a dictation without the window.
func dictateHere(env *Env, v *persistence.Vault, fs *flag.FlagSet) error {
	paste := flagValue[bool](fs, "paste")
	var target keyboard.Window
	if paste {
		var err error
		if target, err = keyboard.Focused(); err != nil {
			return fmt.Errorf("--paste: %w", err)
		}
	}
	n, ids, err := capture(env, v, fs, "", []string{DictationTag}, nil)
	if n == nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "saved %s (%s)\n", n.Path, audio.FormatDuration(n.Duration))
	if len(ids) > 0 {
		// The queue's progress goes to standard error: standard output
		// is the words alone.
		quiet := *env
		quiet.Stdout = env.Stderr
		if qerr := runQueue(&quiet, v, fs, ids); qerr != nil {
			return errors.Join(err, fmt.Errorf("%w; the dictation is kept as note %s", qerr, n.ID))
		}
	}
	if fresh, rerr := v.Note(n.ID); rerr == nil {
		n = fresh
	}
	text := strings.TrimSpace(n.Body)
	if text == "" {
		return errors.Join(err, fmt.Errorf("the dictation heard no words; its recording is kept as note %s", n.ID))
	}
	fmt.Fprintln(env.Stdout, text)
	if !paste {
		return err
	}
	switch now, ferr := keyboard.Focused(); {
	case ferr != nil:
		return errors.Join(err, fmt.Errorf("not typed: %w", ferr))
	case now != target:
		return errors.Join(err, fmt.Errorf("not typed: the window that had the keyboard when the dictation began (%q) no longer has it; the words are above and in note %s", keyboard.Title(target), n.ID))
	}
	defer keyboard.Finish()
	if terr := keyboard.Type(text); terr != nil {
		return errors.Join(err, fmt.Errorf("not typed: %w", terr))
	}
	fmt.Fprintf(env.Stderr, "typed into %q\n", keyboard.Title(target))
	return err
}

// DictationTag is the tag every dictation's note gets (the window's too).
const DictationTag = "dictation"
