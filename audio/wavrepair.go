package audio

import (
	"errors"
	"io"
	"syscall"
)

// fileRW is what RepairWAV needs of a file.
type fileRW interface {
	io.ReaderAt
	io.WriterAt
	Truncate(int64) error
}

// RepairWAV makes a PCM16 recording file whole: its data length becomes
// what the file holds after the header, in whole frames, and the header is
// rewritten to say so. The header's own claim is ignored: a recording
// rewrites it once a second, so it only ever lags behind the samples
// appended after it, and trusting it would drop up to a second of a
// recording killed mid-way. (After a power loss, a journaling file system
// gives back an append whole or shorter; at worst a tail of zeros, which
// is silence.) A file too short for a header becomes an empty recording.
// It returns the data length in bytes and the format.
func RepairWAV(f fileRW, size int64) (data int64, rate, channels int, err error) {
	rate, channels = StoreRate, StoreChannels
	offset := int64(WAVHeaderSize)
	if info, err := ParseWAVHeader(f); err == nil && !info.Float && info.Bits == 16 {
		rate, channels, offset = info.SampleRate, info.Channels, info.DataOffset
	}
	data = max(0, size-offset)
	data -= data % int64(2*channels)
	if offset != WAVHeaderSize { // a header with extra chunks: rewrite it as ours
		if err := moveData(f, offset, data); err != nil {
			return 0, 0, 0, err
		}
	}
	if _, err := f.WriteAt(PCM16Header(rate, channels, data), 0); err != nil {
		return 0, 0, 0, err
	}
	// Bytes past the samples (half a frame, or what a moved header left)
	// go; a file system that cannot cut a file (FUSE's FAT) keeps them,
	// past the data chunk the header declares, where no reader looks.
	if size != WAVHeaderSize+data {
		if err := f.Truncate(WAVHeaderSize + data); err != nil && !cannotTruncate(err) {
			return 0, 0, 0, err
		}
	}
	return data, rate, channels, nil
}

// cannotTruncate says that err is a file system's refusal to truncate
// at all, not a failure of this truncate.
func cannotTruncate(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP)
}

// moveData shifts n bytes at from to just after a 44-byte header.
func moveData(f fileRW, from, n int64) error {
	buf := make([]byte, 64<<10)
	for done := int64(0); done < n; {
		c := min(int64(len(buf)), n-done)
		if _, err := f.ReadAt(buf[:c], from+done); err != nil {
			return err
		}
		if _, err := f.WriteAt(buf[:c], WAVHeaderSize+done); err != nil {
			return err
		}
		done += c
	}
	return nil
}
