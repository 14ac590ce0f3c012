//go:build linux

package persistence_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/testchild"
	"github.com/voicenotes/voicenotes/internal/tmpfs"
	"github.com/voicenotes/voicenotes/persistence"
)

// TestDiskFull saves on a real 256 KiB tmpfs until the disk is full.
func TestDiskFull(t *testing.T) {
	root := tmpfs.Mount(t, "size=256k,mode=0700", "a real disk-full")

	v := openVault(t, root, persistence.Options{})
	n := v.NewNote()
	n.Title, n.Body = "small", "fits easily\n"
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(n.Path)
	n.Body = strings.Repeat("this will not fit on the disk\n", 20000) // ~600 KB
	err := v.Save(n)
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "disk is full") || !strings.Contains(err.Error(), n.Path) {
		t.Fatalf("Save on a full disk = %v, want ENOSPC explained", err)
	}
	if after, _ := os.ReadFile(n.Path); !bytes.Equal(after, before) {
		t.Error("the note changed although the save failed")
	}
	if got := names(t, v.RecordingsPath()); len(got) != 1 {
		t.Errorf("recordings holds %v after the failure", got)
	}
	// The space the failed save used is free again: a normal save works.
	n.Body = "fits again\n"
	if err := v.Save(n); err != nil {
		t.Fatalf("saving after freeing space: %v", err)
	}
}

const efbigEnv = "VOICENOTES_EFBIG_HELPER"

func init() { testchild.Register(efbigEnv, efbigChild) }

// efbigChild is TestFileTooLarge's child, which lowers its own
// RLIMIT_FSIZE and saves a note larger than that.
func efbigChild(dir string) {
	v, err := persistence.Open(dir, persistence.Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	n, err := v.Note("big")
	if err != nil {
		fmt.Println("load:", err)
		os.Exit(3)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 64 << 10, Max: 64 << 10}); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(3)
	}
	n.Body = strings.Repeat("x", 256<<10)
	err = v.Save(n)
	fmt.Printf("efbig=%v\n%v\n", errors.Is(err, syscall.EFBIG), err)
	os.Exit(0)
}

// TestFileTooLarge: a save over the process's file size limit (EFBIG)
// fails cleanly and leaves the note as it was.
func TestFileTooLarge(t *testing.T) {
	root := tempdir.New(t)
	v := openVault(t, root, persistence.Options{})
	n := &persistence.Note{ID: "big", Title: "before", TranscriptionStatus: persistence.StatusDone, Body: "old\n"}
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(n.Path)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), efbigEnv+"="+root)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "efbig=true\n") || !strings.Contains(string(out), "larger than") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if after, _ := os.ReadFile(n.Path); !bytes.Equal(after, before) {
		t.Error("the note changed although the save failed")
	}
	if got := names(t, filepath.Join(root, persistence.RecordingsDir)); len(got) != 1 {
		t.Errorf("recordings holds %v after the failure", got)
	}
}
