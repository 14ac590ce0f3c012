package instance

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/voicenotes/voicenotes/internal/tempdir"
)

const listenAsEnv = "VOICENOTES_INSTANCE_LISTEN_AS_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(listenAsEnv); path != "" {
		// The other user's process: it listens where it was told and
		// answers every command "recording".
		l, err := net.Listen("unix", path)
		if err != nil {
			os.Exit(3)
		}
		os.Chmod(path, 0o777)
		os.Stdout.WriteString("listening\n")
		for {
			c, err := l.Accept()
			if err != nil {
				os.Exit(0)
			}
			c.Write([]byte("recording\n"))
			c.Close()
		}
	}
	os.Exit(m.Run())
}

// nobody is the user other processes run as in these tests.
func nobody(t *testing.T) (uid, gid int) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("making another user's files and processes needs root")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody: %v", err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return uid, gid
}

// TestFolderOfAnotherUserIsRefused: without $XDG_RUNTIME_DIR the socket's
// folder is in /tmp, where another user may have made it first; then
// neither toggle nor the window uses it.
func TestFolderOfAnotherUserIsRefused(t *testing.T) {
	uid, gid := nobody(t)
	tmp := tempdir.New(t)
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("TMPDIR", tmp)
	vault := "/home/someone/Voice Notes"
	dir := filepath.Dir(socketPath(vault))
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o777)
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	if _, err := Send(vault, Toggle); err == nil || !strings.Contains(err.Error(), "belongs to user") {
		t.Errorf("Send into another user's folder: %v; want a refusal naming the owner", err)
	}
	if l, err := Listen(vault, func(string) string { return "" }); err == nil {
		l.Close()
		t.Error("Listen used another user's folder")
	}
}

// TestPeerOfAnotherUserIsRefused: a socket answered by another user's
// process (the kernel says whose) gets no command and is not believed.
func TestPeerOfAnotherUserIsRefused(t *testing.T) {
	uid, gid := nobody(t)
	dir, err := os.MkdirTemp("", "peer")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o777)
	bin := filepath.Join(dir, "instance.test")
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "s.sock")
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), listenAsEnv+"="+sock)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "listening\n" {
		t.Fatalf("the other user's listener said %q", line)
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := samePeer(c); err == nil || !strings.Contains(err.Error(), "not yours") {
		t.Errorf("samePeer with user %d's process: %v; want a refusal", uid, err)
	}
}
