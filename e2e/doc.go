// Package e2e holds the end-to-end tests and launch benchmark, built with
// the e2e tag (make e2e): the real binary in Xvfb with a virtual microphone.
package e2e
