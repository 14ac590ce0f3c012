//go:build pocketsphinx

package transcribe

import "context"

func (p *pocketSphinx) Transcribe(ctx context.Context, path string, o Options, progress func(float64)) (*Result, error) {
	if o.Language != "" && o.Language != "en" {
		return nil, errEnglishOnly(o.Language)
	}
	d, err := p.newDecoder(false)
	if err != nil {
		return nil, err
	}
	defer d.free()
	if err := decodeFile(ctx, path, d.process, progress); err != nil {
		return nil, err
	}
	return d.finish(), nil
}

// Stream transcribes while recording: partial text every 100 ms of speech,
// settled at each pause, final at Finish without a second pass.
func (p *pocketSphinx) Stream(o Options) (Stream, error) {
	if o.Language != "" && o.Language != "en" {
		return nil, errEnglishOnly(o.Language)
	}
	d, err := p.newDecoder(true)
	if err != nil {
		return nil, err
	}
	return &psStream{d: d}, nil
}

type psStream struct {
	d *decoder
}

func (s *psStream) Write(samples []int16) error { return s.d.process(samples) }
func (s *psStream) Text() string                { return s.d.text() }
func (s *psStream) Finish() (*Result, error)    { return s.d.finish(), nil }
func (s *psStream) Close() error                { s.d.free(); return nil }

// Recycle hands this stream's decoder over as a new stream, ready for the
// next recording: its model stays loaded (loading it again costs a core
// for a fifth of a second or more, and 95 MB allocated anew), and what it
// learnt of the audio channel (noise level, cepstral mean) carries over,
// as pocketsphinx_continuous carries it from one utterance to the next.
func (s *psStream) Recycle() (Stream, bool) {
	if s.d == nil {
		return nil, false
	}
	d, ok := s.d.reset()
	if !ok {
		return nil, false
	}
	return &psStream{d: d}, true
}
