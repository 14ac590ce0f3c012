package transform

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// What a transformation replaces is kept first, in the vault, as a file a
// person can open: .voicenotes/history/<note id>/<time>-<transformation>.md,
// the note's text as it was before, with what replaced it and when in its
// frontmatter. The note is changed only once this file is on disk, so no
// crash or failure can lose the text a transformation started from.

// HistoryDir is where note id's earlier texts are kept.
func HistoryDir(v *persistence.Vault, id string) string {
	return v.HistoryDir(id)
}

// KeepBefore writes note n's text as it is now, before t changes it, and
// returns the file's path.
func KeepBefore(v *persistence.Vault, n *persistence.Note, t *Transformation, at time.Time) (string, error) {
	return transcribe.KeepTextAs(v, n, t.Name, t.Name, at)
}

// History lists note id's kept texts, oldest first (not its
// transcripts, which transcribe.Versions lists).
func History(v *persistence.Vault, id string) ([]string, error) {
	if err := persistence.ValidateID(id); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(HistoryDir(v, id))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		// The note's transcripts share the folder (transcribe.Versions).
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".md") && !strings.HasPrefix(e.Name(), ".") && !strings.Contains(e.Name(), "-transcript-") {
			out = append(out, filepath.Join(HistoryDir(v, id), e.Name()))
		}
	}
	slices.Sort(out)
	return out, nil
}

// ReadKept is the text a history file keeps (what follows its
// frontmatter).
func ReadKept(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := string(data)
	if !strings.HasPrefix(s, "---\n") {
		return "", fmt.Errorf("%s is not a kept text (no frontmatter)", path)
	}
	i := strings.Index(s[4:], "\n---\n")
	if i < 0 {
		return "", fmt.Errorf("%s is not a kept text (its frontmatter does not end)", path)
	}
	return s[4+i+5:], nil
}

// dropKept removes a kept text no change came of (best effort: one left
// over is only a copy of the note's text as it is).
func dropKept(path string) {
	if path != "" {
		os.Remove(path)
	}
}
