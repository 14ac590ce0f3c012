package cli_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/cli"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/vaulttest"
	"github.com/voicenotes/voicenotes/persistence"
)

// run calls the command line in-process and returns exit code and output.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(args, cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

// seed makes a vault with one note and returns its root and the note.
func seed(t *testing.T) (string, *persistence.Note) {
	t.Helper()
	root := tempdir.New(t)
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	n := v.NewNote()
	n.Title, n.Body, n.TranscriptionStatus = "Shopping list", "milk\neggs\n", persistence.StatusDone
	vaulttest.SaveWithAudio(t, v, n, []byte("RIFF"), ".wav")
	return root, n
}

func TestListJSON(t *testing.T) {
	root, n := seed(t)
	os.WriteFile(filepath.Join(root, "recordings", "broken.md"), []byte("no frontmatter"), 0o600)
	code, out, _ := run(t, "", "list", "--json", "--vault", root)
	if code != cli.ExitOK {
		t.Fatalf("exit %d", code)
	}
	var got struct {
		Notes []struct{ ID, Title, Audio, TranscriptionStatus string }
		Bad   []struct{ Path, Reason string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(got.Notes) != 1 || got.Notes[0].ID != n.ID || got.Notes[0].Title != "Shopping list" || !strings.HasSuffix(got.Notes[0].Audio, n.ID+".wav") {
		t.Errorf("notes = %+v", got.Notes)
	}
	if len(got.Bad) != 1 || !strings.Contains(got.Bad[0].Reason, "frontmatter") {
		t.Errorf("bad = %+v", got.Bad)
	}
	// The table form names the note and reports the bad file on stderr.
	code, out, errs := run(t, "", "--vault", root, "list")
	if code != 0 || !strings.Contains(out, n.ID) || !strings.Contains(out, "Shopping list") || !strings.Contains(errs, "broken.md") {
		t.Errorf("list: %d\n%s\n%s", code, out, errs)
	}
}

func TestShowEditDelete(t *testing.T) {
	root, n := seed(t)
	code, out, _ := run(t, "", "show", n.ID, "--vault", root)
	if code != 0 || !strings.Contains(out, "title: Shopping list") || !strings.HasSuffix(out, "milk\neggs\n") {
		t.Fatalf("show: %d\n%s", code, out)
	}
	code, _, errs := run(t, "bread\nbutter\n", "edit", n.ID, "--vault", root, "--title", "Groceries", "--text-file", "-")
	if code != 0 {
		t.Fatalf("edit: %d %s", code, errs)
	}
	v, _ := persistence.Open(root, persistence.Options{})
	got, err := v.Note(n.ID)
	v.Close()
	if err != nil || got.Title != "Groceries" || got.Body != "bread\nbutter\n" {
		t.Fatalf("after edit: %+v %v", got, err)
	}
	textFile := filepath.Join(tempdir.New(t), "t.txt")
	os.WriteFile(textFile, []byte("from a file"), 0o600)
	if code, _, errs := run(t, "", "--vault", root, "edit", n.ID, "--text-file", textFile); code != 0 {
		t.Fatalf("edit from file: %d %s", code, errs)
	}
	code, out, _ = run(t, "", "delete", n.ID, "--vault", root)
	if code != 0 || !strings.Contains(out, ".trash") {
		t.Fatalf("delete: %d %s", code, out)
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "recordings")); len(entries) != 0 {
		t.Errorf("recordings still holds %d files", len(entries))
	}
	if code, _, errs := run(t, "", "show", n.ID, "--vault", root); code != cli.ExitError || !strings.Contains(errs, "no note with id") {
		t.Errorf("show after delete: %d %s", code, errs)
	}
}

func TestExitCodes(t *testing.T) {
	root, _ := seed(t)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"frobnicate"}, cli.ExitUsage, "unknown command"},
		{[]string{"show"}, cli.ExitUsage, "usage: voicenotes show ID"},
		{[]string{"list", "--nope"}, cli.ExitUsage, "flag provided but not defined"},
		{[]string{"edit", "x"}, cli.ExitUsage, "nothing to change"},
		{[]string{"show", "../../etc/passwd"}, cli.ExitError, "invalid note id"},
		{[]string{"show", "nosuchnote"}, cli.ExitError, "voicenotes list"},
		{[]string{"edit", "nosuchnote", "--title", "x"}, cli.ExitError, "no note with id"},
		{[]string{"edit", "nosuchnote", "--text-file", "/does/not/exist"}, cli.ExitError, "no note with id"},
		{[]string{"help"}, cli.ExitOK, ""},
		{[]string{}, cli.ExitError, "no window"},
	} {
		code, _, errs := run(t, "", append(tc.args, "--vault", root)...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errs, tc.code, tc.msg)
		}
	}
}

func TestVaultFromEnvironment(t *testing.T) {
	root, n := seed(t)
	t.Setenv(persistence.VaultEnv, root)
	if code, out, _ := run(t, "", "list"); code != 0 || !strings.Contains(out, n.ID) {
		t.Errorf("list with %s: %d %s", persistence.VaultEnv, code, out)
	}
	other := tempdir.New(t)
	if code, out, _ := run(t, "", "list", "--vault", other); code != 0 || strings.Contains(out, n.ID) {
		t.Errorf("--vault did not override the environment: %s", out)
	}
}

func TestDoctor(t *testing.T) {
	root, n := seed(t)
	code, out, _ := run(t, "", "doctor", "--vault", root)
	if code != 0 || !strings.Contains(out, "notes:          1") || !strings.Contains(out, "lock:           free") {
		t.Fatalf("doctor on a healthy vault: %d\n%s", code, out)
	}
	rec := filepath.Join(root, "recordings")
	os.WriteFile(filepath.Join(rec, "bad.md"), []byte("---\nid: [x\n---\n"), 0o600)
	os.WriteFile(filepath.Join(rec, "lonely.wav"), []byte("RIFF"), 0o600)
	os.WriteFile(filepath.Join(rec, "rec1.wav.partial"), []byte("RIFF"), 0o600)
	copyData, _ := os.ReadFile(n.Path)
	os.WriteFile(filepath.Join(rec, n.ID+" (1).md"), copyData, 0o600)
	v, err := persistence.Open(root, persistence.Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	code, out, _ = run(t, "", "doctor", "--vault", root)
	for _, want := range []string{"unreadable:     1", "bad.md", "other versions: 1", n.ID + " (1).md: of note " + n.ID, "orphan audio:   1", "lonely.wav", "partial audio:  1", "skipped, the vault is in use", "held by process"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if code != cli.ExitError {
		t.Errorf("doctor with a bad file exited %d, want 1", code)
	}
}

func TestExport(t *testing.T) {
	root, n := seed(t)
	code, out, _ := run(t, "", "export", n.ID, "--vault", root, "--format", "txt")
	if code != 0 || !strings.HasPrefix(out, "Shopping list\n") || !strings.Contains(out, "milk\neggs") {
		t.Fatalf("txt export: %d\n%s", code, out)
	}
	file := filepath.Join(tempdir.New(t), "note.html")
	if code, _, errs := run(t, "", "export", n.ID, "--vault", root, "--format", "html", "--out", file); code != 0 {
		t.Fatalf("html export: %d %s", code, errs)
	}
	data, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(data), "<h1>Shopping list</h1>") || !strings.Contains(string(data), n.ID+".wav") {
		t.Fatalf("exported HTML: %v\n%s", err, data)
	}
	// Windows has no mode bits (privacy there is the profile's ACLs).
	if st, _ := os.Stat(file); runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("export mode %v", st.Mode().Perm())
	}
	if code, _, errs := run(t, "", "export", n.ID, "--vault", root, "--format", "pdf"); code != cli.ExitUsage || !strings.Contains(errs, "md, html, txt") {
		t.Errorf("pdf: %d %s", code, errs)
	}
}

// TestIDStartingWithDash: an id that looks like a flag gets advice naming
// --, and works after it.
func TestIDStartingWithDash(t *testing.T) {
	root := tempdir.New(t)
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := v.NewNote()
	n.ID, n.Title, n.Body = "-Ab3_x9", "Dash", "text\n" // Whispering's ids may start with '-'
	err = v.Save(n)
	v.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(t, "", "show", "--vault", root, "-Ab3_x9")
	if code != cli.ExitUsage || !strings.Contains(errs, "voicenotes show -- -Ab3_x9") {
		t.Errorf("show -Ab3_x9: exit %d, %q; want exit 2 with advice to use --", code, errs)
	}
	code, out, errs := run(t, "", "show", "--vault", root, "--", "-Ab3_x9")
	if code != cli.ExitOK || !strings.Contains(out, "title: Dash") {
		t.Errorf("show -- -Ab3_x9: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestHelpListsFlags: every command's --help names each of its flags and
// what it takes.
func TestHelpListsFlags(t *testing.T) {
	for cmd, flags := range map[string][]string{
		"record": {"-duration length", "-device string", "-title string", "-vault folder"},
		"export": {"-format string", "-out string", "srt or vtt"},
		"edit":   {"-title string", "-text-file string", "-tag tag", "-untag tag"},
		"list":   {"-json", "-tag tag", "-vault folder"},
	} {
		code, out, _ := run(t, "", cmd, "--help")
		if code != cli.ExitOK {
			t.Errorf("%s --help: exit %d", cmd, code)
		}
		for _, f := range flags {
			if !strings.Contains(out, f) {
				t.Errorf("%s --help lacks %q:\n%s", cmd, f, out)
			}
		}
		if _, again, _ := run(t, "", "help", cmd); again != out {
			t.Errorf("help %s differs from %s --help", cmd, cmd)
		}
	}
}

// TestExportToFolder: --out naming a folder says so, and writes nothing.
func TestExportToFolder(t *testing.T) {
	root, n := seed(t)
	dir := tempdir.New(t)
	code, _, errs := run(t, "", "export", n.ID, "--format", "html", "--out", dir, "--vault", root)
	if code != cli.ExitUsage || !strings.Contains(errs, "is a folder") {
		t.Errorf("export --out DIR: exit %d, %q; want exit 2 saying it is a folder", code, errs)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("export --out DIR left %d files in it", len(entries))
	}
}

// TestImportRefusals: a folder with nothing to import and a WAV with no
// samples are refused with a reason, and leave no note and no audio behind.
func TestImportRefusals(t *testing.T) {
	root, _ := seed(t)
	empty := filepath.Join(tempdir.New(t), "empty.wav")
	if err := audio.WritePCM16(empty, 16000, 1, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file, want string
		code       int
	}{
		{tempdir.New(t), "no audio or video files in", cli.ExitUsage},
		{empty, "no audio in the file", cli.ExitError},
	} {
		code, _, errs := run(t, "", "import", "--no-transcribe", "--vault", root, tc.file)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("import %s: exit %d, %q; want exit %d saying %q", tc.file, code, errs, tc.code, tc.want)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(root, "recordings"))
	if len(entries) != 2 { // the seeded note and its audio
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("recordings after refused imports: %v", names)
	}
}

// TestImportFolder: a folder imports every audio file under it, saying
// how far along it is, and leaves alone hidden folders, links and files
// that are not audio (counted).
func TestImportFolder(t *testing.T) {
	root, _ := seed(t)
	src := tempdir.New(t)
	tone := make([]int16, 8000)
	for i := range tone {
		tone[i] = int16(8000 * math.Sin(float64(i)/5))
	}
	os.MkdirAll(filepath.Join(src, "sub", ".hidden"), 0o700)
	for _, f := range []string{"a.wav", "sub/b.WAV", "sub/.hidden/c.wav"} {
		if err := audio.WritePCM16(filepath.Join(src, f), 16000, 1, tone); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(src, "notes.txt"), []byte("not audio"), 0o600)
	if err := os.Symlink(filepath.Join(src, "a.wav"), filepath.Join(src, "sub", "link.wav")); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "", "import", "--no-transcribe", "--vault", root, src)
	if code != cli.ExitOK || strings.Count(out, " imported from ") != 2 || !strings.Contains(errs, "importing 2 of 2: ") || !strings.Contains(errs, "1 file(s) that are not audio or video were left alone") {
		t.Errorf("import FOLDER: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if strings.Contains(out, "c.wav") || strings.Contains(out, "link.wav") {
		t.Errorf("a hidden folder or a link was imported:\n%s", out)
	}
}

// TestTags: edit --tag/--untag, list --tag, and tags written by hand in an
// odd form kept byte for byte while they are not changed.
func TestTags(t *testing.T) {
	root, n := seed(t)
	listIDs := func(args ...string) []string {
		t.Helper()
		code, out, errs := run(t, "", append([]string{"list", "--json", "--vault", root}, args...)...)
		if code != cli.ExitOK {
			t.Fatalf("list %v: %d %s", args, code, errs)
		}
		var got struct{ Notes []struct{ ID string } }
		json.Unmarshal([]byte(out), &got)
		var ids []string
		for _, g := range got.Notes {
			ids = append(ids, g.ID)
		}
		return ids
	}
	if code, _, errs := run(t, "", "edit", n.ID, "--vault", root, "--tag", "#Work/Meetings", "--tag", "idea"); code != cli.ExitOK {
		t.Fatalf("edit --tag: %d %s", code, errs)
	}
	data, _ := os.ReadFile(n.Path)
	if !strings.Contains(string(data), "tags:\n  - Work/Meetings\n  - idea\n") {
		t.Errorf("tags not written as Obsidian writes them:\n%s", data)
	}
	// A hand-written second note, tags in an odd form.
	hand := filepath.Join(root, "recordings", "hand.md")
	const odd = "tags:   [ idea ,  later ]   # kept as typed\n"
	os.WriteFile(hand, []byte("---\nid: hand\ntitle: by hand\ntranscriptionStatus: DONE\n"+odd+"---\ntext\n"), 0o600)

	if ids := listIDs("--tag", "work"); len(ids) != 1 || ids[0] != n.ID {
		t.Errorf("list --tag work (the parent of Work/Meetings): %v", ids)
	}
	if ids := listIDs("--tag", "#IDEA"); len(ids) != 2 {
		t.Errorf("list --tag #IDEA: %v, want both notes", ids)
	}
	if ids := listIDs("--tag", "idea", "--tag", "later"); len(ids) != 1 || ids[0] != "hand" {
		t.Errorf("list --tag idea --tag later: %v, want the hand-written note", ids)
	}
	if ids := listIDs("--tag", "nothing"); len(ids) != 0 {
		t.Errorf("list --tag nothing: %v", ids)
	}
	// A title change leaves the odd tags exactly as typed.
	if code, _, errs := run(t, "", "edit", "hand", "--vault", root, "--title", "renamed"); code != cli.ExitOK {
		t.Fatalf("edit --title: %d %s", code, errs)
	}
	if data, _ := os.ReadFile(hand); !strings.Contains(string(data), odd) {
		t.Errorf("the hand-written tags were rewritten:\n%s", data)
	}
	if code, _, errs := run(t, "", "edit", "hand", "--vault", root, "--untag", "IDEA"); code != cli.ExitOK {
		t.Fatalf("edit --untag: %d %s", code, errs)
	}
	if ids := listIDs("--tag", "idea"); len(ids) != 1 || ids[0] != n.ID {
		t.Errorf("after --untag IDEA: %v", ids)
	}
	// A bad tag is refused with a reason, and nothing changes.
	before, _ := os.ReadFile(n.Path)
	if code, _, errs := run(t, "", "edit", n.ID, "--vault", root, "--tag", "two words"); code != cli.ExitUsage || !strings.Contains(errs, "not allowed in a tag") {
		t.Errorf("edit --tag 'two words': %d %s", code, errs)
	}
	if after, _ := os.ReadFile(n.Path); !bytes.Equal(before, after) {
		t.Error("a refused tag changed the note")
	}
}

// TestSubtitles: export --format srt/vtt from the word timings kept beside
// the note, with a word the person corrected since; a note without
// timings gets an error that says to transcribe it again.
func TestSubtitles(t *testing.T) {
	root, n := seed(t)
	if code, _, errs := run(t, "", "export", n.ID, "--vault", root, "--format", "srt"); code == cli.ExitOK || !strings.Contains(errs, "transcribe it again") {
		t.Errorf("srt without timings: %d %q", code, errs)
	}
	vtt := "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nbuy milk\n\n00:00:03.000 --> 00:00:04.000\nand eggs.\n"
	os.WriteFile(filepath.Join(root, "recordings", n.ID+".vtt"), []byte(vtt), 0o600)
	// The transcript as corrected: "milk" became "oat milk".
	if code, _, errs := run(t, "buy oat milk and eggs.\n", "edit", n.ID, "--vault", root, "--text-file", "-"); code != cli.ExitOK {
		t.Fatalf("edit: %s", errs)
	}
	code, out, errs := run(t, "", "export", n.ID, "--vault", root, "--format", "srt")
	// The pause between the cues stays a break; the new word takes its
	// place in the first.
	want := "1\n00:00:01,000 --> 00:00:02,000\nbuy oat milk\n\n2\n00:00:03,000 --> 00:00:04,000\nand eggs.\n"
	if code != cli.ExitOK || out != want {
		t.Errorf("srt: %d %q\n%s\nwant\n%s", code, errs, out, want)
	}
	code, out, _ = run(t, "", "export", n.ID, "--vault", root, "--format", "vtt")
	if code != cli.ExitOK || out != "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nbuy oat milk\n\n00:00:03.000 --> 00:00:04.000\nand eggs.\n" {
		t.Errorf("vtt: %q", out)
	}
	// A marker dropped at 2.5 s stands, in the HTML export, before "and",
	// the first word said after it.
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Update(n.ID, func(n *persistence.Note) error {
		n.Markers = []persistence.Marker{{At: 2500 * time.Millisecond, Label: "eggs?"}}
		return nil
	})
	v.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs = run(t, "", "export", n.ID, "--vault", root, "--format", "html")
	if code != cli.ExitOK || !strings.Contains(out, "<p>buy oat milk</p>\n<h3><a href=") || !strings.Contains(out, "#t=2.5\">⚑ 0:02 — eggs?</a></h3>\n<p>and eggs.</p>") {
		t.Errorf("html with a marker: %d %q\n%s", code, errs, out)
	}
	// Deleting the note takes its timings to the trash too.
	if code, _, errs := run(t, "", "delete", n.ID, "--vault", root); code != cli.ExitOK {
		t.Fatal(errs)
	}
	if _, err := os.Stat(filepath.Join(root, "recordings", n.ID+".vtt")); !os.IsNotExist(err) {
		t.Errorf("the timings stayed after delete: %v", err)
	}
}

// TestMarkWithoutWindow: voicenotes mark with no window open says so and
// fails.
func TestMarkWithoutWindow(t *testing.T) {
	root, _ := seed(t)
	t.Setenv("XDG_RUNTIME_DIR", tempdir.New(t))
	code, _, errs := run(t, "", "mark", "an idea", "--vault", root)
	if code != 1 || !strings.Contains(errs, "no Voice Notes window is open") {
		t.Errorf("mark with no window: exit %d, %q", code, errs)
	}
}

// TestImportStore: import --store flac keeps the note's audio as FLAC;
// an unknown --store is refused before anything is imported.
func TestImportStore(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
	root, _ := seed(t)
	in := filepath.Join(tempdir.New(t), "memo.wav")
	tone := make([]int16, 16000)
	for i := range tone {
		tone[i] = int16(8000 * math.Sin(float64(i)/5))
	}
	if err := audio.WritePCM16(in, 16000, 1, tone); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "", "import", "--no-transcribe", "--store", "mp9", "--vault", root, in); code != cli.ExitUsage || !strings.Contains(errs, "wav, flac, opus") {
		t.Errorf("--store mp9: exit %d, %q", code, errs)
	}
	code, out, errs := run(t, "", "import", "--no-transcribe", "--store", "flac", "--vault", root, in)
	if code != cli.ExitOK {
		t.Fatalf("import --store flac: exit %d, %s", code, errs)
	}
	id := strings.Fields(out)[0]
	if _, err := os.Stat(filepath.Join(root, "recordings", id+".flac")); err != nil {
		t.Errorf("no FLAC: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "recordings", id+".wav")); !os.IsNotExist(err) {
		t.Errorf("the WAV stayed: %v", err)
	}
}

// TestHostileTextIsNotActedOnByTheTerminal: a title with escape sequences
// (OSC 0 sets the terminal's title, OSC 52 writes the clipboard, ESC[2J
// clears the screen, a C1 CSI) and a file in the vault whose name holds
// a line end and a forged "voicenotes:" line: list and doctor show them
// escaped, on their own lines, with not one control character.
func TestHostileTextIsNotActedOnByTheTerminal(t *testing.T) {
	root, n := seed(t)
	hostile := "Groceries\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\u009b31m\rdone"
	if code, _, errs := run(t, "", "edit", n.ID, "--vault", root, "--title", hostile); code != cli.ExitOK {
		t.Fatalf("edit: %s", errs)
	}
	forged := filepath.Join(root, "recordings", "x\nvoicenotes: all is well\x1b[2J.md")
	if err := os.WriteFile(forged, []byte("not a note"), 0o600); err != nil {
		t.Skipf("this file system refuses such a name: %v", err)
	}
	for _, args := range [][]string{{"list"}, {"doctor"}} {
		_, out, errs := run(t, "", append(args, "--vault", root)...)
		all := out + errs
		for _, r := range all {
			if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f {
				t.Errorf("%s printed the control character %U:\n%q", args[0], r, all)
				break
			}
		}
		for _, l := range strings.Split(all, "\n") {
			if strings.HasPrefix(l, "voicenotes: all is well") {
				t.Errorf("%s printed a line a file name forged: %q", args[0], l)
			}
		}
		if args[0] == "list" && !strings.Contains(out, `Groceries\x1b]0;pwned\x07`) {
			t.Errorf("list does not show the title, escaped:\n%s", out)
		}
	}
}

// TestDoctorSaysWhoMayWrite: a vault folder others can write to, and a
// note and the write lock left by another user (`sudo voicenotes edit`
// made them root's), are named by doctor with the command that fixes
// each.
func TestDoctorSaysWhoMayWrite(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows files have no Unix owner or mode bits to check")
	}
	root, n := seed(t)
	if err := os.Chmod(root, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(root, 0o700) })
	_, out, _ := run(t, "", "doctor", "--vault", root)
	if !strings.Contains(out, root+" is writable by other users") || !strings.Contains(out, "chmod go-w") {
		t.Errorf("doctor on a 0777 vault:\n%s", out)
	}
	if os.Getuid() != 0 {
		t.Skip("giving a file to another user needs root (CI here runs as root)")
	}
	note := filepath.Join(root, "recordings", n.ID+".md")
	lock := filepath.Join(root, ".voicenotes", "write.lock")
	os.WriteFile(lock, nil, 0o600)
	for _, p := range []string{note, lock} { // another user's
		if err := os.Chown(p, 12345, 12345); err != nil {
			t.Fatal(err)
		}
	}
	_, out, _ = run(t, "", "doctor", "--vault", root)
	for _, p := range []string{note, lock} {
		if !strings.Contains(out, p+" belongs to another user (uid 12345)") || !strings.Contains(out, "sudo chown") {
			t.Errorf("doctor does not name %s as another user's:\n%s", p, out)
		}
	}
}
