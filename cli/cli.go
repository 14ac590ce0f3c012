// Package cli is the voicenotes command line: it parses arguments, opens the
// vault and runs one command. Exit codes: 0 ok, 1 error, 2 usage.
package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/audio/device"
	"github.com/voicenotes/voicenotes/instance"
	"github.com/voicenotes/voicenotes/internal/earlylog"
	"github.com/voicenotes/voicenotes/persistence"
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
	// WindowError shows why the window cannot open (the vault is locked by
	// another window, the folder cannot be created) to someone who started
	// the app from a desktop menu and sees no terminal.
	WindowError func(error)
}

// command is one subcommand.
type command struct {
	name, args, help string
	run              func(env *Env, v *persistence.Vault, fs *flag.FlagSet, args []string) error
	flags            func(fs *flag.FlagSet)
	nargs            int // required positional arguments; -1 for any
}

var commands = []*command{
	{name: "list", args: "[--json] [--tag T]", help: "list the notes, newest first", run: runList, nargs: 0,
		flags: func(fs *flag.FlagSet) {
			fs.Bool("json", false, "print JSON")
			fs.Var(&tagsValue{}, "tag", "only notes with this `tag` (#work, or work; a parent tag takes in its nested ones); repeat to need several")
		}},
	{name: "show", args: "ID", help: "print a note's file", run: runShow, nargs: 1},
	{name: "edit", args: "ID [--title T] [--text-file F] [--tag T] [--untag T]", help: "change a note's title, text or tags (F may be - for standard input)", run: runEdit, nargs: 1,
		flags: func(fs *flag.FlagSet) {
			fs.String("title", "", "new title")
			fs.String("text-file", "", "file with the new text, - for standard input")
			fs.Var(&tagsValue{}, "tag", "add this `tag` (letters, digits, _, - and /; a leading # is dropped); repeat for several")
			fs.Var(&tagsValue{}, "untag", "remove this `tag`; repeat for several")
		}},
	{name: "delete", args: "ID", help: "move a note and its audio to the vault's .trash folder", run: runDelete, nargs: 1},
	{name: "doctor", help: "check the vault's health", run: runDoctor, nargs: 0},
	{name: "toggle", help: "start or stop recording in the running window (bind it to a desktop shortcut)", run: runToggle, nargs: 0},
	{name: "mark", args: "[LABEL]", help: "drop a marker at this moment of the running window's recording (bind it to a shortcut too)", run: runMark, nargs: -1},
}

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

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// flagSet is the command's flags, with --vault bound to vault.
func (c *command) flagSet(vault *string) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(vault, "vault", *vault, "the vault `folder` (default: $"+persistence.VaultEnv+", else \""+persistence.DefaultVaultName+"\" in your documents folder)")
	if c.flags != nil {
		c.flags(fs)
	}
	return fs
}

// usage prints how to call the command and every flag with what it takes.
func (c *command) usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: voicenotes %s\n\n%s.\n\nflags:\n", strings.TrimSpace(c.name+" "+c.args), strings.ToUpper(c.help[:1])+c.help[1:])
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// lengthValue is a length given in seconds ("5", "1.5") or as a Go
// duration ("90s", "1m30s", "2h").
type lengthValue time.Duration

func (d *lengthValue) String() string { return time.Duration(*d).String() }
func (d *lengthValue) Get() any       { return time.Duration(*d) }
func (d *lengthValue) Set(s string) error {
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if secs < 0 || math.IsNaN(secs) || secs > math.MaxInt64/float64(time.Second) {
			return fmt.Errorf("%q is not a length in seconds", s)
		}
		*d = lengthValue(time.Duration(secs * float64(time.Second)))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a length: give seconds (30) or a duration (90s, 1m30s, 2h)", s)
	}
	*d = lengthValue(v)
	return nil
}

// lengthFlag defines a flag taking a length (see lengthValue).
func lengthFlag(fs *flag.FlagSet, name string, usage string) {
	v := lengthValue(0)
	fs.Var(&v, name, usage)
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
		*notes, err = audio.Recover(v)
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

// parseInterspersed parses flags that may come before, between or after
// positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" { // flag already consumed a lone "--": all the rest is positional
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "Voice Notes: record, transcribe and keep voice notes as Markdown files.\n\n")
	fmt.Fprintf(w, "usage:\n  voicenotes [--vault DIR]            open the window\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  voicenotes %-26s %s\n", strings.TrimSpace(c.name+" "+c.args), c.help)
	}
	fmt.Fprintf(w, "\nEvery command takes --vault DIR; the default is $%s, else \"%s\" in your documents folder.\n", persistence.VaultEnv, persistence.DefaultVaultName)
}

func flagValue[T any](fs *flag.FlagSet, name string) T {
	return fs.Lookup(name).Value.(flag.Getter).Get().(T)
}

// tagsValue is a flag given once per tag.
type tagsValue []string

func (t *tagsValue) String() string     { return strings.Join(*t, " ") }
func (t *tagsValue) Get() any           { return []string(*t) }
func (t *tagsValue) Set(s string) error { *t = append(*t, s); return nil }

// noteJSON is the stable JSON shape of "list --json".
type noteJSON struct {
	ID                  string   `json:"id"`
	Title               string   `json:"title"`
	CreatedAt           string   `json:"createdAt,omitempty"`
	UpdatedAt           string   `json:"updatedAt,omitempty"`
	DurationSeconds     float64  `json:"durationSeconds"`
	TranscriptionStatus string   `json:"transcriptionStatus"`
	Path                string   `json:"path"`
	Audio               string   `json:"audio,omitempty"`
	Tags                []string `json:"tags,omitempty"`
	Recovered           bool     `json:"recovered,omitempty"`
}

type badJSON struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(persistence.TimeFormat)
}

func runList(env *Env, v *persistence.Vault, fs *flag.FlagSet, _ []string) error {
	notes, bad, err := v.Headers()
	if err != nil {
		return err
	}
	for _, tag := range flagValue[[]string](fs, "tag") {
		notes = slices.DeleteFunc(notes, func(n *persistence.Note) bool { return !n.HasTag(tag) })
	}
	if flagValue[bool](fs, "json") {
		out := struct {
			Notes []noteJSON `json:"notes"`
			Bad   []badJSON  `json:"bad"`
		}{Notes: []noteJSON{}, Bad: []badJSON{}}
		for _, n := range notes {
			audio, _ := v.AudioPath(n)
			out.Notes = append(out.Notes, noteJSON{n.ID, n.Title, fmtTime(n.CreatedAt), fmtTime(n.UpdatedAt),
				n.Duration.Seconds(), string(n.TranscriptionStatus), n.Path, audio, n.Tags, n.Recovered})
		}
		for _, b := range bad {
			out.Bad = append(out.Bad, badJSON{b.Path, b.Reason})
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tDURATION\tSTATUS\tTITLE")
	for _, n := range notes {
		created := ""
		if !n.CreatedAt.IsZero() {
			created = n.CreatedAt.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", n.ID, created, audio.FormatDuration(n.Duration), n.TranscriptionStatus, printable(oneLine(n.Title), false))
	}
	tw.Flush()
	reportBad(env.Stderr, bad)
	return nil
}

func reportBad(w io.Writer, bad []persistence.BadFile) {
	for _, b := range bad {
		fmt.Fprintf(w, "voicenotes: skipped %s: %s\n", printable(b.Path, false), printable(b.Reason, false))
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func runShow(env *Env, v *persistence.Vault, _ *flag.FlagSet, args []string) error {
	n, err := v.Note(args[0])
	if err != nil {
		return err
	}
	data, err := persistence.ReadFile(v.FS(), n.Path)
	if err != nil {
		return err
	}
	if isTerminal(env.Stdout) { // piped, the file as it is
		data = []byte(printable(string(data), true))
	}
	_, err = env.Stdout.Write(data)
	return err
}

func runEdit(env *Env, v *persistence.Vault, fs *flag.FlagSet, args []string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["title"] && !set["text-file"] && !set["tag"] && !set["untag"] {
		return usagef("edit: nothing to change: give --title T, --text-file F, --tag T or --untag T")
	}
	add, remove := flagValue[[]string](fs, "tag"), flagValue[[]string](fs, "untag")
	for _, t := range add {
		if _, err := persistence.NormalizeTag(t); err != nil {
			return usagef("edit: %v", err)
		}
	}
	if _, err := v.Note(args[0]); err != nil {
		return err
	}
	var text []byte
	if set["text-file"] {
		var err error
		if name := flagValue[string](fs, "text-file"); name == "-" {
			text, err = io.ReadAll(env.Stdin)
		} else {
			text, err = os.ReadFile(name)
		}
		if err != nil {
			return fmt.Errorf("reading the new text: %w", err)
		}
	}
	// Read, change and write under the vault's write lock: another
	// program's change to the same note (its title, its transcript) lands
	// before or after this one, never lost between.
	n, err := v.Update(args[0], func(n *persistence.Note) error {
		if set["title"] {
			n.Title = flagValue[string](fs, "title")
			n.AutoTitle = false // typed by the person: never replaced
		}
		if set["text-file"] {
			n.Body = string(text)
		}
		for _, t := range remove {
			n.RemoveTag(t)
		}
		for _, t := range add {
			if _, _, err := n.AddTag(t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "saved %s\n", n.Path)
	return nil
}

func runDelete(env *Env, v *persistence.Vault, _ *flag.FlagSet, args []string) error {
	t, err := v.Trash(args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "moved %s to %s\n", strings.Join(t.Files, " and "), t.Dir)
	return nil
}

func runDoctor(env *Env, v *persistence.Vault, _ *flag.FlagSet, _ []string) error {
	h, err := v.Check()
	if err != nil {
		return err
	}
	w := env.Stdout
	fmt.Fprintf(w, "vault:          %s\n", printable(h.Root, false))
	fmt.Fprintf(w, "notes:          %d\n", h.Notes)
	fmt.Fprintf(w, "unreadable:     %d\n", len(h.Bad))
	for _, b := range h.Bad {
		fmt.Fprintf(w, "  %s: %s\n", printable(b.Path, false), printable(b.Reason, false))
	}
	list := func(label string, items []string, what string) {
		fmt.Fprintf(w, "%-15s %d\n", label+":", len(items))
		sort.Strings(items)
		for _, it := range items {
			fmt.Fprintf(w, "  %s%s\n", printable(it, false), what)
		}
	}
	list("temp files", h.Temps, " (left by an interrupted save; removed at open once an hour old)")
	list("partial audio", h.Partials, " (a recording in progress, or one to recover)")
	list("orphan audio", h.OrphanAudio, " (no note refers to it)")
	list("missing audio", h.MissingAudio, " (note without its audio file)")
	list("access", h.Access, "")
	if v.Maintenance.Ran {
		fmt.Fprintf(w, "cleanup:        removed %d stale temp files\n", len(v.Maintenance.Removed))
	} else if v.Maintenance.ReadOnly {
		fmt.Fprintf(w, "cleanup:        skipped, the vault is on a read-only file system (it is read, not changed)\n")
	} else {
		fmt.Fprintf(w, "cleanup:        skipped, the vault is in use\n")
	}
	fmt.Fprintf(w, "lock:           %s\n", printable(h.Lock, false))
	if len(h.Bad) > 0 {
		return fmt.Errorf("%d files in %s are not readable notes (listed above); they were left untouched", len(h.Bad), v.RecordingsPath())
	}
	return nil
}
