package persistence_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/testchild"
	"github.com/voicenotes/voicenotes/persistence"
)

// The kill -9 harness: a child process saves notes over and over and is
// killed at random moments. Every note on disk must then be one of the
// versions written in full.

const (
	killHelperEnv = "VOICENOTES_KILL_HELPER" // "dir|mode"
	killNotes     = 3
)

// killBody is the text of version v of note i: large enough that a write
// takes a while, and different in length and content for every version.
func killBody(i, v int) string {
	line := fmt.Sprintf("note %d version %d: the quick brown fox jumps over the lazy dog\n", i, v)
	size := 128<<10 + (v%7)*16<<10
	return strings.Repeat(line, (size+len(line)-1)/len(line))
}

// naiveFile is version v of note i as a program of its own would write
// it, without this package: its own header, then the text. Made in well
// under a millisecond even under -race (Marshal takes 25 ms there, 25
// times its write), so the child spends its time writing and most random
// kills land in a write.
func naiveFile(i, v int) []byte {
	return []byte(fmt.Sprintf("---\nid: k%d\ntitle: version %d\ntranscriptionStatus: DONE\n---\n%s", i, v, killBody(i, v)))
}

func killNote(i, v int) *persistence.Note {
	return &persistence.Note{
		ID:                  fmt.Sprintf("k%d", i),
		Title:               fmt.Sprintf("version %d", v),
		TranscriptionStatus: persistence.StatusDone,
		Body:                killBody(i, v),
	}
}

func init() { testchild.Register(killHelperEnv, killChild) }

// killChild is the child process: it saves notes until it is killed, or
// in mode "check" prints what checkKillVault finds, a line each.
func killChild(spec string) {
	dir, mode, _ := strings.Cut(spec, "|")
	if mode == "check" {
		for _, p := range checkKillVault(dir) {
			fmt.Println(p)
		}
		return
	}
	v, err := persistence.Open(dir, persistence.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	write := func(i, ver int) error {
		if mode == "atomic" {
			return v.Save(killNote(i, ver))
		}
		return writeInPlace(v.NotePath(fmt.Sprintf("k%d", i)), naiveFile(i, ver))
	}
	fmt.Println("ready")
	for ver := rand.IntN(1000); ; ver++ {
		for i := range killNotes {
			if err := write(i, ver); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(4)
			}
		}
	}
}

// writeInPlace is how a program that does not care writes a file: over
// the old one, through a 4 KiB buffer, as bufio does. Its many writes are
// what makes a torn file likely at a random kill even on a loaded machine,
// where a single 130 KiB write (os.WriteFile) was torn by none of 500
// kills in a CI run.
func writeInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 4<<10)
	for len(data) > 0 {
		k := min(len(data), 1000)
		if _, err := w.Write(data[:k]); err != nil {
			f.Close()
			return err
		}
		data = data[k:]
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkKillVault returns what is wrong with the notes on disk.
func checkKillVault(dir string) []string {
	var problems []string
	for i := range killNotes {
		path := filepath.Join(dir, persistence.RecordingsDir, fmt.Sprintf("k%d.md", i))
		f, err := os.Open(path)
		if os.IsNotExist(err) {
			continue // not written yet
		}
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		n, err := persistence.ParseNote(f)
		f.Close()
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s does not parse: %v", path, err))
			continue
		}
		ver, err := strconv.Atoi(strings.TrimPrefix(n.Title, "version "))
		if err != nil || n.Body != killBody(i, ver) {
			problems = append(problems, fmt.Sprintf("%s: title %q with a body of %d bytes is not a version written in full", path, n.Title, len(n.Body)))
		}
	}
	return problems
}

// killLoop runs up to rounds child processes, killing each at a random
// moment, and returns the problems found after the first bad round.
func killLoop(t *testing.T, mode string, rounds int) (problems []string, ran int) {
	dir := tempdir.New(t)
	bin := testchild.Binary(t)
	// Under the race detector, parsing the notes took 27 ms a note, 40 of
	// the test's 60 s: a child built without it parses them instead.
	check := checkKillVault
	if bin != os.Args[0] {
		check = func(dir string) []string {
			cmd, out, err := testchild.Run(t, func() *exec.Cmd {
				cmd := exec.Command(bin, "-test.run=^$")
				cmd.Env = append(os.Environ(), killHelperEnv+"="+dir+"|check")
				return cmd
			})
			if err != nil || cmd == nil {
				t.Fatalf("checking the notes in a child: %v\n%s", err, out)
			}
			var problems []string
			for line := range strings.Lines(string(out)) {
				problems = append(problems, strings.TrimSuffix(line, "\n"))
			}
			return problems
		}
	}
	for ran = 1; ran <= rounds; ran++ {
		cmd, out, err := testchild.Start(t, func() *exec.Cmd {
			cmd := exec.Command(bin, "-test.run=^$")
			cmd.Env = append(os.Environ(), killHelperEnv+"="+dir+"|"+mode)
			cmd.Stderr = os.Stderr
			return cmd
		})
		if err != nil {
			t.Fatalf("round %d: starting the child: %v", ran, err)
		}
		if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: child did not start: %q %v", ran, line, err)
		}
		time.Sleep(time.Duration(rand.IntN(15000)) * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL; TerminateProcess on Windows
			t.Fatal(err)
		}
		err = cmd.Wait()
		if !killed(cmd.ProcessState) {
			t.Fatalf("round %d: child exited by itself (%v) instead of being killed", ran, err)
		}
		if p := check(dir); len(p) > 0 {
			return p, ran
		}
	}
	return nil, rounds
}

func TestKillNineNeverTearsANote(t *testing.T) {
	problems, ran := killLoop(t, "atomic", 500)
	if len(problems) > 0 {
		t.Fatalf("after %d kills: %s", ran, strings.Join(problems, "\n"))
	}
}

// TestKillHarnessCatchesTornWrites proves the harness can fail: the same
// loop over a plain write in place must find a torn note.
func TestKillHarnessCatchesTornWrites(t *testing.T) {
	problems, ran := killLoop(t, "naive", 500)
	if len(problems) == 0 {
		t.Fatalf("%d kills during writes in place left no torn note; the harness cannot see torn writes", ran)
	}
	t.Logf("torn note found after %d kills: %s", ran, problems[0])
}

// killed reports whether the child ended because it was killed: by a
// signal, or on Windows by TerminateProcess, which Go calls with exit
// code 1 (the child exits 3 or 4 by itself).
func killed(ps *os.ProcessState) bool {
	if runtime.GOOS == "windows" {
		return ps.ExitCode() == 1
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}
