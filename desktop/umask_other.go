//go:build !unix

package desktop

// private: Windows has no umask; files inherit the user profile's ACLs.
func private() {}
