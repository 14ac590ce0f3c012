// Package cli is the voicenotes command line: it parses arguments, opens the
// vault and runs one command. Exit codes: 0 ok, 1 error, 2 usage.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/audio/device"
	"github.com/voicenotes/voicenotes/instance"
	"github.com/voicenotes/voicenotes/internal/earlylog"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
	"github.com/voicenotes/voicenotes/settings"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// Env is what a command may use: standard streams, and the window, which
// main supplies so this package needs no GUI.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Window runs the app window on a vault opened exclusively, until the
	// user quits. recovered lists recordings rebuilt after a crash.
	Window func(v *persistence.Vault, recovered []*persistence.Note) error
	// PreferredVault is the vault chosen in the app's settings, used by
	// the window when neither --vault nor $VOICENOTES_VAULT says.
	PreferredVault func() string
	// Settings are the choices made in the window's Settings, which
	// commands take where their flags say nothing (the chat server of
	// transformations); nil: the defaults.
	Settings func() settings.Settings
	// WindowError shows why the window cannot open (the vault is locked by
	// another window, the folder cannot be created) to someone who started
	// the app from a desktop menu and sees no terminal.
	WindowError func(error)
}

// settings are the window's settings, or the defaults.
func (env *Env) settings() settings.Settings {
	if env.Settings == nil {
		return settings.Defaults()
	}
	return env.Settings()
}

// errReported is an error already shown to the user (exit 1, no message).
var errReported = errors.New("reported")

// usageError is an error in how the command was called (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// Main runs the command line and returns the exit code.
func Main(args []string, env Env) int {
	err := run(args, &env)
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.Is(err, errReported):
		return ExitError
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "voicenotes: %s\nRun 'voicenotes help' for usage.\n", printable(err.Error(), true))
		return ExitUsage
	default:
		fmt.Fprintf(env.Stderr, "voicenotes: %s\n", printable(err.Error(), true))
		return ExitError
	}
}

func run(args []string, env *Env) error {
	global := flag.NewFlagSet("voicenotes", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	vaultFlag := global.String("vault", "", "the vault folder")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(env.Stdout)
			return err
		}
		return usagef("%v", err)
	}
	args = global.Args()
	if len(args) == 0 {
		if env.Window == nil {
			return errors.New("this build has no window; run 'voicenotes help' for the commands")
		}
		choice := *vaultFlag
		if choice == "" && os.Getenv(persistence.VaultEnv) == "" && env.PreferredVault != nil {
			choice = env.PreferredVault()
		}
		root, err := persistence.ResolveRoot(choice)
		if err != nil {
			return err
		}
		var recovered []*persistence.Note
		v, err := persistence.Open(root, persistence.Options{Exclusive: true, Maintain: recoverInto(&recovered)})
		var locked *persistence.LockedError
		if errors.As(err, &locked) {
			// Already open: bring that window to the front instead.
			if reply, serr := instance.Send(locked.Vault, instance.Show); serr == nil && reply == "ok" {
				fmt.Fprintln(env.Stderr, "voicenotes: already open on this vault; brought that window to the front")
				return nil
			}
		}
		if err != nil {
			if env.WindowError != nil {
				fmt.Fprintf(env.Stderr, "voicenotes: %v\n", err)
				env.WindowError(err)
				return errReported
			}
			return err
		}
		defer v.Close()
		if v.Maintenance.Err != nil {
			log.Printf("vault maintenance: %v", v.Maintenance.Err)
		}
		return env.Window(v, recovered)
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if cmd := lookup(args[1]); cmd != nil {
				cmd.usage(env.Stdout, cmd.flagSet(vaultFlag))
				return nil
			}
		}
		printUsage(env.Stdout)
		return nil
	}
	cmd := lookup(args[0])
	if cmd == nil {
		return usagef("unknown command %q", args[0])
	}
	fs := cmd.flagSet(vaultFlag)
	pos, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		cmd.usage(env.Stdout, fs)
		return err
	}
	if err != nil {
		if arg, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok && cmd.nargs != 0 {
			return usagef("%s: %s is not one of its flags; if it is a note id, put -- before it: voicenotes %s -- %s", cmd.name, arg, cmd.name, arg)
		}
		return usagef("%s: %v", cmd.name, err)
	}
	if cmd.nargs >= 0 && len(pos) != cmd.nargs {
		return usagef("usage: voicenotes %s %s", cmd.name, cmd.args)
	}
	root, err := persistence.ResolveRoot(*vaultFlag)
	if err != nil {
		return err
	}
	if cmd.records {
		// The audio system starts (PortAudio probes every device, a tenth
		// of a second here and a third on a loaded machine) while the
		// vault opens and recovers: capture begins that much sooner. The
		// command's own Init waits for it; its failure is reported there.
		started := make(chan error, 1)
		go func() { started <- device.Init() }()
		defer func() {
			if <-started == nil {
				device.Terminate()
			}
		}()
	}
	var recovered []*persistence.Note
	v, err := persistence.Open(root, persistence.Options{Maintain: recoverInto(&recovered)})
	if err != nil {
		return err
	}
	defer v.Close()
	if err := v.Maintenance.Err; err != nil {
		fmt.Fprintf(env.Stderr, "voicenotes: warning: vault maintenance: %v\n", err)
	}
	for _, n := range recovered {
		fmt.Fprintf(env.Stderr, "voicenotes: recovered an interrupted recording as note %s (%s)\n", n.ID, audio.FormatDuration(n.Duration))
	}
	return cmd.run(env, v, fs, pos)
}

// recoverInto is the maintenance that finalizes interrupted recordings when
// a vault is opened, collecting their notes.
func recoverInto(notes *[]*persistence.Note) []func(*persistence.Vault) error {
	return []func(*persistence.Vault) error{func(v *persistence.Vault) (err error) {
		*notes, err = recording.Recover(v)
		return err
	}}
}

// OpenLog sends the log (and the audio libraries' chatter) to
// voicenotes.log in the user's cache folder, private to the user, so it
// never clutters a terminal. It returns the file's path, or "" when there is
// no cache folder (then the log is dropped).
//
// What libraries logged while the program started (held back by
// internal/earlylog) goes into the log first.
func OpenLog() string {
	device.Logf = log.Printf
	var out io.Writer = io.Discard
	defer func() { earlylog.Release(out) }()
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	dir = filepath.Join(dir, "voicenotes")
	if err := os.MkdirAll(dir, persistence.DirPerm); err != nil {
		return ""
	}
	path := filepath.Join(dir, "voicenotes.log")
	if st, err := os.Stat(path); err == nil && st.Size() > 4<<20 {
		os.Rename(path, path+".old") // keep one old log
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, persistence.FilePerm)
	if err != nil {
		return ""
	}
	out = f
	return path
}
