package recording

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/persistence"
)

// Options configure a recording.
type Options struct {
	Vault  *persistence.Vault
	Source audio.Source
	Title  string   // default: "Recording <date time>"
	Tags   []string // the note's tags (a dictation's "dictation")
	// OnLevel receives the level about every LevelEvery, from the writer
	// goroutine. It must not block.
	OnLevel    func(audio.Level)
	LevelEvery time.Duration // default 50 ms
	// OnSamples receives the stored 16 kHz mono samples as they are
	// written, for live transcription. It must copy what it keeps.
	OnSamples func([]int16)
	// FlushEvery is how often the file's header is rewritten and synced.
	FlushEvery time.Duration // default 1 s
	// Buffer is how much audio the ring between device and disk holds: a
	// disk that stalls for less loses nothing.
	Buffer time.Duration // default 30 s
	Logf   func(format string, args ...any)
	// Rate is the stored sample rate; default StoreRate (16 kHz).
	// OnSamples gets samples at this rate.
	Rate int
}

// Recorder is one recording in progress.
type Recorder struct {
	o       Options
	id      string
	created time.Time
	wav     *PartialWAV
	ring    *audio.Ring
	rate    int
	chans   int

	clock    *captureClock
	skips    pauses
	paused   atomic.Bool
	stopping atomic.Bool
	stopAt   atomic.Int64 // when Stop was pressed, ns after clock.base
	wake     chan struct{}
	started  chan struct{}
	capDone  chan struct{}
	capErr   error // set before capDone closes
	overflow atomic.Uint64

	written atomic.Int64 // stored frames (16 kHz)
	ended   atomic.Bool  // the writer has stored its last sample
	failed  atomic.Bool  // the file could not be written: capture ends now

	finish  sync.Once
	done    chan struct{}
	note    *persistence.Note
	err     error
	discard atomic.Bool // set by Cancel, read by the writer when it ends
}

// Start creates the recording file and starts capturing.
func Start(o Options) (*Recorder, error) {
	if o.Vault == nil || o.Source == nil {
		return nil, errors.New("recording.Start needs a vault and a source")
	}
	o.LevelEvery = cmp.Or(o.LevelEvery, 50*time.Millisecond)
	o.FlushEvery = cmp.Or(o.FlushEvery, time.Second)
	o.Buffer = cmp.Or(o.Buffer, 30*time.Second)
	if o.Rate == 0 {
		o.Rate = audio.StoreRate
	}
	if o.Rate < 8000 || o.Rate > 192000 {
		return nil, fmt.Errorf("stored sample rate %d Hz is out of range (8000 to 192000)", o.Rate)
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	rate, chans := o.Source.Format()
	if rate < 1000 || chans < 1 {
		return nil, fmt.Errorf("the input device reports %d channels at %d Hz; choose another device", chans, rate)
	}
	n := o.Vault.NewNote()
	var latency time.Duration
	if l, ok := o.Source.(audio.Latencier); ok {
		latency = l.Latency()
	}
	r := &Recorder{
		clock: newCaptureClock(rate, latency, time.Now()),
		o:     o, id: n.ID, created: n.CreatedAt, rate: rate, chans: chans,
		ring:    audio.NewRing(int(o.Buffer.Seconds()*float64(rate))*chans, chans),
		wake:    make(chan struct{}, 1),
		started: make(chan struct{}),
		capDone: make(chan struct{}),
		done:    make(chan struct{}),
	}
	path := filepath.Join(o.Vault.RecordingsPath(), r.id+persistence.PartialExt)
	var err error
	if r.wav, err = CreatePartialWAV(o.Vault.FS(), path, r.o.Rate, audio.StoreChannels); err != nil {
		return nil, err
	}
	go r.capture()
	go r.write()
	return r, nil
}

// ID is the new note's id.
func (r *Recorder) ID() string { return r.id }

// Started is closed when the device delivers its first audio. Sound
// servers can take a second or two to start a stream; until then nothing
// is being recorded, and a UI should say so.
func (r *Recorder) Started() <-chan struct{} { return r.started }

// Pause stops storing audio from this moment until Resume; the device
// keeps running. The moment is placed in the audio by the capture clock,
// so what was said just before Pause, still on its way from the device,
// is kept.
func (r *Recorder) Pause() {
	r.paused.Store(true)
	r.skips.pause(r.frameNow())
}

// Resume continues after Pause, from this moment.
func (r *Recorder) Resume() {
	r.paused.Store(false)
	r.skips.resume(r.frameNow())
}

// Paused reports whether the recording is paused.
func (r *Recorder) Paused() bool { return r.paused.Load() }

// frameNow is the device frame being captured now (0 before any was
// read: the recording has not begun).
func (r *Recorder) frameNow() int64 {
	f, _ := r.clock.frameAt(time.Now())
	return max(f, 0)
}

// At is where in the stored recording the moment t falls: the sound that
// reached the microphone at t, less what pauses left out. Before the
// first sound was captured it is 0. A marker dropped at t goes there.
func (r *Recorder) At(t time.Time) time.Duration {
	f, ok := r.clock.frameAt(t)
	if !ok {
		return 0
	}
	return time.Duration(float64(r.skips.kept(f)) * float64(time.Second) / float64(r.rate))
}

// Elapsed is how long the recording is at this moment, by the capture
// clock: the audio stored so far and what is still on its way from the
// device. Once the recording has ended it is the length stored.
func (r *Recorder) Elapsed() time.Duration {
	stored := r.Recorded()
	if r.ended.Load() || r.Paused() {
		return stored
	}
	return max(stored, r.At(time.Now()))
}

// Recorded is the length of the audio stored so far.
func (r *Recorder) Recorded() time.Duration {
	return time.Duration(r.written.Load()) * time.Second / time.Duration(r.o.Rate)
}

// FirstCaptured is when the sound in the recording's first sample reached
// the microphone; false until the device delivered it. A device that
// takes long to start (a sound server, a source waking from suspend)
// makes it later than Start: what was said before was never captured.
func (r *Recorder) FirstCaptured() (time.Time, bool) { return r.clock.firstCaptured() }

// Dropped is how many device frames were lost: by the device before we read
// them, or because the ring was full. It is zero unless the machine or disk
// stalled for longer than Options.Buffer.
func (r *Recorder) Dropped() uint64 {
	return r.overflow.Load() + r.ring.Dropped()/uint64(r.chans)
}

// Done is closed when the recording has ended and its note is saved (or
// failed to save): after Stop or Cancel, or by itself when the device fails.
func (r *Recorder) Done() <-chan struct{} { return r.done }

// Result is the saved note and why the recording ended early, if it did.
// Valid once Done is closed.
func (r *Recorder) Result() (*persistence.Note, error) { return r.note, r.err }

// Stop ends the recording at this moment, finalizes the file and saves
// the note. Audio captured up to the moment is kept: capture goes on
// until the device has delivered it (at most the device's latency and
// maxStopWait more), and what was captured after it is left out.
func (r *Recorder) Stop() (*persistence.Note, error) {
	r.stopAt.Store(int64(time.Since(r.clock.base)))
	r.stopping.Store(true)
	<-r.done
	return r.note, r.err
}

// Cancel ends the recording and deletes what was recorded. The caller asks
// the user first.
func (r *Recorder) Cancel() error {
	r.discard.Store(true)
	r.stopping.Store(true)
	<-r.done
	return r.err
}

// maxStopWait bounds how long Stop waits, beyond the device's stated
// latency, for the audio of the moment it was pressed: a sound server or
// a wireless link can hand audio over in blocks of up to two seconds.
const maxStopWait = 3 * time.Second

// capture reads the device and hands frames to the writer through the ring.
// Its loop neither allocates, locks, nor touches the disk.
func (r *Recorder) capture() {
	defer close(r.capDone)
	frames := int64(r.rate / 100) // 10 ms
	buf := make([]int16, frames*int64(r.chans))
	first := true
	var pos int64    // device frames read
	end := int64(-1) // once stopping: the first frame not to keep
	for {
		if r.failed.Load() {
			break // nothing more can be stored: end now and save what is
		}
		if r.stopping.Load() {
			if r.discard.Load() {
				break
			}
			stopAt := r.clock.base.Add(time.Duration(r.stopAt.Load()))
			if f, ok := r.clock.frameAt(stopAt); ok {
				end = max(f, 0)
			} else {
				end = 0 // stopped before the device delivered anything
			}
			if pos >= end || time.Since(stopAt) > r.clock.latency+maxStopWait {
				break
			}
		}
		err := r.o.Source.Read(buf)
		if errors.Is(err, audio.ErrOverflow) {
			r.overflow.Add(1)
		} else if err != nil {
			r.capErr = err
			break
		}
		r.clock.read(frames, time.Now())
		if first {
			first = false
			close(r.started)
		}
		// Store the frames of this buffer that no pause leaves out and
		// that were captured before a Stop.
		for at := pos; at < pos+frames; {
			from, to := r.skips.next(at)
			to = min(to, pos+frames)
			if end >= 0 {
				to = min(to, end)
			}
			if from >= to {
				break
			}
			r.ring.Write(buf[(from-pos)*int64(r.chans) : (to-pos)*int64(r.chans)])
			at = to
		}
		pos += frames
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
	if err := r.o.Source.Close(); err != nil && r.capErr == nil {
		r.o.Logf("audio: closing the input: %v", err)
	}
}

// write moves audio from the ring to the file, resampled to 16 kHz mono,
// flushing about once a FlushEvery and publishing levels.
func (r *Recorder) write() {
	chunk := make([]int16, r.rate/10*r.chans) // up to 100 ms at a time
	floats := make([]float32, 0, len(chunk))
	stored := make([]int16, 0, len(chunk))
	conv := audio.NewConverter(r.rate, r.chans, r.o.Rate)
	lastFlush := time.Now()
	var peak, sumsq float64
	var count int
	levelEvery := int(r.o.LevelEvery.Seconds() * float64(r.o.Rate))
	var werr error
	// What the note is to have beyond its audio (a dictation's tag, a
	// title given at the start) goes beside the audio now, so that a
	// recording cut short is recovered with it. Capture runs meanwhile.
	if len(r.o.Tags) > 0 || r.o.Title != "" {
		if err := persistence.AppendNoteFields(r.o.Vault.FS(), r.o.Vault.MarkersPath(r.id), persistence.NoteFields{Title: r.o.Title, Tags: r.o.Tags}); err != nil {
			r.o.Logf("audio: the tags of recording %s could not be kept beside it: %v", r.id, err)
		}
	}

	store := func(samples []int16) {
		for _, s := range samples {
			a := math.Abs(float64(s)) / 32768
			peak = max(peak, a)
			sumsq += a * a
			count++
			if count >= levelEvery {
				if r.o.OnLevel != nil {
					r.o.OnLevel(audio.Level{Peak: float32(peak), RMS: float32(math.Sqrt(sumsq / float64(count))), Elapsed: r.Elapsed()})
				}
				peak, sumsq, count = 0, 0, 0
			}
		}
		if werr == nil && len(samples) > 0 {
			if werr = r.wav.Write(samples); werr == nil {
				r.written.Add(int64(len(samples)))
				if r.o.OnSamples != nil {
					r.o.OnSamples(samples)
				}
			} else {
				r.written.Store(r.wav.Frames()) // the whole frames that made it
				r.failed.Store(true)
			}
		}
	}
	ticker := time.NewTicker(r.o.LevelEvery)
	defer ticker.Stop()
	for {
		capDone := false
		select {
		case <-r.wake:
		case <-ticker.C:
		case <-r.capDone:
			capDone = true
		}
		for {
			n := r.ring.Read(chunk)
			if n == 0 {
				break
			}
			floats = decodeInt16(chunk[:n], floats[:0])
			stored = conv.Convert(stored[:0], floats)
			store(stored)
		}
		r.markGaps()
		if werr == nil && time.Since(lastFlush) >= r.o.FlushEvery {
			if werr = r.wav.Flush(); werr != nil {
				r.failed.Store(true)
			}
			lastFlush = time.Now()
		}
		if capDone {
			break
		}
	}
	stored = conv.Flush(stored[:0])
	store(stored)
	r.markGaps()
	r.ended.Store(true)
	r.finish.Do(func() { r.end(werr) })
}

// markGaps puts a marker where the device's audio has a gap (the
// machine was suspended, the process stopped): the recording jumps there
// from one moment to a later one, and the person is told so in the note,
// where it happened, rather than left to hear it. Run by the writer.
func (r *Recorder) markGaps() {
	for {
		select {
		case g := <-r.clock.gaps:
			at := time.Duration(float64(r.skips.kept(g.frame)) * float64(time.Second) / float64(r.rate))
			m := persistence.Marker{At: at.Round(time.Millisecond), Label: fmt.Sprintf("gap: %.1f s not recorded (the computer was suspended or too busy)", g.lost.Seconds())}
			if err := persistence.AppendMarker(r.o.Vault.FS(), r.o.Vault.MarkersPath(r.id), m); err != nil {
				r.o.Logf("audio: the gap at %v in %s could not be marked: %v", at, r.id, err)
			}
		default:
			return
		}
	}
}

// Lost is how much audio the device never delivered, in gaps.
func (r *Recorder) Lost() time.Duration { return time.Duration(r.clock.lostTotal.Load()) }

func decodeInt16(in []int16, out []float32) []float32 {
	for _, s := range in {
		out = append(out, float32(s)/32768)
	}
	return out
}

// end finalizes the file and saves the note, or discards both.
func (r *Recorder) end(werr error) {
	defer close(r.done)
	if r.discard.Load() {
		r.err = r.wav.Discard()
		return
	}
	if werr != nil {
		// The file could not be written (a full disk, the file size
		// limit, a quota, a device gone): capture ended at once, and what
		// was written is saved now as any recording is, if the disk
		// still takes a header and a note.
		r.o.Logf("audio: recording %s stopped: %v", r.id, werr)
	}
	if d := r.Dropped(); d > 0 {
		r.o.Logf("audio: %d frames lost in recording %s", d, r.id)
	}
	// kept says the audio stays for the next start's recovery; the lock
	// goes, so that it can.
	kept := func(err error) {
		r.wav.Abandon()
		r.err = fmt.Errorf("%w; what was recorded is kept in %s and will be recovered at the next start", errors.Join(werr, err), r.wav.Path())
	}
	// The note first, then the audio under its final name: a crash (or a
	// full disk) between leaves the note and the partial file, which the
	// next start's recovery finishes, title and all.
	if err := r.wav.Flush(); err != nil {
		kept(err)
		return
	}
	target := filepath.Join(r.o.Vault.RecordingsPath(), r.id+".wav")
	n := &persistence.Note{
		ID: r.id, Title: r.o.Title,
		Timestamp: r.created, CreatedAt: r.created, UpdatedAt: r.created,
		TranscriptionStatus: persistence.StatusUnprocessed,
		Duration:            r.Recorded().Round(time.Millisecond), // as the file keeps it
		Audio:               filepath.Base(target),
		Tags:                slices.Clone(r.o.Tags),
	}
	if n.Title == "" {
		n.Title = "Recording " + r.created.Local().Format("2 Jan 2006 15:04")
		n.AutoTitle = true // until the transcript names it
	}
	if err := r.o.Vault.Save(n); err != nil {
		kept(err)
		return
	}
	if err := r.wav.Finalize(target); err != nil {
		r.err = fmt.Errorf("%w; the note is saved and the next start finishes its audio", errors.Join(werr, err))
		return
	}
	r.note = n
	if len(r.o.Tags) > 0 || r.o.Title != "" {
		// The note has the tags and title kept beside the audio for
		// recovery; the file goes unless markers wait in it too.
		if err := persistence.DropFieldsOnly(r.o.Vault.FS(), r.o.Vault.MarkersPath(r.id)); err != nil {
			r.o.Logf("audio: %s: %v", r.o.Vault.MarkersPath(r.id), err)
		}
	}
	switch {
	case werr != nil:
		r.err = fmt.Errorf("%w: %w; the %s recorded until then is saved", ErrWrite, werr, audio.Seconds(r.Recorded()))
	case r.capErr != nil:
		r.err = fmt.Errorf("the recording stopped because the input failed (%w); the %s captured until then is saved", r.capErr, audio.Seconds(r.Recorded()))
	case r.Dropped() > 0:
		r.err = fmt.Errorf("%w: %d frames (%.1f s) were lost because the computer could not keep up; the rest is saved", ErrGap, r.Dropped(), float64(r.Dropped())/float64(r.rate))
	case r.Lost() > 0:
		r.err = fmt.Errorf("%w: %.1f s were not recorded while the computer was suspended or too busy (a marker says where); the rest is saved", ErrGap, r.Lost().Seconds())
	}
}

// ErrWrite reports that a recording stopped because its file could not
// be written; the error it wraps names the file and the cause.
var ErrWrite = errors.New("the recording stopped because its file could not be written")

// ErrGap reports that audio was lost in the middle of a saved recording.
var ErrGap = errors.New("gap in the recording")
