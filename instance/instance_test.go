package instance

import (
	"errors"
	"testing"

	"github.com/voicenotes/voicenotes/internal/tempdir"
)

func TestSendAndListen(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", tempdir.New(t))
	vault := "/home/someone/Documents/Voice Notes"
	if _, err := Send(vault, Toggle); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("no instance: %v", err)
	}
	var got []string
	l, err := Listen(vault, func(cmd string) string { got = append(got, cmd); return "recording" })
	if err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, vault)
	reply, err := Send(vault, Toggle)
	if err != nil || reply != "recording" || len(got) != 1 || got[0] != Toggle {
		t.Fatalf("Send = %q, %v; handler saw %v", reply, err, got)
	}
	// Again: the endpoint serves more than one command.
	if reply, err := Send(vault, Show); err != nil || reply != "recording" || len(got) != 2 {
		t.Fatalf("second Send = %q, %v; handler saw %v", reply, err, got)
	}
	if _, err := Send("/another/vault", Toggle); !errors.Is(err, ErrNotRunning) {
		t.Errorf("a different vault reached this instance: %v", err)
	}
	l.Close()
	if _, err := Send(vault, Toggle); !errors.Is(err, ErrNotRunning) {
		t.Errorf("after Close: %v", err)
	}
}
