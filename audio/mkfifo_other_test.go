//go:build !unix

package audio

import "errors"

func mkfifo(string) error { return errors.New("named pipes are a Unix file type") }
