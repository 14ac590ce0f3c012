package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
	"github.com/voicenotes/voicenotes/transform"
)

func runTransformations(env *Env, v *persistence.Vault, _ *flag.FlagSet, _ []string) error {
	ts, bad, err := transform.Load(v)
	if err != nil {
		return err
	}
	for _, t := range ts {
		auto := ""
		if t.Auto {
			auto = ", after each transcription"
		}
		then := ""
		if t.Then != "" {
			then = ", then " + t.Then
		}
		fmt.Fprintf(env.Stdout, "%-16s %s (%s%s%s)\n", t.Name, printable(t.Title, false), outputWords(t), auto, then)
		if t.Description != "" {
			fmt.Fprintf(env.Stdout, "%-16s %s\n", "", printable(t.Description, false))
		}
	}
	for _, b := range bad {
		fmt.Fprintf(env.Stderr, "voicenotes: %s\n", printable(b.Error(), true))
	}
	fmt.Fprintf(env.Stdout, "\nEdit, copy or delete them in %s.\n", transform.Dir(v))
	return nil
}

// outputWords says where a transformation's result goes.
func outputWords(t *transform.Transformation) string {
	switch t.Output {
	case transform.Section:
		return "adds a section \"" + t.HeadingText() + "\""
	case transform.NewNote:
		return "makes a new note"
	case transform.Clipboard:
		return "prints, changes no note"
	}
	return "replaces the text"
}

func runTransform(env *Env, v *persistence.Vault, fs *flag.FlagSet, args []string) error {
	id, name := args[0], args[1]
	ts, _, err := transform.Load(v)
	if err != nil {
		return err
	}
	t, err := transform.Find(ts, name)
	if err != nil {
		return usagef("%v", err)
	}
	chain, err := transform.Chain(ts, t)
	if err != nil {
		return err
	}
	s := env.settings()
	base := cmp.Or(flagValue[string](fs, "base-url"), s.ChatBaseURL)
	key, err := transcribe.LoadAPIKey(base)
	if err != nil {
		return fmt.Errorf("reading the chat server's API key from the system keychain: %v (or set $%s)", err, transcribe.APIKeyEnv)
	}
	chat, err := transform.NewChat(base, key)
	if err != nil {
		return err
	}
	model := cmp.Or(flagValue[string](fs, "model"), s.ChatModel)
	if flagValue[string](fs, "model") != "" {
		for _, c := range chain {
			c.Model = "" // the flag wins over each file's model
		}
	}
	// Ctrl+C or SIGTERM ends the request; nothing half-made is saved.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dry := flagValue[bool](fs, "dry-run")
	tty := isTerminal(env.Stderr)
	shown := 0
	steps, err := (&transform.Runner{Vault: v, Chat: chat, Model: model}).Run(ctx, id, chain, "", dry, func(t *transform.Transformation, sofar string) {
		if tty && len(sofar) > shown { // the answer as it streams in
			fmt.Fprint(env.Stderr, printable(sofar[shown:], true))
			shown = len(sofar)
		}
	})
	if tty && shown > 0 {
		fmt.Fprintln(env.Stderr)
	}
	for _, st := range steps {
		switch {
		case dry || st.T.Output == transform.Clipboard:
			fmt.Fprintln(env.Stdout, strings.TrimRight(printable(st.Result, true), "\n"))
		case st.New != nil:
			fmt.Fprintf(env.Stdout, "%s: made note %s (%s)\n", st.T.Name, st.New.ID, printable(st.New.Title, false))
		default:
			fmt.Fprintf(env.Stdout, "%s: saved %s; the text before is kept in %s\n", st.T.Name, id, st.Kept)
		}
	}
	return err
}
