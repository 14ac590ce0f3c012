package session

import (
	"fmt"
	"time"

	"github.com/voicenotes/voicenotes/audio"
)

// The watchdog's thresholds: what a person can fix while still speaking.
const (
	stallAfter    = 2 * time.Second // no frames from the device
	silenceAfter  = 5 * time.Second // nothing but (near) digital silence
	silencePeak   = 0.001           // -60 dBFS
	clipPeak      = 0.999           // at full scale
	clipClears    = 2 * time.Second
	minFreeAudio  = time.Minute // stop cleanly before the disk is full
	watchInterval = 250 * time.Millisecond
)

// Warnings the watchdog raises; each clears when the condition does.
const (
	WarnStalled  = "The microphone has delivered no sound for 2 seconds: is it unplugged, or taken by another program?"
	WarnSilence  = "Only silence for 5 seconds: is the right microphone selected, and not muted?"
	WarnClipping = "The input is clipping (too loud): move away from the microphone or lower its volume"
)

// ErrDiskFull is why a recording the watchdog stopped ended.
var ErrDiskFull = fmt.Errorf("the disk is nearly full")

// levelWatch follows the levels (on the recorder's writer goroutine) for
// silence and clipping, in recorded time.
type levelWatch struct {
	quietSince, clippedAt time.Duration // -1: not now
	silent, clipping      bool
	started               bool
}

// level takes one level report and returns a warning to show ("" to clear
// one), and whether anything changed.
func (lw *levelWatch) level(l audio.Level) (warn string, changed bool) {
	at := l.Elapsed
	if !lw.started {
		lw.started, lw.quietSince, lw.clippedAt = true, -1, -1
	}
	if l.Peak < silencePeak {
		if lw.quietSince < 0 {
			lw.quietSince = at
		}
	} else {
		lw.quietSince = -1
	}
	if l.Peak >= clipPeak {
		lw.clippedAt = at
	}
	silent := lw.quietSince >= 0 && at-lw.quietSince >= silenceAfter
	clipping := lw.clippedAt >= 0 && at-lw.clippedAt < clipClears
	if silent == lw.silent && clipping == lw.clipping {
		return "", false
	}
	lw.silent, lw.clipping = silent, clipping
	switch {
	case clipping:
		return WarnClipping, true
	case silent:
		return WarnSilence, true
	}
	return "", true
}

// watchdog checks, while recording, that frames keep coming and that the
// disk has room for at least another minute; a nearly full disk stops the
// recording cleanly, with everything so far saved.
func (s *Session) watchdog() {
	tick := time.NewTicker(watchInterval)
	defer tick.Stop()
	last, lastAt := time.Duration(-1), time.Now()
	stalled := false
	need := uint64(minFreeAudio.Seconds()*float64(s.cfg.Rate)*2) + 1<<20 // a minute of audio and room for the note
	for {
		select {
		case <-s.rec.Done():
			return
		case <-tick.C:
		}
		now := time.Now()
		if e := s.rec.Recorded(); e != last || s.rec.Paused() {
			last, lastAt = e, now
			if stalled {
				stalled = false
				s.cfg.OnEvent(Event{Kind: Warning})
			}
		} else if !stalled && now.Sub(lastAt) >= stallAfter {
			stalled = true
			s.cfg.OnEvent(Event{Kind: Warning, Warning: WarnStalled})
		}
		if free, err := freeBytes(s.cfg.Vault.RecordingsPath()); err == nil && free < need {
			s.mu.Lock()
			s.stopReason = fmt.Errorf("%w: %s has %.1f MB left, less than a minute of recording, so the recording was stopped and everything recorded so far is saved; free some space to record again", ErrDiskFull, s.cfg.Vault.RecordingsPath(), float64(free)/(1<<20))
			s.mu.Unlock()
			go s.Stop()
			return
		}
	}
}
