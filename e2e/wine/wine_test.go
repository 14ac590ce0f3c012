//go:build wine

// Package wine runs the Windows build of voicenotes.exe under Wine, as a
// Windows user's command line would: on a vault whose path has spaces and
// letters beyond ASCII, and one past MAX_PATH. make wine runs it with
// VOICENOTES_WINDOWS_EXE set to the exe `make package-windows` made.
package wine

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tempdir"
)

// winPath is how Wine's Z: drive shows a Unix path.
func winPath(p string) string { return "Z:" + strings.ReplaceAll(p, "/", `\`) }

type exe struct {
	t    *testing.T
	path string
	wine string
}

func newExe(t *testing.T) *exe {
	path := os.Getenv("VOICENOTES_WINDOWS_EXE")
	if path == "" {
		t.Skip("VOICENOTES_WINDOWS_EXE is not set: make wine builds the exe and runs this")
	}
	wine := os.Getenv("WINE")
	if wine == "" {
		wine = "/usr/lib/wine/wine64"
	}
	return &exe{t: t, path: path, wine: wine}
}

// run runs voicenotes.exe with args and returns its output and exit code.
func (e *exe) run(args ...string) (stdout, stderr string, code int) {
	e.t.Helper()
	cmd := exec.Command(e.wine, append([]string{e.path}, args...)...)
	cmd.Env = append(os.Environ(), "VOICENOTES_VAULT=")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("running %v under Wine: %v", args, err)
	}
	return out.String(), errb.String(), code
}

func (e *exe) ok(args ...string) string {
	e.t.Helper()
	out, errs, code := e.run(args...)
	if code != 0 {
		e.t.Fatalf("voicenotes.exe %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

type listed struct {
	ID, Title, TranscriptionStatus string
}

func list(t *testing.T, e *exe, vault string) []listed {
	t.Helper()
	var out struct{ Notes []listed }
	if err := json.Unmarshal([]byte(e.ok("list", "--json", "--vault", vault)), &out); err != nil {
		t.Fatal(err)
	}
	return out.Notes
}

// tone writes a second of a 440 Hz tone as a 16 kHz WAV.
func tone(t *testing.T, path string) {
	t.Helper()
	s := make([]int16, 16000)
	for i := range s {
		s[i] = int16(8000 * ((i/18)%2*2 - 1))
	}
	data := append(audio.PCM16Header(16000, 1, int64(2*len(s))), audio.AppendPCM16(nil, s)...)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCLIRoundTrip: import, list, show, edit, export, doctor and delete on
// a vault at "…\Voice Notés" (a space, an accent), as a Windows user would.
func TestCLIRoundTrip(t *testing.T) {
	e := newExe(t)
	base := filepath.Join(tempdir.New(t), "Mes Documents")
	vault := winPath(filepath.Join(base, "Voice Notés"))
	memo := filepath.Join(base, "my memo é.wav")
	os.MkdirAll(base, 0o700)
	tone(t, memo)

	e.ok("import", "--vault", vault, "--no-transcribe", "--title", "Über 9:45", winPath(memo))
	notes := list(t, e, vault)
	if len(notes) != 1 || notes[0].Title != "Über 9:45" {
		t.Fatalf("after import: %+v", notes)
	}
	id := notes[0].ID
	wav := filepath.Join(base, "Voice Notés", "recordings", id+".wav")
	if st, err := os.Stat(wav); err != nil || st.Size() != 44+32000 {
		t.Fatalf("the imported audio %s: %v %v", wav, st, err)
	}
	if m, _ := filepath.Glob(filepath.Join(base, "Voice Notés", "recordings", "*.partial")); len(m) > 0 {
		t.Fatalf("import left %v unfinished", m)
	}
	if out := e.ok("show", id, "--vault", vault); !strings.Contains(out, "title: Über 9:45\n") {
		t.Errorf("show: %s", out)
	}
	e.ok("edit", id, "--vault", vault, "--title", "Renamed on Windows")
	if n := list(t, e, vault); n[0].Title != "Renamed on Windows" {
		t.Errorf("after edit: %+v", n)
	}
	html := filepath.Join(base, "export é.html")
	e.ok("export", id, "--vault", vault, "--format", "html", "--out", winPath(html))
	if data, err := os.ReadFile(html); err != nil || !strings.Contains(string(data), "Renamed on Windows") {
		t.Errorf("export: %v %.200s", err, data)
	}
	e.ok("doctor", "--vault", vault)
	e.ok("delete", id, "--vault", vault)
	if n := list(t, e, vault); len(n) != 0 {
		t.Errorf("after delete: %+v", n)
	}
	if m, _ := filepath.Glob(filepath.Join(base, "Voice Notés", ".trash", "*", id+".wav")); len(m) == 0 {
		if m2, _ := filepath.Glob(filepath.Join(base, "Voice Notés", ".trash", id+"*")); len(m2) == 0 {
			t.Error("the deleted note's audio is not in the trash")
		}
	}

	// The log is in %LOCALAPPDATA%, where Windows keeps a program's local
	// files (not beside the exe, not in the roaming profile).
	if prefix := os.Getenv("WINEPREFIX"); prefix != "" {
		if m, _ := filepath.Glob(filepath.Join(prefix, "drive_c", "users", "*", "AppData", "Local", "voicenotes", "voicenotes.log")); len(m) == 0 {
			t.Errorf("no voicenotes.log under %%LOCALAPPDATA%%\\voicenotes in the Wine prefix %s", prefix)
		}
	}

	// A device name Windows keeps is not an id.
	if _, errs, code := e.run("show", "CON", "--vault", vault); code == 0 || !strings.Contains(errs, "device name") {
		t.Errorf("show CON: exit %d, %q", code, errs)
	}
}

// TestLongPath: a vault past MAX_PATH (260 characters) works.
func TestLongPath(t *testing.T) {
	e := newExe(t)
	deep := tempdir.New(t)
	for len(deep) < 300 {
		deep = filepath.Join(deep, "a folder with a long name for Windows")
	}
	os.MkdirAll(deep, 0o700)
	memo := filepath.Join(deep, "memo.wav")
	tone(t, memo)
	vault := winPath(filepath.Join(deep, "Voice Notes"))
	e.ok("import", "--vault", vault, "--no-transcribe", winPath(memo))
	notes := list(t, e, vault)
	if len(notes) != 1 {
		t.Fatalf("notes in a vault at %d characters: %+v", len(vault), notes)
	}
	e.ok("edit", notes[0].ID, "--vault", vault, "--title", "deep")
	e.ok("delete", notes[0].ID, "--vault", vault)
}

// TestTranscribesOffline: the exe's own PocketSphinx, cross-compiled, with
// the model beside it, transcribes a LibriVox clip exactly as Debian's
// pocketsphinx_continuous does.
func TestTranscribesOffline(t *testing.T) {
	e := newExe(t)
	const clip = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0920.wav"
	if _, err := os.Stat(clip); err != nil {
		t.Skipf("%s is missing (make setup installs pocketsphinx-testdata)", clip)
	}
	ref, err := exec.Command("pocketsphinx_continuous", "-infile", clip, "-logfn", os.DevNull).Output()
	if err != nil {
		t.Skipf("pocketsphinx_continuous, the reference, did not run: %v (make setup installs pocketsphinx)", err)
	}
	if out := e.ok("engines"); !strings.Contains(out, "pocketsphinx") || strings.Contains(strings.SplitN(out, "openai", 2)[0], "unavailable") {
		t.Fatalf("the Windows build has no offline engine:\n%s", out)
	}
	vault := winPath(filepath.Join(tempdir.New(t), "Voice Notes"))
	e.ok("import", "--vault", vault, winPath(clip))
	var out struct {
		Notes []struct{ ID, TranscriptionStatus string }
	}
	if err := json.Unmarshal([]byte(e.ok("list", "--json", "--vault", vault)), &out); err != nil || len(out.Notes) != 1 {
		t.Fatalf("list: %v %+v", err, out)
	}
	note := e.ok("show", out.Notes[0].ID, "--vault", vault)
	body := note[strings.LastIndex(note, "---\n")+4:]
	if got, want := strings.Join(strings.Fields(body), " "), strings.Join(strings.Fields(string(ref)), " "); got != want {
		t.Errorf("transcript under Wine:\n%q\nwant what pocketsphinx_continuous gives:\n%q", got, want)
	}
}
