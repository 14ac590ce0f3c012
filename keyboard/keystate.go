package keyboard

// repeatGap is how long after the last press of a held key a press is a
// new one: a key held down repeats every 25 to 50 ms once it starts
// (after a delay desktops let people set up to a second or two), so a
// press after a longer silence means its release was never heard (a grab
// another program broke, say), and the shortcut must not stay deaf to
// every later press.
const repeatGap = 2500 // ms, X server time

// keyState follows one grabbed key through the X server's events: a held
// key's repeats (one press each, no release, with detectable autorepeat)
// are not new presses, and a press long after the last one is, even when
// the release before it was never heard.
type keyState struct {
	held bool
	last uint64 // server time of the last press, ms
}

// event takes a press or a release at server time at (ms) and says what
// it means: lost, the key was let go unheard before this press; pressed,
// a new press; released, the key was let go.
func (k *keyState) event(press bool, at uint64) (lost, pressed, released bool) {
	if !press {
		released = k.held
		k.held = false
		return
	}
	gap := at - k.last
	k.last = at
	switch {
	case !k.held:
		k.held = true
		return false, true, false
	case gap > repeatGap:
		return true, true, false
	}
	return false, false, false // a repeat
}
