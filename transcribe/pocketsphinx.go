//go:build pocketsphinx

package transcribe

/*
#cgo pkg-config: pocketsphinx sphinxbase
#include <pocketsphinx.h>
#include <err.h>
#include <stdlib.h>

static ps_decoder_t *vn_ps_init(const char *hmm, const char *lm, const char *dict) {
	err_set_logfp(NULL); // PocketSphinx logs a page per decoder to stderr otherwise
	cmd_ln_t *c = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-lm", lm, "-dict", dict, NULL);
	if (c == NULL) return NULL;
	ps_decoder_t *ps = ps_init(c);
	cmd_ln_free_r(c);
	return ps;
}

static int vn_seg_start(ps_seg_t *seg) { int sf, ef; ps_seg_frames(seg, &sf, &ef); return sf; }
static int vn_seg_end(ps_seg_t *seg) { int sf, ef; ps_seg_frames(seg, &sf, &ef); return ef; }

static const char *vn_ps_hyp(ps_decoder_t *ps) {
	int32 score;
	return ps_get_hyp(ps, &score);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"
)

// modelDir is where the en-us model lives; the Makefile sets it from
// pkg-config (--variable=modeldir), and these are tried when it is empty.
var modelDir string

var modelDirs = []string{"/usr/share/pocketsphinx/model", "/usr/local/share/pocketsphinx/model", "/opt/homebrew/share/pocketsphinx/model"}

type psModel struct{ hmm, lm, dict string }

func findModel() (psModel, error) {
	dirs := modelDirs
	// A package may carry the model beside the program (the Windows zip).
	if exe, err := os.Executable(); err == nil {
		dirs = append([]string{filepath.Join(filepath.Dir(exe), "pocketsphinx-model")}, dirs...)
	}
	if env := os.Getenv("VOICENOTES_POCKETSPHINX_MODEL"); env != "" {
		dirs = []string{env}
	} else if modelDir != "" {
		dirs = append([]string{modelDir}, dirs...)
	}
	for _, d := range dirs {
		m := psModel{filepath.Join(d, "en-us", "en-us"), filepath.Join(d, "en-us", "en-us.lm.bin"), filepath.Join(d, "en-us", "cmudict-en-us.dict")}
		if _, err := os.Stat(m.dict); err == nil {
			return m, nil
		}
	}
	return psModel{}, fmt.Errorf("the PocketSphinx US-English model is not installed (looked in %s); on Debian or Ubuntu: apt install pocketsphinx-en-us", strings.Join(dirs, ", "))
}

func init() {
	dictPath = func() string {
		m, err := findModel()
		if err != nil {
			return ""
		}
		return m.dict
	}
	Register(PocketSphinxName, Factory{
		Order: 0,
		Info: func() Info {
			i := Info{Name: PocketSphinxName, Description: "PocketSphinx, in process and offline; US English only", Offline: true, Languages: []string{"en"}}
			if _, err := findModel(); err != nil {
				i.Unavailable = err.Error()
			}
			return i
		},
		New: func(Config) (Engine, error) {
			m, err := findModel()
			if err != nil {
				return nil, err
			}
			return &pocketSphinx{model: m}, nil
		},
	})
}

type pocketSphinx struct{ model psModel }

func (*pocketSphinx) Name() string { return PocketSphinxName }

// Describe names the model; PocketSphinx has no server.
func (*pocketSphinx) Describe() (model, server string) { return psModelName, "" }

// psInitMu serializes decoder creation: PocketSphinx's global log and
// config setup is not thread-safe.
var psInitMu sync.Mutex

// psFrameRate is PocketSphinx's default frame rate (-frate), the unit of
// its word times.
const psFrameRate = 100

// decoder is one PocketSphinx decoder that splits audio into utterances at
// pauses, as pocketsphinx_continuous does.
type decoder struct {
	ps          *C.ps_decoder_t
	inUtt       bool
	settled     []Segment
	words       []Segment
	partial     string
	samples     int64 // processed
	uttStart    int64
	sinceHyp    int
	hypEvery    int // samples between partial hypotheses
	wantPartial bool
	finished    bool // the last utterance was ended by finish
}

func (p *pocketSphinx) newDecoder(wantPartial bool) (*decoder, error) {
	hmm, lm, dict := C.CString(p.model.hmm), C.CString(p.model.lm), C.CString(p.model.dict)
	defer C.free(unsafe.Pointer(hmm))
	defer C.free(unsafe.Pointer(lm))
	defer C.free(unsafe.Pointer(dict))
	psInitMu.Lock()
	ps := C.vn_ps_init(hmm, lm, dict)
	psInitMu.Unlock()
	if ps == nil {
		return nil, errors.New("PocketSphinx could not load its model; reinstall pocketsphinx-en-us")
	}
	if C.ps_start_utt(ps) < 0 {
		C.ps_free(ps)
		return nil, errors.New("PocketSphinx could not start decoding")
	}
	return &decoder{ps: ps, hypEvery: 16000 / 10, wantPartial: wantPartial}, nil
}

// process feeds 16 kHz mono samples.
func (d *decoder) process(s []int16) error {
	if len(s) == 0 {
		return nil
	}
	if C.ps_process_raw(d.ps, (*C.int16)(unsafe.Pointer(&s[0])), C.size_t(len(s)), 0, 0) < 0 {
		return errors.New("PocketSphinx failed to decode the audio")
	}
	d.samples += int64(len(s))
	inSpeech := C.ps_get_in_speech(d.ps) != 0
	switch {
	case inSpeech && !d.inUtt:
		d.inUtt, d.uttStart = true, d.samples-int64(len(s))
	case !inSpeech && d.inUtt:
		d.endUtt()
		if C.ps_start_utt(d.ps) < 0 {
			return errors.New("PocketSphinx could not start the next utterance")
		}
		d.inUtt = false
	}
	if d.wantPartial && d.inUtt {
		if d.sinceHyp += len(s); d.sinceHyp >= d.hypEvery {
			d.sinceHyp = 0
			if h := C.vn_ps_hyp(d.ps); h != nil {
				d.partial = C.GoString(h)
			}
		}
	}
	return nil
}

// endUtt ends the current utterance and settles its text.
func (d *decoder) endUtt() {
	C.ps_end_utt(d.ps)
	if h := C.vn_ps_hyp(d.ps); h != nil {
		if text := strings.TrimSpace(C.GoString(h)); text != "" {
			d.settled = append(d.settled, Segment{Start: float64(d.uttStart) / 16000, End: float64(d.samples) / 16000, Text: text})
		}
	}
	// Word times: PocketSphinx counts frames of 10 ms from the start of
	// the stream (ps_start_stream, or the decoder's creation), not of the
	// utterance: every decoder here starts its stream at the first sample
	// it is fed, so a frame number is already a time in the audio.
	for seg := C.ps_seg_iter(d.ps); seg != nil; seg = C.ps_seg_next(seg) {
		w := C.GoString(C.ps_seg_word(seg))
		if w == "" || w[0] == '<' || w[0] == '[' {
			continue // silence and noise
		}
		if i := strings.IndexByte(w, '('); i > 0 {
			w = w[:i] // alternate pronunciations: word(2)
		}
		d.words = append(d.words, Segment{Start: float64(C.vn_seg_start(seg)) / psFrameRate, End: float64(C.vn_seg_end(seg)+1) / psFrameRate, Text: w})
	}
	d.partial = ""
}

func (d *decoder) text() string {
	var parts []string
	for _, s := range d.settled {
		parts = append(parts, s.Text)
	}
	if d.partial != "" {
		parts = append(parts, d.partial)
	}
	return strings.Join(parts, " ")
}

func (d *decoder) finish() *Result {
	if d.inUtt {
		d.endUtt()
	} else if !d.finished {
		C.ps_end_utt(d.ps)
	}
	d.inUtt, d.finished = false, true
	return &Result{Text: d.text(), Segments: d.settled, Words: d.words, Language: "en"}
}

// reset ends what d was decoding and returns a decoder for a new stream
// of audio on the same PocketSphinx decoder (d gives it up).
func (d *decoder) reset() (*decoder, bool) {
	if d.ps == nil {
		return nil, false
	}
	if !d.finished {
		d.finish()
	}
	if C.ps_start_stream(d.ps) < 0 || C.ps_start_utt(d.ps) < 0 {
		return nil, false
	}
	next := &decoder{ps: d.ps, hypEvery: d.hypEvery, wantPartial: d.wantPartial}
	d.ps = nil
	return next, true
}

func (d *decoder) free() {
	if d.ps != nil {
		C.ps_free(d.ps)
		d.ps = nil
	}
}
