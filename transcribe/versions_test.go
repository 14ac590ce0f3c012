package transcribe

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/internal/faultfs"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/testchild"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

// TestTranscribeAgainMergesEdits: a note transcribed by a server, edited
// by the person (a word fixed, a word deleted, a paragraph and a tag
// typed), transcribed again by a server that hears it differently: every
// edit is in the new text, the new words are there, a place both changed
// differently is marked and reported, each transcript is kept as a
// version with what made it, the timings are the new transcript's, and a
// version comes back exactly.
func TestTranscribeAgainMergesEdits(t *testing.T) {
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	n := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	f := &fakeAPI{key: "k", texts: []string{
		"and mister john dash would had then leisure to consider",
		"And Mister John Dashwood had then leisure to consider how much there might be.",
		"And Mister John Dashwood had then pleasure to consider how much there might be.",
	}}
	o, srv := newFake(t, f)
	q, _ := queueFor(t, v, o)
	run := func() *persistence.Note {
		t.Helper()
		q.Enqueue(n.ID)
		q.Drain(context.Background())
		got, err := v.Note(n.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	edit := func(n *persistence.Note, body string) {
		t.Helper()
		n.Body = body
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
	}
	first := run()
	if first.Body != f.texts[0]+"\n" {
		t.Fatalf("first transcript: %q", first.Body)
	}
	edit(first, "and mister john Dashwood had leisure to consider\n\nCall Elinor about it. #family\n")

	second := run()
	want := "And Mister John Dashwood had leisure to consider how much there might be.\n\nCall Elinor about it. #family\n"
	if second.Body != want || second.TranscriptionError != "" {
		t.Fatalf("merged:\n%q (%q)\nwant\n%q", second.Body, second.TranscriptionError, want)
	}
	if second.TranscriptHash != Hash(f.texts[1]+"\n") {
		t.Error("the note's machine text is not the new transcript")
	}
	words := timingsOf(t, v, second)
	if len(words) != len(strings.Fields(f.texts[1])) || words[len(words)-1].Text != "be." {
		t.Errorf("the timings are not the new transcript's: %v", words)
	}

	// A word both changed, differently.
	edit(second, strings.Replace(second.Body, "leisure", "time", 1))
	third := run()
	if !strings.Contains(third.Body, "had ⟦yours: time ‖ new: pleasure⟧ to consider") || !strings.Contains(third.Body, "Call Elinor about it. #family") {
		t.Errorf("a conflict was not marked where it stands:\n%s", third.Body)
	}
	if third.TranscriptionError != "" || third.TranscriptionStatus != persistence.StatusDone {
		t.Errorf("a merge with a conflict is a transcription that worked: %s %q", third.TranscriptionStatus, third.TranscriptionError)
	}

	versions, err := Versions(v, third)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 3 {
		t.Fatalf("%d versions, want 3", len(versions))
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	for i, ver := range versions {
		if ver.N != i+1 || ver.Text != f.texts[i]+"\n" || ver.Engine != OpenAIName || ver.Model != "whisper-1" || ver.Server != host || ver.At.IsZero() || ver.Current != (i == 2) {
			t.Errorf("version %d: %+v", i+1, ver)
		}
		if st, err := os.Stat(ver.Path); err != nil || runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
			t.Errorf("version %d's file: %v %v (want private, 0600)", i+1, st.Mode(), err)
		}
	}

	// Restore brings back the exact text, and keeps what the person had.
	before := third.Body
	restored, err := Restore(v, n.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if restored.Body != f.texts[0]+"\n" || restored.TranscriptHash != Hash(restored.Body) {
		t.Errorf("restored %q", restored.Body)
	}
	kept := false
	entries, _ := os.ReadDir(v.HistoryDir(n.ID))
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(v.HistoryDir(n.ID), e.Name()))
		if strings.HasSuffix(string(data), before) && strings.Contains(e.Name(), "restoring") {
			kept = true
		}
	}
	if !kept {
		t.Error("the text the person had before the restore was not kept")
	}
	if _, err := Restore(v, n.ID, 4); err == nil || !strings.Contains(err.Error(), "1 to 3") {
		t.Errorf("restoring a version that does not exist: %v", err)
	}

	// Two more: five versions, each with its provenance.
	run()
	run()
	if versions, _ = Versions(v, first); len(versions) != 5 {
		t.Errorf("%d versions after five transcriptions", len(versions))
	}

	// Deleted and brought back: the versions go and come with the note.
	tr, err := v.Trash(n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(v.HistoryDir(n.ID)); !os.IsNotExist(err) {
		t.Errorf("the history stayed in the vault after the note was deleted: %v", err)
	}
	if err := v.Restore(tr); err != nil {
		t.Fatal(err)
	}
	back, _ := v.Note(n.ID)
	if versions, _ = Versions(v, back); len(versions) != 5 {
		t.Errorf("%d versions after delete and restore", len(versions))
	}
}

func timingsOf(t *testing.T, v *persistence.Vault, n *persistence.Note) []timeline.Cue {
	t.Helper()
	f, err := os.Open(v.TimingsPath(n))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cues, _, err := timeline.ReadTimings(f)
	if err != nil {
		t.Fatal(err)
	}
	return cues
}

// TestLegacyNoteKeepsItsTranscript: a note transcribed before versions
// were kept gets its machine text as version 1 before a new one replaces
// it, and an edited one merges against the words of its timings.
func TestLegacyNoteKeepsItsTranscript(t *testing.T) {
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	n := noteWithAudio(t, v, persistence.StatusDone, "")
	n.Body, n.Engine = "the old machine words\n", PocketSphinxName
	n.TranscriptHash = Hash(n.Body)
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	got, err := Take(v, n.ID, &Result{Text: "the new machine words"}, Provenance{Engine: OpenAIName}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	versions, _ := Versions(v, got)
	if len(versions) != 2 || versions[0].Text != "the old machine words\n" || versions[0].Engine != PocketSphinxName || !versions[1].Current {
		t.Fatalf("versions %+v", versions)
	}
}

const takeCrashEnv = "VOICENOTES_TAKE_CRASH"

func init() { testchild.Register(takeCrashEnv, takeCrashChild) }

// takeCrashChild runs "k|vault|id": Take of a new transcript, killed
// (exit 9, no clean-up) before its k-th file operation.
func takeCrashChild(arg string) {
	parts := strings.SplitN(arg, "|", 3)
	k, _ := strconv.Atoi(parts[0])
	var ops atomic.Int64
	fsys := faultfs.New(persistence.OS, func(faultfs.Event) error {
		if ops.Add(1) == int64(k) {
			os.Exit(9)
		}
		return nil
	})
	v, err := persistence.Open(parts[1], persistence.Options{FS: fsys})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	ops.Store(0) // opening is not counted
	if _, err := Take(v, parts[2], &Result{Text: crashTheirs, Words: []Segment{{0, 0.5, "And"}, {0.5, 1, "Mister"}}}, Provenance{Engine: OpenAIName, Model: "whisper-1"}, time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	os.Exit(0)
}

const (
	crashBase   = "and mister john dash would had then leisure"
	crashMine   = "and mister john Dashwood had leisure\n\nMy own line.\n"
	crashTheirs = "And Mister John Dashwood had then leisure to consider."
	crashMerged = "And Mister John Dashwood had leisure to consider.\n\nMy own line.\n"
)

// TestTakeCrashMatrix: a re-transcription killed before each of its file
// operations, k = 1, 2, … until it completes, leaves the note as it was
// or fully merged, and never a version the note did not take.
func TestTakeCrashMatrix(t *testing.T) {
	for k := 1; ; k++ {
		root := tempdir.New(t)
		v, err := persistence.Open(root, persistence.Options{})
		if err != nil {
			t.Fatal(err)
		}
		n := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
		if _, err := Take(v, n.ID, &Result{Text: crashBase}, Provenance{Engine: PocketSphinxName}, time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		n, _ = v.Note(n.ID)
		n.Body = crashMine
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
		v.Close()
		cmd, out, err := testchild.Run(t, func() *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), takeCrashEnv+"="+strconv.Itoa(k)+"|"+root+"|"+n.ID)
			return cmd
		})
		if cmd == nil {
			t.Fatalf("k=%d: starting the child: %v", k, err)
		}
		code := cmd.ProcessState.ExitCode()
		if code != 0 && code != 9 {
			t.Fatalf("k=%d: the child failed (exit %d):\n%s", k, code, out)
		}
		v, err = persistence.Open(root, persistence.Options{})
		if err != nil {
			t.Fatalf("k=%d: reopening: %v", k, err)
		}
		got, err := v.Note(n.ID)
		if err != nil {
			t.Fatalf("k=%d: %v", k, err)
		}
		versions, err := Versions(v, got)
		if err != nil {
			t.Fatalf("k=%d: %v", k, err)
		}
		switch got.Body {
		case crashMine:
			if len(versions) != 1 || !versions[0].Current {
				t.Errorf("k=%d: the note is as it was, with %d versions (want its one)", k, len(versions))
			}
		case crashMerged:
			if len(versions) != 2 || !versions[1].Current || versions[1].Text != crashTheirs+"\n" {
				t.Errorf("k=%d: the note is merged, with versions %+v", k, versions)
			}
		default:
			t.Fatalf("k=%d: the note is neither as it was nor merged: %q", k, got.Body)
		}
		entries, _ := os.ReadDir(v.HistoryDir(n.ID))
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), pendingExt) {
				t.Errorf("k=%d: %s left after the versions were read", k, e.Name())
			}
		}
		v.Close()
		if code == 0 {
			if got.Body != crashMerged {
				t.Fatalf("the re-transcription finished without merging: %q", got.Body)
			}
			t.Logf("killed before each of its %d file operations; nothing lost, no orphan version", k-1)
			return
		}
		if k > 100 {
			t.Fatal("the re-transcription never finished")
		}
	}
}

// TestNoMoreStackedCopies: a note whose text the person wrote over before
// versions were kept gets the new transcript under a heading once; later
// transcriptions merge into that text instead of adding another copy.
func TestNoMoreStackedCopies(t *testing.T) {
	v, _ := persistence.Open(tempdir.New(t), persistence.Options{})
	defer v.Close()
	n := noteWithAudio(t, v, persistence.StatusDone, "")
	n.Body, n.TranscriptHash = "My own summary of the call.\n", Hash("something the engine once said\n")
	if err := v.Save(n); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"we spoke about the budget", "We spoke about the budget.", "We spoke about the budget, and the plan."} {
		got, err := Take(v, n.ID, &Result{Text: text}, Provenance{Engine: OpenAIName}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if c := strings.Count(got.Body, "## New transcript"); c != 1 || !strings.HasPrefix(got.Body, "My own summary of the call.\n\n## New transcript") || !strings.HasSuffix(got.Body, "\n\n"+text+"\n") {
			t.Fatalf("after transcription %d:\n%s", i+1, got.Body)
		}
	}
}

// TestHistoryAndVocabularyAreNotLinks: a link planted where a note's
// history or the vocabulary belongs (by a sync tool, another program) is
// not followed: nothing is written through it, nothing read from it, and
// the error says what to do.
func TestHistoryAndVocabularyAreNotLinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows; the checks are the same code")
	}
	root, outside := tempdir.New(t), tempdir.New(t)
	v, _ := persistence.Open(root, persistence.Options{})
	defer v.Close()
	n := noteWithAudio(t, v, persistence.StatusUnprocessed, "")
	if err := os.MkdirAll(filepath.Dir(v.HistoryDir(n.ID)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, v.HistoryDir(n.ID)); err != nil {
		t.Fatal(err)
	}
	_, err := Take(v, n.ID, &Result{Text: "private words"}, Provenance{Engine: OpenAIName}, time.Now())
	if err == nil || !strings.Contains(err.Error(), "a link") || !strings.Contains(err.Error(), "move it away") {
		t.Errorf("a transcript into a linked history: %v", err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("written through the link: %v", entries)
	}
	if got, _ := v.Note(n.ID); got.Body != "" {
		t.Errorf("the note changed though its version could not be kept: %q", got.Body)
	}
	secret := filepath.Join(outside, "secret.txt")
	os.WriteFile(secret, []byte("my password → hunter2\n"), 0o600)
	if err := os.Symlink(secret, VocabularyPath(v)); err != nil {
		t.Fatal(err)
	}
	voc, err := LoadVocabulary(v)
	if err == nil || !strings.Contains(err.Error(), "a link") || !voc.Empty() {
		t.Errorf("a linked vocabulary: %+v, %v", voc, err)
	}
}
