package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/audio/device"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

func init() {
	commands = append(commands,
		&command{name: "devices", help: "list audio inputs and outputs (* marks the defaults)", run: runDevices, nargs: 0},
		&command{name: "record", args: "[--duration D] [--device NAME] [--title T]", help: "record a note; Ctrl+C stops and saves", run: runRecord, nargs: 0,
			flags: func(fs *flag.FlagSet) {
				lengthFlag(fs, "duration", "stop after this `length`: seconds (30) or a duration (90s, 5m); default: until Ctrl+C")
				fs.String("device", "", "input device name, or part of it (see voicenotes devices)")
				fs.String("title", "", "the note's title")
				fs.Bool("no-transcribe", false, "leave the note untranscribed")
				engineFlags(fs)
			}},
		&command{name: "play", args: "ID", help: "play a note's audio", run: runPlay, nargs: 1},
	)
}

// isTerminal reports whether w is an interactive terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func runDevices(env *Env, _ *persistence.Vault, _ *flag.FlagSet, _ []string) error {
	if err := device.Init(); err != nil {
		return err
	}
	defer device.Terminate()
	ins, outs, err := device.List()
	if err != nil {
		return err
	}
	show := func(title string, devs []device.Device, channels func(device.Device) int) {
		fmt.Fprintf(env.Stdout, "%s:\n", title)
		if len(devs) == 0 {
			fmt.Fprintln(env.Stdout, "  (none)")
		}
		for _, d := range devs {
			mark := " "
			if d.Default {
				mark = "*"
			}
			fmt.Fprintf(env.Stdout, "%s %s (%s, %d channels, %.0f Hz)\n", mark, d.Name, d.HostAPI, channels(d), d.DefaultRate)
		}
	}
	show("inputs", ins, func(d device.Device) int { return d.Inputs })
	show("outputs", outs, func(d device.Device) int { return d.Outputs })
	return nil
}

// meter renders a level as a bar of width cells: -60 dBFS empty, 0 full.
func meter(l audio.Level, width int) string {
	db := audio.DB(l.Peak)
	filled := int(math.Round((db + 60) / 60 * float64(width)))
	filled = max(0, min(width, filled))
	return strings.Repeat("#", filled) + strings.Repeat(".", width-filled)
}

func runRecord(env *Env, v *persistence.Vault, fs *flag.FlagSet, _ []string) error {
	limit := flagValue[time.Duration](fs, "duration")
	if limit < 0 {
		return usagef("record: --duration must be positive")
	}
	if err := device.Init(); err != nil {
		return err
	}
	defer device.Terminate()
	src, err := device.OpenInput(flagValue[string](fs, "device"))
	if err != nil {
		return err
	}
	var level atomic.Value // audio.Level
	level.Store(audio.Level{})
	var liveText atomic.Value
	liveText.Store("")
	// Transcribe while recording when the engine can; else after.
	var engine transcribe.Engine
	var live *transcribe.Live
	opts := transcribe.Options{}
	if !flagValue[bool](fs, "no-transcribe") {
		if engine, opts, err = engineFrom(fs); err != nil {
			fmt.Fprintf(env.Stderr, "voicenotes: not transcribing: %v\n", err)
			engine = nil
		} else if st, ok := engine.(transcribe.Streamer); ok {
			stream, err := st.Stream(opts)
			if err != nil {
				fmt.Fprintf(env.Stderr, "voicenotes: no live transcript: %v; the recording is transcribed when it stops\n", err)
			} else {
				live = transcribe.NewLive(stream, func(t string) { liveText.Store(t) })
			}
		}
	}
	ro := audio.Options{
		Vault: v, Source: src, Title: flagValue[string](fs, "title"),
		OnLevel: func(l audio.Level) { level.Store(l) },
		Logf:    device.Logf,
	}
	if live != nil {
		ro.OnSamples = live.Feed
	}
	r, err := audio.Start(ro)
	if err != nil {
		src.Close()
		if live != nil {
			live.Finish()
		}
		return err
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	tty := isTerminal(env.Stderr)
	fmt.Fprintf(env.Stderr, "recording %s (Ctrl+C stops and saves); waiting for the microphone\n", r.ID())
	var deadline <-chan time.Time
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	started := r.Started()
loop:
	for {
		select {
		case <-started:
			started = nil
			if !tty {
				fmt.Fprintln(env.Stderr, "the microphone is live")
			}
			if limit > 0 {
				deadline = time.After(limit)
			}
		case <-sigs:
			break loop
		case <-deadline:
			break loop
		case <-r.Done():
			break loop
		case <-tick.C:
			if tty {
				l := level.Load().(audio.Level)
				state := "●"
				if started != nil {
					state = "… starting the microphone"
				}
				text := liveText.Load().(string)
				if len(text) > 50 {
					text = "…" + text[len(text)-49:]
				}
				fmt.Fprintf(env.Stderr, "\r\033[K%s %s [%s] %s", state, audio.FormatDuration(r.Elapsed()), meter(l, 20), text)
			}
		}
	}
	if tty {
		fmt.Fprint(env.Stderr, "\n")
	}
	n, err := r.Stop()
	if n == nil {
		if live != nil {
			live.Finish()
		}
		return err
	}
	fmt.Fprintln(env.Stdout, n.ID)
	fmt.Fprintf(env.Stderr, "saved %s (%s)\n", n.Path, audio.FormatDuration(n.Duration))
	switch {
	case live != nil:
		if lerr := live.Commit(v, n, engine.Name(), opts); lerr != nil {
			fmt.Fprintf(env.Stderr, "voicenotes: live transcription failed (%v); transcribing the file\n", lerr)
			err = errors.Join(err, runQueue(env, v, fs, []string{n.ID}))
		}
	case engine != nil:
		err = errors.Join(err, runQueue(env, v, fs, []string{n.ID}))
	}
	return err
}

func runPlay(env *Env, v *persistence.Vault, _ *flag.FlagSet, args []string) error {
	n, err := v.Note(args[0])
	if err != nil {
		return err
	}
	path, ok := v.AudioPath(n)
	if !ok {
		return fmt.Errorf("note %s has no audio file in %s", n.ID, v.RecordingsPath())
	}
	wav, f, err := audio.OpenWAV(path)
	if errors.Is(err, audio.ErrNotWAV) {
		return fmt.Errorf("%w; only WAV audio can be played here", err)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if err := device.Init(); err != nil {
		return err
	}
	defer device.Terminate()
	sink, err := device.OpenOutput(wav.Format().SampleRate, wav.Format().Channels)
	if err != nil {
		return err
	}
	var pos atomic.Int64
	p := audio.NewPlayer(wav, sink, func(at, _ time.Duration) { pos.Store(int64(at)) })
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	tty := isTerminal(env.Stderr)
	p.Play()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for p.Playing() {
		select {
		case <-sigs:
			p.Pause()
		case <-tick.C:
			if tty {
				fmt.Fprintf(env.Stderr, "\r▶ %s / %s  ", audio.FormatDuration(time.Duration(pos.Load())), audio.FormatDuration(p.Length()))
			}
		}
	}
	if tty {
		fmt.Fprint(env.Stderr, "\n")
	}
	return p.Close()
}
