package instance

import (
	"errors"
	"os"
	"runtime"
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
	if err != nil && runtime.GOOS == "windows" {
		t.Skipf("no Unix domain sockets here (%v): Wine 8 has none; Windows 10 and later do", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(socketPath(vault))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("socket %v %v, want private (0600)", st, err)
	}
	if dir, _ := os.Stat(socketPath(vault) + "/.."); dir != nil && dir.Mode().Perm() != 0o700 {
		t.Errorf("socket folder mode %v, want 0700", dir.Mode().Perm())
	}
	reply, err := Send(vault, Toggle)
	if err != nil || reply != "recording" || len(got) != 1 || got[0] != Toggle {
		t.Fatalf("Send = %q, %v; handler saw %v", reply, err, got)
	}
	if _, err := Send("/another/vault", Toggle); !errors.Is(err, ErrNotRunning) {
		t.Errorf("a different vault reached this instance: %v", err)
	}
	l.Close()
	if _, err := Send(vault, Toggle); !errors.Is(err, ErrNotRunning) {
		t.Errorf("after Close: %v", err)
	}
}
