package persistence_test

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
)

func TestNormalizeTag(t *testing.T) {
	for in, want := range map[string]string{"idea": "idea", "#Work": "Work", " #todo ": "todo", "work/meetings": "work/meetings",
		"y2026": "y2026", "café": "café", "snake_case": "snake_case", "kebab-case": "kebab-case", "2026-q1": "2026-q1"} {
		if got, err := persistence.NormalizeTag(in); err != nil || got != want {
			t.Errorf("NormalizeTag(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "#", "two words", "a,b", "1984", "a#b", "/lead", "trail/", "a//b", "semi;colon"} {
		if got, err := persistence.NormalizeTag(in); err == nil {
			t.Errorf("NormalizeTag(%q) = %q, want an error", in, got)
		}
	}
}

// TestTagsAsOthersWriteThem: a list (Obsidian), a flow list, a text of
// tags with commas or '#': all read; untouched, the key stays byte for
// byte as written when something else in the note changes; changed, it is
// written as Obsidian writes it.
func TestTagsAsOthersWriteThem(t *testing.T) {
	root := tempdir.New(t)
	v, err := persistence.Open(root, persistence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	forms := map[string]struct {
		yaml string
		want []string
	}{
		"list":   {"tags:\n  - idea\n  - work/meetings\n", []string{"idea", "work/meetings"}},
		"flow":   {"tags: [ idea,   Work ]\n", []string{"idea", "Work"}},
		"commas": {"tags: idea,  work\n", []string{"idea", "work"}},
		"hashes": {"tags: \"#idea #work\"\n", []string{"idea", "work"}},
	}
	for name, f := range forms {
		id := "tags-" + name
		doc := "---\nid: " + id + "\ntitle: t\ntranscriptionStatus: DONE\n" + f.yaml + "---\nbody\n"
		path := filepath.Join(v.RecordingsPath(), id+".md")
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		n, err := v.Note(id)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(n.Tags, f.want) {
			t.Errorf("%s: tags %q, want %q", name, n.Tags, f.want)
		}
		if !n.HasTag("#IDEA") || n.HasTag("ide") {
			t.Errorf("%s: HasTag is not case-blind or matches a prefix", name)
		}
		n.Title = "changed"
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		if !strings.Contains(string(data), f.yaml) {
			t.Errorf("%s: the untouched tags were rewritten:\n%s", name, data)
		}
		// Changed here: written as Obsidian's list.
		if _, changed, err := n.AddTag("#new"); err != nil || !changed {
			t.Fatalf("%s: AddTag: %v %v", name, changed, err)
		}
		if _, changed, _ := n.AddTag("NEW"); changed {
			t.Errorf("%s: a tag already there (in another case) was added again", name)
		}
		if !n.RemoveTag("IDEA") {
			t.Errorf("%s: RemoveTag did not find idea", name)
		}
		if err := v.Save(n); err != nil {
			t.Fatal(err)
		}
		data, _ = os.ReadFile(path)
		var want strings.Builder
		want.WriteString("tags:\n")
		for _, tag := range n.Tags {
			want.WriteString("  - " + tag + "\n")
		}
		if !strings.Contains(string(data), want.String()) {
			t.Errorf("%s: changed tags not written as Obsidian writes them (want %q):\n%s", name, want.String(), data)
		}
		again, _ := v.Note(id)
		if !slices.Equal(again.Tags, n.Tags) {
			t.Errorf("%s: read back %q, want %q", name, again.Tags, n.Tags)
		}
	}
}

// TestWhisperingDir: Whispering's folder where it keeps it on each system,
// found only when its recordings folder is there.
func TestWhisperingDir(t *testing.T) {
	base := tempdir.New(t)
	t.Setenv("XDG_DATA_HOME", base)
	t.Setenv("APPDATA", base)
	t.Setenv("HOME", base)
	want := filepath.Join(base, "com.bradenwong.whispering")
	if runtime.GOOS == "darwin" {
		want = filepath.Join(base, "Library", "Application Support", "com.bradenwong.whispering")
	}
	if got := persistence.WhisperingDir(); got != want {
		t.Errorf("WhisperingDir() = %q, want %q", got, want)
	}
	if got := persistence.FindWhispering(); got != "" {
		t.Errorf("found Whispering at %q where there is none", got)
	}
	os.MkdirAll(filepath.Join(want, "recordings"), 0o700)
	if got := persistence.FindWhispering(); got != want {
		t.Errorf("FindWhispering() = %q, want %q", got, want)
	}
}
