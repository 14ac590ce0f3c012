// Package device opens real microphones and speakers through PortAudio and
// presents them as audio.Source and audio.Sink. The noise ALSA and JACK
// print while PortAudio probes devices goes to the log, not the terminal.
package device

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gordonklaus/portaudio"

	"github.com/voicenotes/voicenotes/audio"
)

// Logf receives what the audio libraries print and this package's notes.
var Logf = func(format string, args ...any) {}

var (
	initMu   sync.Mutex
	initRefs int
)

// Init starts PortAudio; every Init needs a Terminate. It is safe to call
// from several goroutines.
func Init() error {
	initMu.Lock()
	defer initMu.Unlock()
	if initRefs == 0 {
		var err error
		quiet(func() { err = portaudio.Initialize() })
		if err != nil {
			return fmt.Errorf("starting the audio system: %w", err)
		}
		releaseProbed()
	}
	initRefs++
	return nil
}

// Terminate undoes one Init.
func Terminate() {
	initMu.Lock()
	defer initMu.Unlock()
	if initRefs == 0 {
		return
	}
	if initRefs--; initRefs == 0 {
		quiet(func() { portaudio.Terminate() })
	}
}

// Device is an input or output device.
type Device struct {
	Name        string
	HostAPI     string
	Inputs      int // channels
	Outputs     int
	DefaultRate float64
	Default     bool // the system's default for its direction
}

// ErrNoDevice means there is no usable microphone or speaker.
var ErrNoDevice = audio.ErrNoDevice

// List returns the input and output devices; Init first.
func List() (inputs, outputs []Device, err error) {
	var devs []*portaudio.DeviceInfo
	var defIn, defOut *portaudio.DeviceInfo
	quiet(func() {
		devs, err = portaudio.Devices()
		defIn, _ = portaudio.DefaultInputDevice()
		defOut, _ = portaudio.DefaultOutputDevice()
	})
	if err != nil {
		return nil, nil, fmt.Errorf("listing audio devices: %w", err)
	}
	for _, d := range devs {
		dev := Device{Name: d.Name, HostAPI: d.HostApi.Name, Inputs: d.MaxInputChannels, Outputs: d.MaxOutputChannels, DefaultRate: d.DefaultSampleRate}
		if d.MaxInputChannels > 0 {
			dev.Default = defIn != nil && d.Name == defIn.Name
			inputs = append(inputs, dev)
		}
		if d.MaxOutputChannels > 0 {
			dev.Default = defOut != nil && d.Name == defOut.Name
			outputs = append(outputs, dev)
		}
	}
	return inputs, outputs, nil
}

// find returns the named device (exact name, else a unique substring match),
// or the default one when name is empty.
func find(name string, input bool) (*portaudio.DeviceInfo, error) {
	what, hint := "microphone", "check that a microphone is connected, not muted, and that the sound server (PulseAudio or PipeWire) is running; 'voicenotes devices' lists what is found"
	if !input {
		what, hint = "speaker", "check that an output device is connected and the sound server is running; 'voicenotes devices' lists what is found"
	}
	if name == "" {
		var d *portaudio.DeviceInfo
		var err error
		quiet(func() {
			if input {
				d, err = portaudio.DefaultInputDevice()
			} else {
				d, err = portaudio.DefaultOutputDevice()
			}
		})
		if err != nil || d == nil {
			return nil, fmt.Errorf("%w: no default %s (%v); %s", ErrNoDevice, what, err, hint)
		}
		return d, nil
	}
	var devs []*portaudio.DeviceInfo
	var err error
	quiet(func() { devs, err = portaudio.Devices() })
	if err != nil {
		return nil, fmt.Errorf("listing audio devices: %w", err)
	}
	var matches []*portaudio.DeviceInfo
	for _, d := range devs {
		if (input && d.MaxInputChannels == 0) || (!input && d.MaxOutputChannels == 0) {
			continue
		}
		if d.Name == name {
			return d, nil
		}
		if strings.Contains(strings.ToLower(d.Name), strings.ToLower(name)) {
			matches = append(matches, d)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return nil, fmt.Errorf("%w: no %s named %q; %s", ErrNoDevice, what, name, hint)
	}
	var names []string
	for _, m := range matches {
		names = append(names, fmt.Sprintf("%q", m.Name))
	}
	return nil, fmt.Errorf("%q matches several devices (%s); give the full name", name, strings.Join(names, ", "))
}

// input is a PortAudio capture stream read in blocking mode.
type input struct {
	stream   *portaudio.Stream
	buf      []int16
	rate     int
	channels int
	have     int // samples in buf not yet handed out
}

// OpenInput opens a microphone (name "" for the default) at 16 kHz mono
// when the device supports it, otherwise at its own rate and channel count;
// the recorder resamples in Go.
func OpenInput(name string) (audio.Source, error) {
	d, err := find(name, true)
	if err != nil {
		return nil, err
	}
	// The stored format (16 kHz mono) when the device takes it, else its
	// own. Opened straight away, not asked first: asking opens the device
	// too, and through a sound server that is another connection before
	// capture begins.
	p := portaudio.HighLatencyParameters(d, nil)
	var in *input
	open := func(rate float64, channels int) {
		p.SampleRate, p.Input.Channels = rate, channels
		in = &input{rate: int(rate), channels: channels}
		p.FramesPerBuffer = in.rate / 100
		in.buf = make([]int16, p.FramesPerBuffer*in.channels)
		in.stream, err = startStream(p, in.buf)
	}
	if open(audio.StoreRate, 1); err != nil && !busy(err) && !denied(err) {
		open(d.DefaultSampleRate, min(2, d.MaxInputChannels))
	}
	if err != nil {
		return nil, explain(err, d.Name, "microphone")
	}
	Logf("audio: recording from %q at %d Hz, %d channels", d.Name, in.rate, in.channels)
	return in, nil
}

// startStream opens a stream and starts it, quietly; a stream that opens
// but does not start is closed.
func startStream(p portaudio.StreamParameters, buf any) (*portaudio.Stream, error) {
	var stream *portaudio.Stream
	var err error
	quiet(func() {
		if stream, err = portaudio.OpenStream(p, buf); err == nil {
			if err = stream.Start(); err != nil {
				stream.Close()
			}
		}
	})
	return stream, err
}

// busy and denied read a PortAudio error: the device is taken, or access
// to it was refused. No other format mends either.
func busy(err error) bool {
	return strings.Contains(err.Error(), "Device unavailable") || strings.Contains(err.Error(), "busy")
}

func denied(err error) bool {
	return strings.Contains(strings.ToLower(err.Error()), "permission") || strings.Contains(err.Error(), "not permitted")
}

// explain turns a PortAudio error into advice.
func explain(err error, dev, what string) error {
	switch {
	case busy(err):
		return fmt.Errorf("the %s %q is in use by another program or unavailable (%v); close the other program or choose another device", what, dev, err)
	case denied(err):
		return fmt.Errorf("access to the %s %q was denied (%v); allow Voice Notes to use the %s in your system's privacy settings", what, dev, err, what)
	}
	return fmt.Errorf("opening the %s %q: %w", what, dev, err)
}

// ErrDeviceGone means the input stopped existing mid-recording.
var ErrDeviceGone = errors.New("the input device is gone")

func (in *input) Format() (int, int) { return in.rate, in.channels }

// Latency is how long after its capture PortAudio says a frame is read
// (the host's buffer; a sound server's own delay may come on top).
func (in *input) Latency() time.Duration {
	if info := in.stream.Info(); info != nil {
		return info.InputLatency
	}
	return 0
}

func (in *input) Read(buf []int16) error {
	var overflow bool
	for len(buf) > 0 {
		if in.have == 0 {
			err := in.stream.Read()
			if errors.Is(err, portaudio.InputOverflowed) {
				overflow = true
			} else if err != nil {
				// A read that fails once the stream ran means the device
				// went away; PortAudio's own words for it vary (an empty
				// host error, "Input/output error").
				reason := strings.TrimSpace(err.Error())
				if reason == "" {
					reason = "no reason given"
				}
				return fmt.Errorf("the microphone stopped delivering sound (%s): was it unplugged, or did the sound server stop? %w", reason, ErrDeviceGone)
			}
			in.have = len(in.buf)
		}
		n := copy(buf, in.buf[len(in.buf)-in.have:])
		in.have -= n
		buf = buf[n:]
	}
	if overflow {
		return audio.ErrOverflow
	}
	return nil
}

func (in *input) Close() error {
	var err error
	quiet(func() {
		in.stream.Stop()
		err = in.stream.Close()
	})
	return err
}

// output is a PortAudio playback stream written in blocking mode.
type output struct {
	stream   *portaudio.Stream
	buf      []float32
	rate     int
	channels int
	fill     int
}

// OpenOutput opens the default speaker at rate and channels if it can,
// otherwise at its own rate in stereo; the player converts.
func OpenOutput(rate, channels int) (audio.Sink, error) {
	d, err := find("", false)
	if err != nil {
		return nil, err
	}
	p := portaudio.HighLatencyParameters(nil, d)
	p.Output.Channels = channels
	p.SampleRate = float64(rate)
	var supported error
	quiet(func() { supported = portaudio.IsFormatSupported(p, make([]float32, 1)) })
	if supported != nil || channels > d.MaxOutputChannels {
		p.Output.Channels = min(2, d.MaxOutputChannels)
		p.SampleRate = d.DefaultSampleRate
	}
	// Playback is not interactive: a generous buffer avoids underruns
	// (ALSA's PulseAudio plugin drops audio on one).
	p.Output.Latency = max(p.Output.Latency, 300*time.Millisecond)
	out := &output{rate: int(p.SampleRate), channels: p.Output.Channels}
	p.FramesPerBuffer = out.rate / 10
	out.buf = make([]float32, p.FramesPerBuffer*out.channels)
	out.stream, err = startStream(p, out.buf)
	if err != nil {
		return nil, explain(err, d.Name, "speaker")
	}
	return out, nil
}

func (o *output) Format() (int, int) { return o.rate, o.channels }

func (o *output) Write(buf []float32) error {
	for len(buf) > 0 {
		n := copy(o.buf[o.fill:], buf)
		o.fill += n
		buf = buf[n:]
		if o.fill == len(o.buf) {
			if err := o.stream.Write(); err != nil && !errors.Is(err, portaudio.OutputUnderflowed) {
				return fmt.Errorf("playing audio: %w", err)
			}
			o.fill = 0
		}
	}
	return nil
}

func (o *output) Close() error {
	var err error
	quiet(func() {
		if o.fill > 0 { // play the last partial buffer, padded with silence
			clear(o.buf[o.fill:])
			o.stream.Write()
		}
		o.stream.Stop()
		err = o.stream.Close()
	})
	return err
}
