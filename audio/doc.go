// Package audio turns captured samples into recordings that survive any
// crash: a ring buffer between the device and a writer goroutine, streaming
// to a crash-recoverable WAV file, resampling to 16 kHz mono, a level meter,
// recovery of interrupted recordings, and WAV decoding for playback.
//
// It knows devices only through the Source and Sink interfaces; the
// audio/device package implements them with PortAudio.
package audio
