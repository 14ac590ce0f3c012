package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/voicenotes/voicenotes/persistence"
)

// command is one subcommand.
type command struct {
	name, args, help string
	run              func(env *Env, v *persistence.Vault, fs *flag.FlagSet, args []string) error
	flags            func(fs *flag.FlagSet)
	nargs            int // required positional arguments; -1 for any
	// records: the command always captures from the microphone, so the
	// audio system is started beside the vault's opening (see run).
	records bool
}

// commands are every command, in the order help lists them.
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
	{name: "dictate", args: "[--duration D] [--paste] [--device NAME]", help: "start a dictation in the running window, or stop it: its words are typed where the keyboard was when it began (bind it to a desktop shortcut); with --duration or --paste, or no window running, dictate here: record until the duration or Ctrl+C, print the words, and with --paste type them where the keyboard was", run: runDictate, nargs: 0,
		flags: func(fs *flag.FlagSet) {
			lengthFlag(fs, "duration", "stop after this `length`: seconds (30) or a duration (90s, 5m); default: until Ctrl+C")
			fs.Bool("paste", false, "type the words into the window that had the keyboard when the dictation began (X11), if it still has it")
			fs.String("device", "", "input device name, or part of it (see voicenotes devices)")
			engineFlags(fs)
		}},
	{name: "mark", args: "[LABEL]", help: "drop a marker at this moment of the running window's recording (bind it to a shortcut too)", run: runMark, nargs: -1},
	{name: "devices", help: "list audio inputs and outputs (* marks the defaults)", run: runDevices, nargs: 0},
	{name: "record", args: "[--duration D] [--device NAME] [--title T] [--store wav|flac|opus]", help: "record a note; Ctrl+C stops and saves", run: runRecord, nargs: 0, records: true,
		flags: func(fs *flag.FlagSet) {
			lengthFlag(fs, "duration", "stop after this `length`: seconds (30) or a duration (90s, 5m); default: until Ctrl+C")
			fs.String("device", "", "input device name, or part of it (see voicenotes devices)")
			fs.String("title", "", "the note's title")
			storeFlag(fs)
			fs.Bool("no-transcribe", false, "leave the note untranscribed")
			engineFlags(fs)
		}},
	{name: "play", args: "ID", help: "play a note's audio", run: runPlay, nargs: 1},
	{name: "export", args: "ID --format md|html|txt|srt|vtt [--out FILE]", help: "render a note, or its subtitles (srt, vtt) from the word timings; to standard output or, atomically, to FILE", run: runExport, nargs: 1,
		flags: func(fs *flag.FlagSet) {
			fs.String("format", "md", "md, html, txt, or srt or vtt (subtitles, timed)")
			fs.String("out", "", "file to write (replaced atomically); default: standard output")
		}},
	{name: "engines", help: "list transcription engines and whether they can run here", run: runEngines, nargs: 0},
	{name: "import", args: "FILE|FOLDER... [--title T] [--no-transcribe] [--store wav|flac|opus]", help: "add audio or video files (WAV, MP3, M4A, Opus, Ogg, FLAC, WebM, MP4, MKV, MOV; a folder: every one in it) as new notes and transcribe them", run: runImport, nargs: -1,
		flags: func(fs *flag.FlagSet) {
			fs.String("title", "", "title of the new note(s); default: the file name")
			fs.Bool("no-transcribe", false, "only import; the window transcribes later")
			storeFlag(fs)
			engineFlags(fs)
		}},
	{name: "transform", args: "ID NAME [--base-url URL] [--model M] [--dry-run]", help: "run a transformation (see voicenotes transformations) on a note with a chat model; the text it replaces is kept in .voicenotes/history", run: runTransform, nargs: 2,
		flags: func(fs *flag.FlagSet) {
			fs.String("base-url", "", "the chat server's base URL (default: the one in Settings), such as https://api.openai.com/v1 or http://127.0.0.1:11434/v1")
			fs.String("model", "", "the chat model (default: the transformation's, else the one in Settings)")
			fs.Bool("dry-run", false, "print the result and save nothing")
		}},
	{name: "transformations", help: "list the transformations (files in the vault's .voicenotes/transformations)", run: runTransformations, nargs: 0},
	{name: "versions", args: "ID", help: "list the transcripts a note has had, with the engine, model and server that made each", run: runVersions, nargs: 1},
	{name: "restore", args: "ID VERSION", help: "make one of a note's transcripts (see voicenotes versions) its text again; the text it replaces is kept", run: runRestore, nargs: 2},
	{name: "transcribe", args: "ID... | --pending [--engine NAME]", help: "transcribe notes (again); failed ones are retried", run: runTranscribe, nargs: -1,
		flags: func(fs *flag.FlagSet) {
			fs.Bool("pending", false, "every note not transcribed yet")
			engineFlags(fs)
		}},
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

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "Voice Notes: record, transcribe and keep voice notes as Markdown files.\n\n")
	fmt.Fprintf(w, "usage:\n  voicenotes [--vault DIR]            open the window\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  voicenotes %-26s %s\n", strings.TrimSpace(c.name+" "+c.args), c.help)
	}
	fmt.Fprintf(w, "\nEvery command takes --vault DIR; the default is $%s, else \"%s\" in your documents folder.\n", persistence.VaultEnv, persistence.DefaultVaultName)
}
