//go:build unix

package persistence_test

import "github.com/google/renameio/v2"

// renameioWrite is the peer BenchmarkSave10KB measures against.
var renameioWrite = func(path string, data []byte) error { return renameio.WriteFile(path, data, 0o600) }
