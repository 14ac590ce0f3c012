// Command barecapture is the least a program does to record from the
// default microphone with PortAudio: start PortAudio, open the default
// input at 16 kHz mono, and write what it reads for a duration to a WAV
// file. make e2e starts it the way it starts `voicenotes record`, beside
// it, and times when each one's capture began: this one's is what the
// audio system itself takes on this machine now (PortAudio probing every
// device, the sound server answering), which no program using it can go
// below; the rest is Voice Notes' own.
//
// Usage: barecapture OUT.wav DURATION
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"time"

	"github.com/gordonklaus/portaudio"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "barecapture:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 3 {
		return fmt.Errorf("usage: barecapture OUT.wav DURATION")
	}
	duration, err := time.ParseDuration(os.Args[2])
	if err != nil {
		return err
	}
	if err := portaudio.Initialize(); err != nil {
		return err
	}
	defer portaudio.Terminate()
	dev, err := portaudio.DefaultInputDevice()
	if err != nil {
		return err
	}
	p := portaudio.HighLatencyParameters(dev, nil)
	p.Input.Channels, p.SampleRate, p.FramesPerBuffer = 1, 16000, 160
	buf := make([]int16, 160)
	s, err := portaudio.OpenStream(p, buf)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Start(); err != nil {
		return err
	}
	var samples []int16
	for len(samples) < int(duration.Seconds()*16000) {
		if err := s.Read(); err != nil {
			return err
		}
		samples = append(samples, buf...)
	}
	return writeWAV(os.Args[1], samples)
}

// writeWAV writes 16 kHz mono 16-bit PCM.
func writeWAV(path string, samples []int16) error {
	data := make([]byte, 44+2*len(samples))
	copy(data[0:], "RIFF")
	binary.LittleEndian.PutUint32(data[4:], uint32(36+2*len(samples)))
	copy(data[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(data[16:], 16)
	binary.LittleEndian.PutUint16(data[20:], 1) // PCM
	binary.LittleEndian.PutUint16(data[22:], 1) // mono
	binary.LittleEndian.PutUint32(data[24:], 16000)
	binary.LittleEndian.PutUint32(data[28:], 32000)
	binary.LittleEndian.PutUint16(data[32:], 2)
	binary.LittleEndian.PutUint16(data[34:], 16)
	copy(data[36:], "data")
	binary.LittleEndian.PutUint32(data[40:], uint32(2*len(samples)))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(data[44+2*i:], uint16(s))
	}
	return os.WriteFile(path, data, 0o600)
}
