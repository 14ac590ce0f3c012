package removable

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
)

// Kinds are the file systems Mount makes.
var Kinds = []string{"fat32", "exfat"}

// Mount makes a 64 MiB image of kind ("fat32" or "exfat"), mounts it on
// a new empty folder, unmounted when the test ends, and returns the
// folder.
func Mount(t testing.TB, kind string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("mounting %s through FUSE needs root; this machine runs the tests as a normal user", kind)
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skipf("mounting %s needs FUSE, and this machine has no /dev/fuse", kind)
	}
	work := tempdir.New(t)
	img, dir := filepath.Join(work, kind+".img"), filepath.Join(work, "mnt")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s(make setup installs dosfstools, fusefat, exfatprogs and exfat-fuse)", name, strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	var daemon *exec.Cmd
	switch kind {
	case "fat32":
		run("mkfs.fat", "-F", "32", img)
		// -f: in the foreground, so that the test owns the process; rw+:
		// writable.
		daemon = exec.Command("fusefat", "-f", "-o", "rw+", img, dir)
		var out bytes.Buffer
		daemon.Stdout, daemon.Stderr = &out, &out
		if err := daemon.Start(); err != nil {
			t.Fatalf("fusefat: %v (make setup installs fusefat)", err)
		}
	case "exfat":
		run("mkfs.exfat", img)
		dev := run("losetup", "--find", "--show", img)
		t.Cleanup(func() { exec.Command("losetup", "-d", dev).Run() })
		run("mount.exfat-fuse", dev, dir)
	default:
		t.Fatalf("removable.Mount: no file system %q", kind)
	}
	t.Cleanup(func() {
		// A file still open on it (a test that failed half-way) keeps
		// the mount busy: lazily then.
		if exec.Command("fusermount", "-u", dir).Run() != nil {
			exec.Command("umount", "-l", dir).Run()
		}
		if daemon != nil {
			daemon.Process.Kill()
			daemon.Wait()
		}
	})
	for deadline := time.Now().Add(20 * time.Second); !mounted(dir); {
		if time.Now().After(deadline) {
			t.Fatalf("%s was not mounted on %s after 20 s", kind, dir)
		}
		time.Sleep(20 * time.Millisecond) // the FUSE daemon mounts in its own time; no event says so
	}
	return dir
}

// mounted says whether a file system is mounted on dir.
func mounted(dir string) bool {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if fields := strings.Fields(s.Text()); len(fields) > 1 && unescape(fields[1]) == dir {
			return true
		}
	}
	return false
}

// unescape undoes /proc/mounts' octal escapes (a space is \040).
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c int
			if _, err := fmt.Sscanf(s[i+1:i+4], "%o", &c); err == nil {
				b.WriteByte(byte(c))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
