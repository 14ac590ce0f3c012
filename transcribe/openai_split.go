package transcribe

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/regular"
	"github.com/voicenotes/voicenotes/persistence"
)

// chunk is one upload: a file, or a piece of a recording, read from disk
// as it is sent (never held in memory: an hour of audio is 115 MB).
type chunk struct {
	open    func() (io.ReadCloser, error) // the bytes to send, from the start
	size    int64
	name    string // file name sent, whose extension tells the format
	seconds float64
}

// splitting, when set (by tests), is called before a file too large to
// send whole is decoded and split: a name swapped then must not change
// what is sent.
var splitting func()

// chunks returns the upload(s) for a file: the file itself when it fits,
// else 16 kHz mono WAV pieces cut at the quietest 100 ms near each limit.
// For those the audio is decoded once into a scratch file beside it (a
// temp name that startup cleanup removes should a crash leave it), which
// cleanup deletes. Memory stays near one fifth of a piece, for the search
// of the cut.
func (o *OpenAI) chunks(ctx context.Context, path string, checked fs.FileInfo) (out []chunk, cleanup func(), err error) {
	cleanup = func() {}
	// Opened once, never through a link (the queue hands over the file a
	// link in the vault names, checked to stay in it), and every attempt
	// sends from this handle: a name swapped for a link to a private
	// file after the check is never what leaves the computer.
	f, err := regular.OpenNoFollow(path) // never a pipe
	if err != nil {
		return nil, cleanup, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, cleanup, err
	}
	// And it is the file the vault checked: a folder on the path swapped
	// for a link after the check (O_NOFOLLOW guards the last name only)
	// opened another.
	if checked != nil && !os.SameFile(st, checked) {
		f.Close()
		return nil, cleanup, fmt.Errorf("%s is not the file checked a moment ago (a folder on its path was replaced, perhaps by a link out of the vault): nothing was sent; transcribe it again", path)
	}
	w, werr := audio.NewWAVReader(f, st.Size())
	var r audio.Reader = w
	if st.Size() <= int64(o.ChunkBytes) {
		secs := 0.0
		if werr == nil {
			secs = w.Duration().Seconds()
		}
		size := st.Size()
		open := func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(f, 0, size)), nil }
		// Named for what it holds: WebM saved as .wav goes as .webm.
		return []chunk{{open, size, audio.UploadName(path), secs}}, func() { f.Close() }, nil
	}
	defer f.Close()
	if splitting != nil {
		splitting()
	}
	if werr != nil {
		// Too large to send whole and not WAV: decode it (ffmpeg) to
		// split, from this handle, not by name.
		decoded, done, err := audio.OpenAudioFile(ctx, f, path)
		if err != nil {
			return nil, cleanup, fmt.Errorf("%s is larger than the %d MB upload limit and cannot be decoded to be split: %w", path, o.ChunkBytes>>20, err)
		}
		defer done()
		r = decoded
	}
	scratch, err := persistence.CreatePending(persistence.OS, path+".upload", persistence.FilePerm)
	if err != nil {
		return nil, cleanup, err
	}
	var pcm *os.File
	cleanup = func() {
		if pcm != nil {
			pcm.Close()
		}
		scratch.Cleanup()
	}
	var samples int64
	var buf []byte
	err = audio.ReadMono(ctx, r, audio.StoreRate, audio.StoreRate, func(s []int16) error {
		buf = audio.AppendPCM16(buf[:0], s)
		samples += int64(len(s))
		_, err := scratch.Write(buf)
		return err
	}, nil)
	if err == nil {
		pcm, err = os.Open(scratch.TempName())
	}
	if err != nil {
		cleanup()
		return nil, func() {}, fmt.Errorf("%s: %w", path, err)
	}
	limit := int64(o.ChunkBytes-44) / 2 // samples per piece
	for start := int64(0); start < samples; {
		end := samples
		if end-start > limit {
			// Only the last fifth is searched for the cut: read just that.
			from := start + limit*4/5
			raw := make([]byte, 2*(start+limit-from))
			if _, err := pcm.ReadAt(raw, 2*from); err != nil {
				cleanup()
				return nil, func() {}, fmt.Errorf("%s: %w", path, err)
			}
			tail := make([]int16, len(raw)/2)
			for i := range tail {
				tail[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
			}
			end = from + int64(quietestCut(tail))
		}
		s, e := start, end
		open := func() (io.ReadCloser, error) {
			return io.NopCloser(io.MultiReader(bytes.NewReader(audio.PCM16Header(audio.StoreRate, 1, 2*(e-s))), io.NewSectionReader(pcm, 2*s, 2*(e-s)))), nil
		}
		out = append(out, chunk{open, 44 + 2*(e-s), "audio.wav", float64(e-s) / audio.StoreRate})
		start = end
	}
	return out, cleanup, nil
}

// quietestCut picks where to end a chunk in s, the last fifth of the
// chunk, so words are not cut in half: in the quietest 100 ms window of s,
// the centre of the quietest 10 ms (the one nearest the window's centre on
// a tie). It returns an index into s.
func quietestCut(s []int16) int {
	const win, sub = audio.StoreRate / 10, audio.StoreRate / 100
	energy := func(a, b int) float64 {
		var e float64
		for _, v := range s[a:b] {
			e += float64(v) * float64(v)
		}
		return e
	}
	best, bestAt := math.Inf(1), -1
	for at := 0; at+win <= len(s); at += sub {
		if e := energy(at, at+win); e < best {
			best, bestAt = e, at
		}
	}
	if bestAt < 0 {
		return len(s)
	}
	centre := bestAt + win/2
	cut, least := centre, math.Inf(1)
	for at := bestAt; at+sub <= bestAt+win; at += sub / 4 {
		mid := at + sub/2
		e := energy(at, at+sub)
		if e < least || e == least && abs(mid-centre) < abs(cut-centre) {
			cut, least = mid, e
		}
	}
	return cut
}

func abs(x int) int { return max(x, -x) }
