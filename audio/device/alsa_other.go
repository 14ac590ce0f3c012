//go:build !linux || !cgo

package device

// releaseProbed has nothing to release where PortAudio does not go
// through ALSA.
func releaseProbed() {}
