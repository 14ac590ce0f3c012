//go:build !unix

package main

// private: Windows has no umask; files inherit the user profile's ACLs.
func private() {}
