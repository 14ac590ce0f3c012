//go:build !unix

package persistence_test

// renameioWrite: renameio has no Windows support.
var renameioWrite func(path string, data []byte) error
