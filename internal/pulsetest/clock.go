package pulsetest

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"sort"
	"sync"
	"testing"
	"time"
)

// A Clock plays a signal that tells the time into the sink, and so into
// the microphone: silence with a short tone burst every BurstEvery, each at
// a frequency that names it. Where a burst lies in a recording then says at
// what wall-clock moment the recording's first sample was played, and, with
// the sound server's own delay measured in the same run (Calibrate), when
// capture began. It is written in real time through pacat with a 20 ms
// buffer, so the sink's monitor delivers it in small blocks (a file played
// by paplay arrives in blocks of up to two seconds, too coarse to time).
type Clock struct {
	start time.Time // the moment sample 0 is due
	cmd   *exec.Cmd
	stdin io.WriteCloser
	srv   *Server
	done  chan struct{}
	mu    sync.Mutex
	err   error
}

const (
	clockRate = 48000
	// BurstEvery is the spacing of the bursts.
	BurstEvery = 100 * time.Millisecond
	burstLen   = 30 * time.Millisecond
	// The bursts' frequencies: burstBase + k%burstTones*burstStep Hz, so
	// the signal repeats every burstTones*BurstEvery (12 s).
	burstBase  = 400.0
	burstStep  = 50.0
	burstTones = 120
	// writeAhead is how far ahead of its due time a sample is written:
	// enough that the generator's scheduling never starves the stream.
	writeAhead = 40 * time.Millisecond
)

// StartClock starts the signal; it stops at the test's end.
func (s *Server) StartClock(t testing.TB) *Clock {
	t.Helper()
	if _, err := exec.LookPath("pacat"); err != nil {
		t.Skip("pacat is not installed (make setup installs pulseaudio-utils)")
	}
	cmd := exec.Command("pacat", "--playback", "--raw", "--format=s16le", fmt.Sprintf("--rate=%d", clockRate), "--channels=1", "--latency-msec=20")
	cmd.Env = s.Env()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("pacat: %v", err)
	}
	c := &Clock{cmd: cmd, stdin: stdin, srv: s, done: make(chan struct{}), start: time.Now().Add(writeAhead)}
	go c.run()
	t.Cleanup(c.stop)
	return c
}

func (c *Clock) stop() {
	select {
	case <-c.done:
	default:
		close(c.done)
	}
	c.stdin.Close()
	c.cmd.Process.Kill()
	c.cmd.Wait()
}

// sampleAt is the signal's sample n (16-bit).
func sampleAt(n int64) int16 {
	every := int64(BurstEvery.Seconds() * clockRate)
	k, in := n/every, n%every
	length := int64(burstLen.Seconds() * clockRate)
	if in >= length {
		return 0
	}
	f := burstBase + float64(k%burstTones)*burstStep
	// A short ramp at both ends keeps the burst's spectrum narrow.
	ramp := 1.0
	if r := int64(clockRate / 1000); in < r {
		ramp = float64(in) / float64(r)
	} else if in > length-r {
		ramp = float64(length-in) / float64(r)
	}
	return int16(12000 * ramp * math.Sin(2*math.Pi*f*float64(in)/clockRate))
}

// run writes the signal in real time, writeAhead ahead of its due time.
func (c *Clock) run() {
	var n int64
	buf := make([]byte, 0, clockRate/50*2)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-tick.C:
		}
		due := int64((time.Since(c.start) + writeAhead).Seconds() * clockRate)
		for n < due {
			buf = buf[:0]
			for ; n < due && len(buf) < cap(buf); n++ {
				v := sampleAt(n)
				buf = append(buf, byte(v), byte(v>>8))
			}
			if _, err := c.stdin.Write(buf); err != nil {
				c.mu.Lock()
				c.err = err
				c.mu.Unlock()
				return
			}
		}
	}
}

// Err is what stopped the generator early, if anything.
func (c *Clock) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// burstTime is when burst k is due.
func (c *Clock) burstTime(k int64) time.Time {
	return c.start.Add(time.Duration(k) * BurstEvery)
}

// ErrNoBurst means the recording holds no whole burst.
var ErrNoBurst = errors.New("no tone burst found in the recording")

// Locate returns the moment the signal that became samples[0] (mono, at
// rate) was played: it finds the first whole burst, names it by its
// frequency, and takes the candidate nearest near (the moment the caller
// believes the recording began, within a few seconds).
func (c *Clock) Locate(samples []int16, rate int, near time.Time) (time.Time, error) {
	onset, ok := firstOnset(samples, rate)
	if !ok {
		return time.Time{}, ErrNoBurst
	}
	win := samples[onset : onset+int(burstLen.Seconds()*float64(rate))]
	j := bestTone(win, rate)
	// Burst k with k%burstTones == j, nearest to near.
	at := near.Add(time.Duration(onset) * time.Second / time.Duration(rate))
	k0 := int64(math.Round(float64(at.Sub(c.start)) / float64(BurstEvery)))
	best, bestD := int64(0), time.Duration(math.MaxInt64)
	for k := k0 - burstTones; k <= k0+burstTones; k++ {
		if k < 0 || k%burstTones != int64(j) {
			continue
		}
		d := c.burstTime(k).Sub(at)
		if d < 0 {
			d = -d
		}
		if d < bestD {
			best, bestD = k, d
		}
	}
	return c.burstTime(best).Add(-time.Duration(onset) * time.Second / time.Duration(rate)), nil
}

// firstOnset is the index where the first burst that starts after some
// silence begins (so a burst cut by the recording's start is skipped).
func firstOnset(s []int16, rate int) (int, bool) {
	quietNeed := rate * 20 / 1000 // 20 ms of silence before an onset
	length := int(burstLen.Seconds() * float64(rate))
	quiet := 0
	for i, v := range s {
		if v > 1500 || v < -1500 {
			if quiet >= quietNeed && i+length <= len(s) {
				// Step back to where the ramp began: the first sample
				// above the noise floor.
				j := i
				for j > 0 && (s[j-1] > 60 || s[j-1] < -60) && i-j < rate/1000*2 {
					j--
				}
				return j, true
			}
			quiet = 0
			continue
		}
		if v < 300 && v > -300 {
			quiet++
		}
	}
	return 0, false
}

// bestTone is the index of the burst frequency strongest in win (Goertzel
// with a Hann window).
func bestTone(win []int16, rate int) int {
	best, bestP := 0, -1.0
	for j := 0; j < burstTones; j++ {
		f := burstBase + float64(j)*burstStep
		w := 2 * math.Cos(2*math.Pi*f/float64(rate))
		var s1, s2 float64
		for i, v := range win {
			h := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(win)-1))
			s0 := h*float64(v) + w*s1 - s2
			s2, s1 = s1, s0
		}
		if p := s1*s1 + s2*s2 - w*s1*s2; p > bestP {
			best, bestP = j, p
		}
	}
	return best
}

// Calibrate measures the sound server's delay from a sample's due time to
// its capture: it starts parec (10 ms latency) at a known moment, n times,
// and locates what each captured first. Each starts a little after its
// recorded start moment (the time to start a process, which a loaded
// machine stretches by tens of milliseconds), which makes its figure a
// little small, so the largest is kept; the spread of the three largest
// is returned too (it should be a few ms: a larger one means the
// generator was starved, and the run is unreliable). With n of 5 or more
// a few slow process starts do not count against the run.
// The first capture stream a daemon serves is not like the later ones (it
// is handed less of the monitor's history, by up to two seconds), so one
// more is run first and not counted.
func (c *Clock) Calibrate(t testing.TB, n int) (delay, spread time.Duration) {
	t.Helper()
	var delays []time.Duration
	for i := range n + 1 {
		cmd := exec.Command("parec", "--raw", "--format=s16le", "--rate=16000", "--channels=1", "--latency-msec=10")
		cmd.Env = c.srv.Env()
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		started := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatalf("parec: %v", err)
		}
		buf := make([]byte, 16000*2*6/10) // 600 ms
		_, err = io.ReadFull(out, buf)
		cmd.Process.Kill()
		cmd.Wait()
		if err != nil {
			t.Fatalf("parec: %v", err)
		}
		s := make([]int16, len(buf)/2)
		for i := range s {
			s[i] = int16(buf[2*i]) | int16(buf[2*i+1])<<8
		}
		// The server's delay is under two seconds here.
		played, err := c.Locate(s, 16000, started.Add(-time.Second))
		if err != nil {
			t.Fatalf("calibrating the clock: %v", err)
		}
		if i > 0 {
			delays = append(delays, started.Sub(played))
		}
	}
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	top := delays[max(0, len(delays)-3):]
	return top[len(top)-1], top[len(top)-1] - top[0]
}
