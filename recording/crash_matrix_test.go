package recording_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/faultfs"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/testchild"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
)

// The crash matrix: a child process runs one step of the app (stopping a
// recording, importing a file, recovering a partial) on a vault whose file
// system seam kills the process (exit, as SIGKILL would: no cleanup, the
// kernel keeps what was written) just before its k-th operation, for k =
// 1, 2, … until the step completes. After each, the vault is opened as the
// app would (with recovery) and must hold no orphan audio, no note without
// its audio, no junk note, and everything the step had been given.

const matrixEnv = "VOICENOTES_CRASH_MATRIX"

func init() { testchild.Register(matrixEnv, matrixChild) }

// matrixFrames is the audio the recording scenario captures: 1.5 s.
const matrixFrames = 24000

// matrixChild runs "scenario|k|vault"; it exits 0 when the step finished
// without reaching operation k, 9 when killed there.
func matrixChild(arg string) {
	parts := strings.Split(arg, "|")
	scenario, root := parts[0], parts[2]
	k, _ := strconv.Atoi(parts[1])
	var armed atomic.Bool
	var ops atomic.Int64
	fsys := faultfs.New(persistence.OS, func(faultfs.Event) error {
		if armed.Load() && ops.Add(1) == int64(k) {
			os.Exit(9)
		}
		return nil
	})
	switch scenario {
	case "stop":
		v, err := persistence.Open(root, persistence.Options{FS: fsys})
		if err != nil {
			fail(err)
		}
		src := &genSource{rate: 16000, channels: 1, failAt: matrixFrames + 1}
		// Armed once every frame is in the file: what a kill loses then is
		// only what the stop itself does.
		var stored atomic.Int64
		inFile := make(chan struct{})
		r, err := recording.Start(recording.Options{Vault: v, Source: src, Title: "Mine", OnSamples: func(s []int16) {
			if stored.Add(int64(len(s))) == matrixFrames {
				close(inFile)
			}
		}})
		if err != nil {
			fail(err)
		}
		<-inFile
		armed.Store(true)
		if _, err := r.Stop(); err != nil && !strings.Contains(err.Error(), "device unplugged") {
			fail(err)
		}
	case "start", "cancel":
		// start: armed from the first step until the first samples are in
		// the file, then the process ends as a crash would (no Stop); a
		// crash later in a recording is TestCrashRecovery's. cancel: armed
		// once 0.3 s is in the file, through Cancel. The device is paced
		// (real time) and never fails, so the recording ends no other way.
		v, err := persistence.Open(root, persistence.Options{FS: fsys})
		if err != nil {
			fail(err)
		}
		src := &genSource{rate: 16000, channels: 1, paced: true}
		var stored atomic.Int64
		var once sync.Once
		inFile := make(chan struct{})
		armed.Store(scenario == "start")
		r, err := recording.Start(recording.Options{Vault: v, Source: src, OnSamples: func(s []int16) {
			if n := stored.Add(int64(len(s))); scenario == "start" || n >= 4800 {
				once.Do(func() { close(inFile) })
			}
		}})
		if err != nil {
			fail(err)
		}
		<-inFile
		if scenario == "start" {
			armed.Store(false) // what happens while the process exits is not counted
		}
		if scenario == "cancel" {
			armed.Store(true)
			if err := r.Cancel(); err != nil {
				fail(err)
			}
		}
	case "import":
		v, err := persistence.Open(root, persistence.Options{FS: fsys})
		if err != nil {
			fail(err)
		}
		armed.Store(true)
		if _, err := recording.Import(v, filepath.Join(root, "in.wav"), "Imported"); err != nil {
			fail(err)
		}
	case "delete", "restore":
		v, err := persistence.Open(root, persistence.Options{FS: fsys})
		if err != nil {
			fail(err)
		}
		notes, _, err := v.List()
		if err != nil || len(notes) != 1 && scenario == "delete" {
			fail(fmt.Errorf("prepared vault: %d notes, %v", len(notes), err))
		}
		armed.Store(true)
		if scenario == "delete" {
			if _, err := v.Trash(notes[0].ID); err != nil {
				fail(err)
			}
			break
		}
		dirs, _ := os.ReadDir(filepath.Join(root, persistence.TrashDir))
		dir := filepath.Join(root, persistence.TrashDir, dirs[0].Name())
		id := dirs[0].Name()[strings.IndexByte(dirs[0].Name(), '_')+1:]
		if err := v.Restore(&persistence.Trashed{ID: id, Dir: dir, Origin: v.RecordingsPath(), Files: []string{id + ".md", id + ".wav"}}); err != nil {
			fail(err)
		}
	case "compact-flac", "compact-opus":
		v, err := persistence.Open(root, persistence.Options{FS: fsys})
		if err != nil {
			fail(err)
		}
		notes, _, err := v.List()
		if err != nil || len(notes) != 1 {
			fail(fmt.Errorf("prepared vault: %d notes, %v", len(notes), err))
		}
		armed.Store(true)
		if _, err := recording.Compact(context.Background(), v, notes[0], strings.TrimPrefix(scenario, "compact-")); err != nil {
			fail(err)
		}
	case "recover":
		armed.Store(true)
		v, err := persistence.Open(root, persistence.Options{FS: fsys, Maintain: []func(*persistence.Vault) error{
			func(v *persistence.Vault) error { _, err := recording.Recover(v); return err }}})
		if err != nil {
			fail(err)
		}
		if v.Maintenance.Err != nil {
			fail(v.Maintenance.Err)
		}
	}
	os.Exit(0)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(3)
}

func TestCrashMatrix(t *testing.T) {
	bin := testchild.Binary(t)
	for _, scenario := range []string{"start", "stop", "cancel", "import", "recover", "delete", "restore", "compact-flac", "compact-opus"} {
		if strings.HasPrefix(scenario, "compact") {
			if _, err := exec.LookPath("ffmpeg"); err != nil {
				t.Logf("%s: ffmpeg is not installed (make setup installs it); not run", scenario)
				continue
			}
		}
		t.Run(scenario, func(t *testing.T) {
			// The child's temporary folder is the test's own, so that what
			// a killed conversion leaves there is seen (the child inherits
			// TMPDIR, and the parent's Recover sweeps it).
			tmp := tempdir.System(t)
			for k := 1; ; k++ {
				root := tempdir.New(t)
				prepare(t, scenario, root)
				cmd, out, err := testchild.Run(t, func() *exec.Cmd {
					cmd := exec.Command(bin, "-test.run=^$")
					cmd.Env = append(os.Environ(), matrixEnv+"="+scenario+"|"+strconv.Itoa(k)+"|"+root)
					return cmd
				})
				if cmd == nil {
					t.Fatalf("k=%d: starting the child: %v", k, err)
				}
				code := cmd.ProcessState.ExitCode()
				if code != 0 && code != 9 {
					t.Fatalf("k=%d: the child failed (exit %d):\n%s", k, code, out)
				}
				checkAfterCrash(t, scenario, root, k)
				if left, _ := filepath.Glob(filepath.Join(tmp, "voicenotes-*")); len(left) > 0 {
					t.Fatalf("k=%d: after recovery the temporary folder still holds %v: a copy of the recording outlived its conversion", k, left)
				}
				if code == 0 {
					t.Logf("%s: killed before each of its %d file operations; nothing lost", scenario, k-1)
					return
				}
				if k > 200 {
					t.Fatal("the step never finished")
				}
			}
		})
	}
}

// prepare puts in root what a scenario starts from.
func prepare(t *testing.T, scenario, root string) {
	t.Helper()
	switch scenario {
	case "import":
		in := make([]int16, matrixFrames)
		for i := range in {
			in[i] = genSample(int64(i))
		}
		if err := audio.WritePCM16(filepath.Join(root, "in.wav"), 16000, 1, in); err != nil {
			t.Fatal(err)
		}
	case "delete", "restore", "compact-flac", "compact-opus":
		v, err := persistence.Open(root, persistence.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		n := v.NewNote()
		n.Title, n.Body, n.TranscriptionStatus = "Mine", "my words\n", persistence.StatusDone
		in := make([]int16, matrixFrames)
		for i := range in {
			in[i] = genSample(int64(i))
		}
		if err := audio.WritePCM16(filepath.Join(v.RecordingsPath(), n.ID+".wav"), 16000, 1, in); err != nil {
			t.Fatal(err)
		}
		n.Audio, n.Duration = n.ID+".wav", time.Duration(matrixFrames)*time.Second/16000
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
		if scenario == "restore" {
			if _, err := v.Trash(n.ID); err != nil {
				t.Fatal(err)
			}
		}
	case "recover":
		v, err := persistence.Open(root, persistence.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		w, err := recording.CreatePartialWAV(persistence.OS, filepath.Join(v.RecordingsPath(), v.NewNote().ID+persistence.PartialExt), 16000, 1)
		if err != nil {
			t.Fatal(err)
		}
		in := make([]int16, matrixFrames)
		for i := range in {
			in[i] = genSample(int64(i))
		}
		if err := w.Write(in); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		w.Abandon() // as a crashed recorder leaves it
	}
}

// checkAfterCrash opens the vault as the app does and checks it: some
// minutes later, so that audio without its note is not taken for one a
// sync tool is still bringing (see TestAudioWhoseNoteMayBeArriving).
func checkAfterCrash(t *testing.T, scenario, root string, k int) {
	t.Helper()
	v, err := persistence.Open(root, persistence.Options{Now: later, Maintain: []func(*persistence.Vault) error{
		func(v *persistence.Vault) error { _, err := recording.Recover(v); return err }}})
	if err != nil {
		t.Fatalf("k=%d: reopening: %v", k, err)
	}
	defer v.Close()
	if v.Maintenance.Err != nil {
		t.Errorf("k=%d: recovery: %v", k, v.Maintenance.Err)
	}
	h, err := v.Check()
	if err != nil {
		t.Fatal(err)
	}
	if len(h.OrphanAudio)+len(h.MissingAudio)+len(h.Partials)+len(h.Bad) > 0 {
		t.Fatalf("k=%d: orphan audio %v, notes without audio %v, partials %v, bad %v", k, h.OrphanAudio, h.MissingAudio, h.Partials, h.Bad)
	}
	notes, _, _ := v.List()
	if scenario == "import" && len(notes) == 0 {
		return // killed before the audio was in place: nothing was imported, and nothing is left
	}
	if scenario == "start" || scenario == "cancel" {
		// Killed before a sample was in the file, or once a cancel had
		// removed it: nothing is left. Otherwise the recording comes
		// back, whole up to the kill, marked recovered.
		if len(notes) == 0 {
			if left, _ := os.ReadDir(v.RecordingsPath()); len(left) != 0 {
				t.Fatalf("k=%d: no note, and recordings/ holds %v", k, left)
			}
			return
		}
		if len(notes) != 1 || !notes[0].Recovered {
			t.Fatalf("k=%d: after the crash the vault holds %+v; want one recovered recording", k, notes)
		}
		path, _ := v.AudioPath(notes[0])
		got := readSamples(t, path)
		checkPrefix(t, got)
		if len(got) == 0 {
			t.Errorf("k=%d: the recovered recording holds no audio", k)
		}
		if d := (time.Duration(len(got)) * time.Second / audio.StoreRate).Round(time.Millisecond); notes[0].Duration.Round(time.Millisecond) != d {
			t.Errorf("k=%d: the note says %v, its audio holds %v", k, notes[0].Duration, d)
		}
		return
	}
	if scenario == "delete" || scenario == "restore" {
		// Either the note is in the vault with its audio and its words, or
		// both are in the trash, whole.
		if len(notes) == 0 {
			trashed, _ := filepath.Glob(filepath.Join(root, persistence.TrashDir, "*", "*"))
			if len(trashed) != 2 {
				t.Fatalf("k=%d: no note in the vault, and the trash holds %v", k, trashed)
			}
			return
		}
		if len(notes) != 1 || notes[0].Body != "my words\n" || notes[0].Title != "Mine" {
			t.Fatalf("k=%d: after the crash the vault holds %+v; want the note with its words", k, notes)
		}
	}
	if len(notes) != 1 {
		t.Fatalf("k=%d: %d notes, want 1", k, len(notes))
	}
	n := notes[0]
	path, _ := v.AudioPath(n)
	if m, _ := filepath.Glob(filepath.Join(root, persistence.RecordingsDir, "*"+recording.CompactingExt)); len(m) > 0 {
		t.Fatalf("k=%d: a conversion's marker was left: %v", k, m)
	}
	if strings.HasPrefix(scenario, "compact") {
		if n.Body != "my words\n" || n.Title != "Mine" {
			t.Fatalf("k=%d: the note lost its words: %+v", k, n)
		}
		if filepath.Ext(path) == ".opus" { // lossy: the same sound, not the same samples
			got := readAny(t, path)
			if len(got) < matrixFrames-160 || len(got) > matrixFrames+160 {
				t.Errorf("k=%d: the Opus file holds %d samples, want %d", k, len(got), matrixFrames)
			}
			if c := correlation(got, matrixFrames); c < 0.9 {
				t.Errorf("k=%d: the Opus file's sound correlates %.2f with the recording", k, c)
			}
			return
		}
	}
	var got []int16
	if filepath.Ext(path) == ".wav" {
		got = readSamples(t, path)
	} else {
		got = readAny(t, path)
	}
	checkPrefix(t, got)
	// Every scenario is given exactly 24000 frames (the recording's device
	// fails after them, and they are all in the file before the stop).
	if len(got) != matrixFrames {
		t.Errorf("k=%d: the note's audio holds %d samples, want %d", k, len(got), matrixFrames)
	}
	if d := (time.Duration(len(got)) * time.Second / audio.StoreRate).Round(time.Millisecond); n.Duration.Round(time.Millisecond) != d {
		t.Errorf("k=%d: the note says %v, its audio holds %v", k, n.Duration, d)
	}
	if (scenario == "stop" || scenario == "delete" || scenario == "restore") && n.Title != "Mine" && !n.Recovered {
		t.Errorf("k=%d: the recording's note is titled %q and not marked recovered", k, n.Title)
	}
}

// TestOrphanAudioIsAdopted: audio of ours with no note (a crash between
// the two writes, in any program) gets a note at the next open, queued for
// transcription; audio beside a note file that cannot be read is left to
// that file, which is never replaced.
func TestOrphanAudioIsAdopted(t *testing.T) {
	root := tempdir.New(t)
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := v.RecordingsPath()
	v.Close()
	if err := audio.WritePCM16(filepath.Join(rec, "lonely-1.wav"), 16000, 1, make([]int16, 8000)); err != nil {
		t.Fatal(err)
	}
	if err := audio.WritePCM16(filepath.Join(rec, "broken-2.wav"), 16000, 1, make([]int16, 8000)); err != nil {
		t.Fatal(err)
	}
	broken := []byte("---\ntitle: [unclosed\n---\nsomeone's words\n")
	os.WriteFile(filepath.Join(rec, "broken-2.md"), broken, 0o600)
	os.WriteFile(filepath.Join(rec, "not an id!.wav"), []byte("RIFF"), 0o600)
	var adopted []*persistence.Note
	v, err = persistence.Open(root, persistence.Options{Now: later, Maintain: []func(*persistence.Vault) error{
		func(v *persistence.Vault) (err error) { adopted, err = recording.Recover(v); return err }}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if len(adopted) != 1 || adopted[0].ID != "lonely-1" || !adopted[0].Recovered ||
		adopted[0].Duration != 500*time.Millisecond || adopted[0].TranscriptionStatus != persistence.StatusUnprocessed {
		t.Fatalf("adopted %+v, want lonely-1 (0.5 s, recovered, waiting to be transcribed)", adopted)
	}
	if got, _ := os.ReadFile(filepath.Join(rec, "broken-2.md")); string(got) != string(broken) {
		t.Errorf("the unreadable note beside its audio was changed: %q", got)
	}
	// Opening again finds nothing more to do.
	again, err := recording.Recover(v)
	if err != nil || len(again) != 0 {
		t.Errorf("second open adopted %v (%v)", again, err)
	}
}

// TestCrashKeepsMarkers: a recording that crashed with markers dropped
// comes back at the next open with its markers in its note.
func TestCrashKeepsMarkers(t *testing.T) {
	root := tempdir.New(t)
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := persistence.NewID(time.Now())
	w, err := recording.CreatePartialWAV(v.FS(), filepath.Join(v.RecordingsPath(), id+persistence.PartialExt), 16000, 1)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(make([]int16, 32000))
	w.Flush()
	want := []persistence.Marker{{At: 500 * time.Millisecond, Label: "first"}, {At: 1500 * time.Millisecond}}
	for _, m := range want {
		if err := persistence.AppendMarker(v.FS(), v.MarkersPath(id), m); err != nil {
			t.Fatal(err)
		}
	}
	w.Abandon() // the crash
	v.Close()
	v, err = persistence.Open(root, persistence.Options{Maintain: []func(*persistence.Vault) error{
		func(v *persistence.Vault) error { _, err := recording.Recover(v); return err }}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if v.Maintenance.Err != nil {
		t.Fatal(v.Maintenance.Err)
	}
	n, err := v.Note(id)
	if err != nil || !slices.Equal(n.Markers, want) || !n.Recovered {
		t.Fatalf("recovered note: %+v, %v; want markers %v", n, err, want)
	}
	if _, err := os.Stat(v.MarkersPath(id)); !os.IsNotExist(err) {
		t.Errorf("the markers file stayed: %v", err)
	}
}

// readAny decodes any stored audio to 16 kHz mono samples.
func readAny(t *testing.T, path string) []int16 {
	t.Helper()
	r, done, err := audio.OpenAudio(context.Background(), path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer done()
	var got []int16
	if err := audio.ReadMono(context.Background(), r, audio.StoreRate, audio.StoreRate, func(s []int16) error { got = append(got, s...); return nil }, nil); err != nil {
		t.Fatal(err)
	}
	return got
}

// correlation compares got with the generator's first n samples.
func correlation(got []int16, n int) float64 {
	var xy, xx, yy float64
	for i := range min(n, len(got)) {
		x, y := float64(got[i]), float64(genSample(int64(i)))
		xy, xx, yy = xy+x*y, xx+x*x, yy+y*y
	}
	return xy / math.Sqrt(xx*yy+1)
}

// later is the clock of an open some minutes from now.
func later() time.Time { return time.Now().Add(5 * time.Minute) }

// TestAudioWhoseNoteMayBeArriving: audio without a note is not given one
// while its note may still be on its way: while a sync tool's temporary
// file or placeholder for the note is there (Syncthing, iCloud, Resilio,
// a download), or while the audio is less than a minute old (sync tools
// often bring a recording's audio first). A note made then would stand
// in the real note's place, and a sync tool could keep it over the real
// one. Once the note arrives, there is nothing to adopt; if it never
// does, the audio gets its note at a later open.
func TestAudioWhoseNoteMayBeArriving(t *testing.T) {
	root := tempdir.New(t)
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := v.RecordingsPath()
	v.Close()
	arriving := map[string]string{
		"synced-1":  ".syncthing.synced-1.md.tmp",
		"icloud-2":  ".icloud-2.md.icloud",
		"resilio-3": "resilio-3.md.!sync",
		"fresh-4":   "", // no temp: only young
	}
	for id, temp := range arriving {
		if err := audio.WritePCM16(filepath.Join(rec, id+".wav"), 16000, 1, make([]int16, 1600)); err != nil {
			t.Fatal(err)
		}
		if temp != "" {
			os.WriteFile(filepath.Join(rec, temp), []byte("---\nid: "+id+"\n"), 0o600)
			old := time.Now().Add(-time.Hour)
			os.Chtimes(filepath.Join(rec, id+".wav"), old, old)
		}
	}
	open := func(now func() time.Time) []*persistence.Note {
		var adopted []*persistence.Note
		v, err := persistence.Open(root, persistence.Options{Now: now, Maintain: []func(*persistence.Vault) error{
			func(v *persistence.Vault) (err error) { adopted, err = recording.Recover(v); return err }}})
		if err != nil {
			t.Fatal(err)
		}
		if v.Maintenance.Err != nil {
			t.Fatal(v.Maintenance.Err)
		}
		v.Close()
		return adopted
	}
	if adopted := open(time.Now); len(adopted) != 0 {
		t.Fatalf("adopted %d recordings whose notes may be arriving", len(adopted))
	}
	for id := range arriving {
		if _, err := os.Stat(filepath.Join(rec, id+".md")); err == nil {
			t.Errorf("a note was written in the place of %s's, which may be arriving", id)
		}
	}
	// The sync tools finish: Syncthing's note arrives, the others' never do.
	for _, temp := range arriving {
		if temp != "" {
			os.Remove(filepath.Join(rec, temp))
		}
	}
	real := &persistence.Note{ID: "synced-1", Title: "From the phone", Body: "the real transcript\n", TranscriptionStatus: persistence.StatusDone, Audio: "synced-1.wav"}
	data, _ := real.Marshal()
	os.WriteFile(filepath.Join(rec, "synced-1.md"), data, 0o600)
	adopted := open(later)
	var ids []string
	for _, n := range adopted {
		ids = append(ids, n.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"fresh-4", "icloud-2", "resilio-3"}) {
		t.Errorf("a later open adopted %v; want the three whose notes never came", ids)
	}
	if got, _ := os.ReadFile(filepath.Join(rec, "synced-1.md")); !strings.Contains(string(got), "the real transcript") {
		t.Errorf("the note that arrived was replaced: %s", got)
	}
}
