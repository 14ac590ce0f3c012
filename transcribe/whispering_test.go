//go:build pocketsphinx

package transcribe

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/wer"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
)

// grayMatter installs gray-matter 4.0.3 (Whispering's note serializer,
// over js-yaml 3.14.1) once into the user's cache and returns the folder
// node runs scripts in.
func grayMatter(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: it runs gray-matter, the serializer Whispering writes notes with", tool)
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, "voicenotes-tests", "gray-matter-4.0.3")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "gray-matter")); err != nil {
		os.MkdirAll(dir, 0o700)
		cmd := exec.Command("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", dir, "gray-matter@4.0.3", "js-yaml@3.14.1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm install gray-matter@4.0.3: %v\n%s", err, out)
		}
	}
	return dir
}

// node runs a script in dir with input on stdin and returns its output.
func node(t *testing.T, dir, script string, input any) []byte {
	t.Helper()
	path := filepath.Join(dir, "script.js")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(input)
	cmd := exec.Command("node", path)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	return out
}

// whisperingNote is a note as Whispering keeps it: its seven string keys
// and its transcript as the body.
type whisperingNote struct {
	File string            `json:"file"`
	Data map[string]string `json:"data"`
	Body string            `json:"body"`
}

// TestWhisperingVault: a recordings folder written the way Whispering
// writes it (gray-matter 4.0.3 over js-yaml 3.14.1: single-quoted and
// double-quoted strings with escapes, folded long titles, |- blocks, empty
// bodies, a .md.tmp left by an interrupted write; the audio of every kind
// its recorders save, made here by ffmpeg from real speech: float WAV,
// 16 kHz WAV, Opus, MP3, Ogg Vorbis, M4A, and WebM under a .wav name) is
// opened as the app opens it: every note is listed with its title as
// written, its audio is played (decoded whole), and it is transcribed;
// then js-yaml, as Whispering reads, still finds every note's seven keys
// as strings and the title unchanged.
func TestWhisperingVault(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
	gm := grayMatter(t)
	e := newPocketSphinx(t)
	c := librivoxClips(t)[3] // 6 s: "had he married a more amiable woman …"
	root := tempdir.New(t)
	rec := filepath.Join(root, persistence.RecordingsDir)
	os.MkdirAll(rec, 0o700)
	kinds := []struct{ ext, name string }{
		{".wav", "float WAV (CPAL)"}, {".wav", "16 kHz WAV (FFmpeg recorder)"}, {".opus", "Opus"},
		{".mp3", "MP3"}, {".ogg", "Ogg Vorbis"}, {".m4a", "M4A"}, {".wav", "WebM under a .wav name"},
	}
	args := map[string][]string{
		"float WAV (CPAL)":             {"-ar", "48000", "-c:a", "pcm_f32le", "-f", "wav"},
		"16 kHz WAV (FFmpeg recorder)": {"-ar", "16000", "-c:a", "pcm_s16le", "-f", "wav"},
		"Opus":                         {"-c:a", "libopus", "-b:a", "48k", "-f", "ogg"},
		"MP3":                          {"-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3"}, // at 16 kHz lame's default is 24 kb/s, which PocketSphinx cannot follow
		"Ogg Vorbis":                   {"-c:a", "libvorbis", "-f", "ogg"},
		"M4A":                          {"-c:a", "aac", "-f", "ipod"},
		"WebM under a .wav name":       {"-c:a", "libopus", "-f", "webm"},
	}
	titles := []string{
		"9:45",                                 // base 60 in YAML 1.1: single-quoted
		"2025-11-14T09:30:00",                  // a timestamp: single-quoted
		"yes",                                  // a boolean: single-quoted
		"Note: the 'quoted' bits # and a hash", // quotes inside quotes
		strings.Repeat("A long title that goes on ", 6), // folded past 80 columns
		"Emoji 🎙 and tab\there",                         // escapes in double quotes
		"",                                              // empty
	}
	bodies := []string{"", "first line\nsecond line", "", "# A heading\n\nSome text.", "", "é accents", ""}
	var notes []whisperingNote
	base := time.Date(2025, 11, 14, 9, 30, 0, 0, time.UTC)
	for i, k := range kinds {
		id := []string{"7e3a9b2c-5d41-4f8e-9a6b-1c2d3e4f5a60", "Kq3vX9zR2mN8pL5wT1yB", "0b9c3f1e-aaaa-4bbb-8ccc-123456789abc",
			"mp3-note", "ogg_note", "m4a_note-1", "webm-as-wav"}[i]
		out := filepath.Join(rec, id+k.ext)
		cmd := exec.Command("ffmpeg", append(append([]string{"-nostdin", "-v", "error", "-y", "-i", c.path, "-ac", "1"}, args[k.name]...), out)...)
		if o, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %s: %v\n%s", k.name, err, o)
		}
		at := base.Add(time.Duration(i) * time.Hour).Format("2006-01-02T15:04:05.000Z")
		notes = append(notes, whisperingNote{File: filepath.Join(rec, id+".md"), Body: bodies[i], Data: map[string]string{
			"id": id, "title": titles[i], "subtitle": []string{"", "two\nlines", "", "x", "", "", ""}[i],
			"timestamp": at, "createdAt": at, "updatedAt": at, "transcriptionStatus": "UNPROCESSED",
		}})
	}
	node(t, gm, `const matter = require('gray-matter');
const fs = require('fs');
let input = '';
process.stdin.on('data', d => input += d);
process.stdin.on('end', () => {
  for (const n of JSON.parse(input)) fs.writeFileSync(n.file, matter.stringify(n.body, n.data));
});
`, notes)
	// An interrupted write of Whispering's: a .md.tmp beside the notes.
	leftover := filepath.Join(rec, "interrupted.md.tmp")
	os.WriteFile(leftover, []byte("---\nid: interrupted\ntitle: half"), 0o600)
	var written []string
	for _, n := range notes {
		data, _ := os.ReadFile(n.File)
		written = append(written, string(data))
	}
	joined := strings.Join(written, "")
	for _, style := range []string{"title: '9:45'", "title: >-", "subtitle: |-", `\t`} {
		if !strings.Contains(joined, style) {
			t.Errorf("the fixture has no %q: gray-matter wrote\n%s", style, joined)
		}
	}

	v, err := persistence.Open(root, persistence.Options{Maintain: []func(*persistence.Vault) error{
		func(v *persistence.Vault) error { _, err := recording.Recover(v); return err }}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	listed, bad, err := v.List()
	if err != nil || len(bad) > 0 || len(listed) != len(notes) {
		t.Fatalf("listed %d of %d notes, %d unreadable (%v): %v", len(listed), len(notes), len(bad), bad, err)
	}
	if _, err := os.Stat(leftover); err != nil {
		t.Errorf("Whispering's .md.tmp was removed: %v", err)
	}
	byID := map[string]*persistence.Note{}
	for _, n := range listed {
		byID[n.ID] = n
	}
	src, f, err := audio.OpenWAV(c.path)
	if err != nil {
		t.Fatal(err)
	}
	length := src.Duration()
	f.Close()
	var ids []string
	for i, want := range notes {
		n := byID[want.Data["id"]]
		if n == nil {
			t.Fatalf("%s is not listed", want.Data["id"])
		}
		if n.Title != titles[i] || n.Body != strings.TrimSuffix(bodies[i], "\n") && n.Body != bodies[i] && n.Body != bodies[i]+"\n" {
			t.Errorf("%s (%s): title %q body %q; Whispering wrote %q and %q", n.ID, kinds[i].name, n.Title, n.Body, titles[i], bodies[i])
		}
		// Played: the audio decodes whole.
		path, ok := v.AudioPath(n)
		if !ok {
			t.Errorf("%s (%s): no audio found", n.ID, kinds[i].name)
			continue
		}
		r, done, err := audio.OpenAudio(context.Background(), path)
		if err != nil {
			t.Errorf("%s (%s): %v", n.ID, kinds[i].name, err)
			continue
		}
		if d := r.Duration() - length; d < -100*time.Millisecond || d > 100*time.Millisecond {
			t.Errorf("%s (%s): plays for %v; the clip lasts %v", n.ID, kinds[i].name, r.Duration(), length)
		}
		done()
		ids = append(ids, n.ID)
	}

	// Transcribed, as the window's queue does it.
	q := NewQueue(v, func() (Engine, Options, error) { return e, Options{}, nil }, nil)
	q.Enqueue(ids...)
	q.Drain(context.Background())
	for i, id := range ids {
		n, err := v.Note(id)
		if err != nil {
			t.Fatal(err)
		}
		text := n.Body
		if bodies[i] != "" { // a transcript is added under a heading after what was there
			if !strings.HasPrefix(text, bodies[i]) || !strings.Contains(text, "## New transcript") {
				t.Errorf("%s (%s): what Whispering had was not kept above the transcript: %q", id, kinds[i].name, text)
			}
			text = text[strings.LastIndex(text, ")\n\n")+3:]
		}
		t.Logf("%s: WER %.2f", kinds[i].name, wer.WER(c.ref, text))
		if n.TranscriptionStatus != persistence.StatusDone || wer.WER(c.ref, text) > 0.4 { // 0.21 from the WAV here
			t.Errorf("%s (%s): %s, transcript %q (WER %.2f)", id, kinds[i].name, n.TranscriptionStatus, text, wer.WER(c.ref, text))
		}
	}

	// What Whispering reads back: the seven keys, strings, the title kept.
	var files []string
	for _, n := range notes {
		files = append(files, n.File)
	}
	out := node(t, gm, `const matter = require('gray-matter');
const fs = require('fs');
let input = '';
process.stdin.on('data', d => input += d);
process.stdin.on('end', () => {
  const out = [];
  for (const f of JSON.parse(input)) {
    try {
      const d = matter(fs.readFileSync(f, 'utf8'), {}).data;
      const bad = ['id','title','subtitle','timestamp','createdAt','updatedAt','transcriptionStatus'].filter(k => typeof d[k] !== 'string');
      out.push({title: d.title, status: d.transcriptionStatus, bad});
    } catch (e) { out.push({error: e.message}); }
  }
  process.stdout.write(JSON.stringify(out));
});
`, files)
	var back []struct {
		Title, Status, Error string
		Bad                  []string
	}
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	for i, b := range back {
		if b.Error != "" || len(b.Bad) > 0 || b.Title != titles[i] || b.Status != "DONE" {
			t.Errorf("%s as Whispering reads it after transcription: %+v (title written %q)", notes[i].Data["id"], b, titles[i])
		}
	}
}
