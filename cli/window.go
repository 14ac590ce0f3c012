package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/voicenotes/voicenotes/instance"
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

func runDictate(env *Env, v *persistence.Vault, _ *flag.FlagSet, _ []string) error {
	reply, err := instance.Send(v.Root(), instance.Dictate)
	if errors.Is(err, instance.ErrNotRunning) {
		return fmt.Errorf("%w: dictation runs in the window; start Voice Notes, then bind voicenotes dictate to a desktop shortcut", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, reply)
	return nil
}
