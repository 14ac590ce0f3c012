package persistence_test

import (
	"os"
	"testing"
)

// children are the helper processes some tests start from this test
// binary: the environment variable that names one, and what it runs. They
// run from TestMain, so they are never counted as tests.
var children = map[string]func(arg string){}

func TestMain(m *testing.M) {
	for env, run := range children {
		if arg := os.Getenv(env); arg != "" {
			run(arg)
			os.Exit(0)
		}
	}
	os.Exit(m.Run())
}
