package persistence_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicenotes/voicenotes/persistence"
)

// trickyTitles are strings a YAML 1.1 reader (Whispering reads notes with
// gray-matter, that is js-yaml 3) takes for something else when they are
// written plain: base-60 numbers, timestamps, booleans, nulls, numbers in
// other bases, and characters YAML 1.1 treats as line breaks.
var trickyTitles = []string{
	"9:45", "12:30", "1:02:03", "190:20:30.15", "-1:30", "2025-11-14", "2025-11-14T09:30:00",
	"2025-11-14 09:30:00 +01:00", "2025-11-14t09:30:00.5Z", "yes", "No", "on", "OFF", "y", "N",
	"~", "null", "NULL", "true", "False", "0x1F", "0o17", "017", "0b101", "1_000", "1e3",
	"3.14", "-7", ".5", "+.inf", ".NaN", "<<", "=", "", "a: b", "- x", "#hash", "@at",
	"`tick", "'quote", "\"dq", "%pct", "!bang", "&amp", "*star", "[list]", "{map}", "multi\nline",
	"tab\there", " leading", "trailing ", "line\u2028separator", "para\u2029separator",
	"next\u0085line", "é accents", "emoji 🎙", "Meeting at 9:45",
}

// jsYAML installs js-yaml 3.14.1 (what Whispering's gray-matter uses) once
// into the user's cache and returns the script that reads titles with it.
func jsYAML(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: it runs js-yaml, the YAML reader Whispering uses", tool)
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, "voicenotes-tests", "js-yaml-3.14.1")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "js-yaml")); err != nil {
		os.MkdirAll(dir, 0o700)
		cmd := exec.Command("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", dir, "js-yaml@3.14.1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm install js-yaml@3.14.1: %v\n%s", err, out)
		}
	}
	script := filepath.Join(dir, "titles.js")
	os.WriteFile(script, []byte(`const yaml = require('js-yaml');
let input = '';
process.stdin.on('data', d => input += d);
process.stdin.on('end', () => {
  const out = [];
  for (const doc of JSON.parse(input)) {
    const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(doc);
    try {
      const v = yaml.safeLoad(m[1]);
      out.push(v && typeof v.title === 'string' ? v.title : {type: typeof (v && v.title), value: String(v && v.title)});
    } catch (e) { out.push({error: e.message}); }
  }
  process.stdout.write(JSON.stringify(out));
});
`), 0o600)
	return script
}

// TestWhisperingReadsOurStrings: every title Voice Notes writes, new or
// edited, is read back by js-yaml as the same string, so Whispering's
// schema (all seven keys strings) never drops the note.
func TestWhisperingReadsOurStrings(t *testing.T) {
	script := jsYAML(t)
	var docs []string
	for _, title := range trickyTitles {
		n := &persistence.Note{ID: "t1", Title: title, TranscriptionStatus: persistence.StatusDone, Body: "x\n"}
		data, err := n.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if back, err := persistence.ParseNote(bytes.NewReader(data)); err != nil || back.Title != title {
			t.Errorf("title %q reads back in Go as %q, %v", title, back.Title, err)
		}
		docs = append(docs, string(data))
		// The same title set by an edit of a note another program wrote.
		other, err := persistence.ParseNote(strings.NewReader("---\nid: t2\ntitle: before\nsubtitle: ''\ntimestamp: '2025-11-14T09:30:00.000Z'\ncreatedAt: '2025-11-14T09:30:00.000Z'\nupdatedAt: '2025-11-14T09:30:00.000Z'\ntranscriptionStatus: DONE\n---\nx\n"))
		if err != nil {
			t.Fatal(err)
		}
		other.Title = title
		if data, err = other.Marshal(); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(data))
	}
	in, _ := json.Marshal(docs)
	cmd := exec.Command("node", script)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got []any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node said %s", out)
	}
	for i, g := range got {
		want := trickyTitles[i/2]
		if s, ok := g.(string); !ok || s != want {
			t.Errorf("title %q (%s) is read by js-yaml as %v; written:\n%s", want, []string{"new", "edited"}[i%2], g, docs[i])
		}
	}
}
