//go:build !windows

package persistence

// knownDocuments: only Windows has known folders.
func knownDocuments() (string, bool) { return "", false }
