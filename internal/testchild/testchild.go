// Package testchild lets a test binary double as the helper processes its
// tests start (a child killed mid-write, one with a lowered file size
// limit): TestMain runs the child a variable names instead of the tests,
// so a helper is never counted as a passing test.
package testchild

import (
	"os"
	"testing"
)

var children = map[string]func(arg string){}

// Register names a child: when the variable env is set, Main runs fn with
// its value and exits.
func Register(env string, fn func(arg string)) { children[env] = fn }

// Main is TestMain for a package with children.
func Main(m *testing.M) {
	for env, run := range children {
		if arg := os.Getenv(env); arg != "" {
			run(arg)
			os.Exit(0)
		}
	}
	os.Exit(m.Run())
}
