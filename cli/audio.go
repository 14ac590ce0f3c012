package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/audio/device"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/session"
	"github.com/voicenotes/voicenotes/transcribe"
)

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
	if err := checkStore(fs); err != nil {
		return err
	}
	n, ids, err := capture(env, v, fs, flagValue[string](fs, "title"), nil, nil)
	if n == nil {
		return err
	}
	fmt.Fprintln(env.Stdout, n.ID)
	fmt.Fprintf(env.Stderr, "saved %s (%s)\n", n.Path, audio.FormatDuration(n.Duration))
	if len(ids) > 0 {
		err = errors.Join(err, runQueue(env, v, fs, ids))
	}
	return err
}

// capture records one note from the microphone (--device) until --duration,
// Ctrl+C, SIGTERM or SIGHUP, showing the level and the live words on a
// terminal, and saves it with title and tags; listening (may be nil) is
// called once the microphone is live. It returns the note and the notes
// left for the queue to transcribe (the live transcript, when there was
// one, is in the note already).
func capture(env *Env, v *persistence.Vault, fs *flag.FlagSet, title string, tags []string, onLive func()) (*persistence.Note, []string, error) {
	limit := flagValue[time.Duration](fs, "duration")
	store := "wav"
	if f := fs.Lookup("store"); f != nil {
		store = f.Value.String()
	}
	if err := device.Init(); err != nil {
		return nil, nil, err
	}
	defer device.Terminate()
	tty := isTerminal(env.Stderr)
	var level atomic.Value // audio.Level
	level.Store(audio.Level{})
	var liveText atomic.Value
	liveText.Store("")
	listening := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	var queued []string
	cfg := session.Config{
		Vault: v, Title: title, Tags: tags, Store: store, Logf: device.Logf,
		Open: func() (audio.Source, error) { return device.OpenInput(flagValue[string](fs, "device")) },
		Enqueue: func(id string) {
			mu.Lock()
			queued = append(queued, id)
			mu.Unlock()
		},
		OnEvent: func(e session.Event) {
			switch e.Kind {
			case session.Listening:
				once.Do(func() { close(listening) })
			case session.Level:
				level.Store(e.Level)
			case session.Text:
				liveText.Store(e.Text)
			case session.Warning:
				if e.Warning != "" {
					mu.Lock()
					if tty {
						fmt.Fprint(env.Stderr, "\r\033[K")
					}
					fmt.Fprintf(env.Stderr, "voicenotes: %s\n", e.Warning)
					mu.Unlock()
				}
			}
		},
	}
	if f := fs.Lookup("no-transcribe"); f == nil || f.Value.String() != "true" {
		cfg.Engine = func() (transcribe.Engine, transcribe.Options, error) { return engineFrom(fs) }
	}
	// Every way out saves: Ctrl+C, SIGTERM (logging out), SIGHUP (the
	// terminal closing). Signals during the save are taken and ignored.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	s, err := session.Start(cfg)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(env.Stderr, "recording %s (Ctrl+C stops and saves); waiting for the microphone\n", s.ID())
	var deadline <-chan time.Time
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	started := (<-chan struct{})(listening)
loop:
	for {
		select {
		case <-started:
			started = nil
			if !tty {
				fmt.Fprintln(env.Stderr, "the microphone is live")
			}
			if onLive != nil {
				onLive()
			}
			if limit > 0 {
				deadline = time.After(limit)
			}
		case <-sigs:
			break loop
		case <-deadline:
			break loop
		case <-s.Ended():
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
				mu.Lock()
				fmt.Fprintf(env.Stderr, "\r\033[K%s %s [%s] %s", state, audio.FormatDuration(s.Elapsed()), meter(l, 20), text)
				mu.Unlock()
			}
		}
	}
	if tty {
		fmt.Fprint(env.Stderr, "\n")
	}
	n, err := s.Stop()
	mu.Lock()
	ids := queued
	mu.Unlock()
	return n, ids, err
}

func runPlay(env *Env, v *persistence.Vault, _ *flag.FlagSet, args []string) error {
	n, err := v.Note(args[0])
	if err != nil {
		return err
	}
	path, ok := v.AudioTarget(n)
	if !ok {
		return fmt.Errorf("note %s has no audio file in %s", n.ID, v.RecordingsPath())
	}
	wav, done, err := audio.OpenAudio(context.Background(), path)
	if err != nil {
		return err
	}
	defer done()
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
