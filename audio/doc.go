// Package audio is the signal and the codecs: the Source a device
// delivers through, a lock-free ring, the one downmix → resample → clip
// path (Converter, ReadMono), WAV and FLAC readers, decoding any other
// format through ffmpeg, encoding to compact formats, the player with
// its time stretch, and repairing a WAV a crash cut short.
//
// It knows nothing of notes or the vault: package recording decides
// which file is written when. It knows devices only through the Source
// and Sink interfaces; the audio/device package implements them with
// PortAudio.
package audio
