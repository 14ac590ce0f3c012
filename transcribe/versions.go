package transcribe

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/internal/regular"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

// Every machine transcript a note ever had is kept, with what made it, as
// a file a person can open beside the texts transformations replaced:
//
//	.voicenotes/history/<id>/<time>-transcript-<engine>.md
//
// holding the transcript exactly as the note took it, after a frontmatter
// of note, transcript (so the file says what it is), engine, model,
// server (the host, for an engine that has one), language, at, duration
// (seconds of audio) and hash (of the text: the note's transcriptHash
// names the version its machine text is). The history goes to the trash
// with the note and comes back with it.
//
// A new transcript is written first under the name's .pending twin, then
// the note takes it (merged with the person's edits) in one atomic save,
// then the twin is renamed. A crash before the note's save leaves a twin
// whose hash is not the note's: it is removed the next time the note's
// versions are read (a job that died is run again). A crash after leaves
// one whose hash is the note's: it is renamed then. So there is never a
// version the note did not take, nor a note whose version is missing.

// Provenance is what made a transcript.
type Provenance struct {
	Engine, Model, Server, Language string
	Duration                        float64 // seconds of audio
}

// Describer is an engine that can say which model (and server) it uses.
type Describer interface {
	Describe() (model, server string)
}

// ProvenanceOf is what engine e, run with o on note n, is.
func ProvenanceOf(e Engine, o Options, n *persistence.Note) Provenance {
	p := Provenance{Engine: e.Name(), Language: o.Language}
	if d, ok := e.(Describer); ok {
		p.Model, p.Server = d.Describe()
	}
	if n != nil {
		p.Duration = n.Duration.Seconds()
	}
	return p
}

// Version is one machine transcript a note had.
type Version struct {
	N    int // 1 is the oldest
	Path string
	Provenance
	At      time.Time
	Hash    string
	Text    string
	Current bool // the note's machine text is this one
}

const (
	versionTag  = "-transcript-"
	pendingExt  = ".pending"
	versionExt  = ".md"
	maxVersions = 10000
	// maxVersionBytes bounds a version read (an hour is about 60 KB).
	maxVersionBytes = 64 << 20
)

// Versions lists note n's transcripts, oldest first. On a vault that can
// be written it first settles what a crash left (see above).
func Versions(v *persistence.Vault, n *persistence.Note) ([]Version, error) {
	dir, err := v.CheckHistoryDir(n.ID)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the transcripts of %s: %w", n.ID, err)
	}
	var pending []string
	for _, e := range entries {
		if name := e.Name(); e.Type().IsRegular() && strings.Contains(name, versionTag) && strings.HasSuffix(name, pendingExt) {
			pending = append(pending, filepath.Join(dir, name))
		}
	}
	if len(pending) > 0 && !v.ReadOnly() {
		if err := settlePending(v, n.ID, pending); err != nil {
			return nil, err
		}
		if entries, err = os.ReadDir(dir); err != nil {
			return nil, fmt.Errorf("reading the transcripts of %s: %w", n.ID, err)
		}
		if fresh, err := v.Note(n.ID); err == nil {
			n = fresh
		}
	}
	var out []Version
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || !strings.Contains(name, versionTag) || !strings.HasSuffix(name, versionExt) {
			continue
		}
		ver, err := readVersion(filepath.Join(dir, name))
		if err != nil {
			continue // not one of ours (a person's own file in the folder)
		}
		out = append(out, ver)
	}
	slices.SortFunc(out, func(a, b Version) int { return strings.Compare(filepath.Base(a.Path), filepath.Base(b.Path)) })
	cur := -1
	for i := range out {
		out[i].N = i + 1
		if out[i].Hash == n.TranscriptHash {
			cur = i
		}
	}
	if cur >= 0 {
		out[cur].Current = true
	}
	return out, nil
}

// settlePending finishes what a re-transcription that ended part-way
// left: under the vault's write lock (Take writes a pending version and
// saves its note inside one hold of it, so no Take is half-way here), a
// pending version the note took is renamed, one it did not is removed.
func settlePending(v *persistence.Vault, id string, pending []string) error {
	return v.WithWriteLock(func() error {
		n, err := v.Note(id)
		if err != nil {
			return err
		}
		for _, path := range pending {
			ver, err := readVersion(path)
			if errors.Is(err, fs.ErrNotExist) {
				continue // settled by the Take that wrote it
			}
			if err == nil && ver.Hash == n.TranscriptHash {
				if err := v.FS().Rename(path, strings.TrimSuffix(path, pendingExt)); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("keeping the transcript %s: %w", path, err)
				}
				persistence.SyncDir(v.FS(), filepath.Dir(path))
				continue
			}
			if err := v.FS().Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		return nil
	})
}

// keepVersion writes text, the transcript note n is about to take, as
// its pending version, and returns the path to commit.
func keepVersion(v *persistence.Vault, n *persistence.Note, text string, p Provenance, at time.Time) (string, error) {
	dir, err := historyDir(v, n.ID)
	if err != nil {
		return "", err
	}
	at = at.UTC()
	name := stamp(at) + versionTag + fileSafe(p.Engine) + versionExt
	var b strings.Builder
	b.WriteString("---\n")
	field := func(k, val string) {
		if val != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, strconv.Quote(oneLine(val)))
		}
	}
	field("note", n.ID)
	field("transcript", "machine text, as the note took it")
	field("engine", p.Engine)
	field("model", p.Model)
	field("server", p.Server)
	field("language", p.Language)
	field("at", at.Format(persistence.TimeFormat))
	if p.Duration > 0 {
		fmt.Fprintf(&b, "duration: %s\n", strconv.FormatFloat(p.Duration, 'f', 3, 64))
	}
	field("hash", Hash(text))
	b.WriteString("---\n")
	b.WriteString(text)
	path := filepath.Join(dir, name+pendingExt)
	if err := persistence.WriteFile(v.FS(), path, []byte(b.String()), persistence.FilePerm); err != nil {
		return "", fmt.Errorf("keeping the new transcript of %s in %s: %w; the note was not changed", n.ID, dir, err)
	}
	return path, nil
}

// historyDir is note id's history folder, checked and made.
func historyDir(v *persistence.Vault, id string) (string, error) {
	dir, err := v.CheckHistoryDir(id)
	if err != nil {
		return "", err
	}
	if err := persistence.MkdirPrivate(v.FS(), filepath.Dir(dir)); err != nil {
		return "", err
	}
	if err := persistence.MkdirPrivate(v.FS(), dir); err != nil {
		return "", err
	}
	return dir, nil
}

// commitVersion makes a pending version a version, once the note took it.
func commitVersion(v *persistence.Vault, pending string) error {
	if err := v.FS().Rename(pending, strings.TrimSuffix(pending, pendingExt)); err != nil {
		return err
	}
	return persistence.SyncDir(v.FS(), filepath.Dir(pending))
}

func readVersion(path string) (Version, error) {
	f, err := regular.OpenNoFollow(path) // a link planted there is not read
	if err != nil {
		return Version{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxVersionBytes))
	if err != nil {
		return Version{}, err
	}
	s := string(data)
	if !strings.HasPrefix(s, "---\n") {
		return Version{}, fmt.Errorf("%s: no frontmatter", path)
	}
	end := strings.Index(s[4:], "\n---\n")
	if end < 0 {
		return Version{}, fmt.Errorf("%s: its frontmatter does not end", path)
	}
	ver := Version{Path: path, Text: s[4+end+5:]}
	for _, line := range strings.Split(s[4:4+end], "\n") {
		k, val, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		if u, err := strconv.Unquote(val); err == nil {
			val = u
		}
		switch k {
		case "engine":
			ver.Engine = val
		case "model":
			ver.Model = val
		case "server":
			ver.Server = val
		case "language":
			ver.Language = val
		case "at":
			ver.At, _ = time.Parse(persistence.TimeFormat, val)
		case "duration":
			ver.Duration, _ = strconv.ParseFloat(val, 64)
		case "hash":
			ver.Hash = val
		}
	}
	if ver.Hash == "" || ver.Engine == "" {
		return Version{}, fmt.Errorf("%s: not a transcript version", path)
	}
	if Hash(ver.Text) != ver.Hash {
		// Edited by hand since: what it says is what it holds.
		ver.Hash = Hash(ver.Text)
	}
	return ver, nil
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// fileSafe is s as a part of a file name.
func fileSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, s)
	if len(s) > 40 {
		s = s[:40]
	}
	if s == "" {
		s = "engine"
	}
	return s
}

// baseText is the machine text note n's body started from: its version
// (by the note's transcriptHash), or, for a note transcribed before
// versions were kept, the words of its timings.
func baseText(v *persistence.Vault, n *persistence.Note, versions []Version) (string, bool) {
	for _, ver := range versions {
		if ver.Hash == n.TranscriptHash {
			return ver.Text, true
		}
	}
	f, err := persistence.OpenRegular(v.FS(), v.TimingsPath(n))
	if err != nil {
		return "", false
	}
	defer f.Close()
	words, _, err := timeline.ReadTimings(f)
	if err != nil || len(words) == 0 {
		return "", false
	}
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = w.Text
	}
	return strings.Join(parts, " "), true
}

// noteVersions reads note id and its versions.
func noteVersions(v *persistence.Vault, id string) (*persistence.Note, []Version, error) {
	n, err := v.Note(id)
	if err != nil {
		return nil, nil, err
	}
	versions, err := Versions(v, n)
	return n, versions, err
}

// Take puts a new transcript into note id: its version is kept, the
// note's text becomes it, merged with the person's edits when they made
// some, and the word timings become its. It is what the queue and a live
// recording's end do.
func Take(v *persistence.Vault, id string, res *Result, p Provenance, at time.Time) (*persistence.Note, error) {
	cur, versions, err := noteVersions(v, id)
	if err != nil {
		return nil, err
	}
	// The vocabulary's rules and spellings, for every engine.
	voc, err := LoadVocabulary(v)
	if err != nil {
		log.Printf("transcribe: %v", err)
	}
	res = voc.Apply(res, p.Engine == PocketSphinxName)
	text := Clean(res.Text)
	var pending string
	if text != "" {
		if len(versions) >= maxVersions {
			return nil, fmt.Errorf("note %s already keeps %d transcripts in %s; move some away and transcribe again", id, len(versions), v.HistoryDir(id))
		}
		// A note whose text an engine wrote before versions were kept:
		// that text is its first version, kept before it is replaced.
		if len(versions) == 0 && cur.TranscriptHash != "" && Hash(cur.Body) == cur.TranscriptHash {
			old := Provenance{Engine: cur.Engine, Language: cur.Language, Duration: cur.Duration.Seconds()}
			if old.Engine == "" {
				old.Engine = "earlier"
			}
			path, err := keepVersion(v, cur, cur.Body, old, cur.UpdatedAt)
			if err != nil {
				return nil, err
			}
			if err := commitVersion(v, path); err != nil {
				return nil, err
			}
			if versions, err = Versions(v, cur); err != nil {
				return nil, err
			}
		}
	}
	// A transformation's text the new transcript replaces whole (nobody
	// edited it since) is kept in the history first.
	if text != "" && len(cur.Transformed) > 0 && Hash(cur.Body) == cur.TranscriptHash {
		if _, err := KeepText(v, cur, "before transcribing again", at); err != nil {
			return nil, err
		}
	}
	// The pending version is written and the note saved in one hold of
	// the write lock, so that settlePending never sees one half-way.
	n, err := v.Update(id, func(n *persistence.Note) error {
		if text != "" && pending == "" {
			path, err := keepVersion(v, n, text+"\n", p, at)
			if err != nil {
				return err
			}
			pending = path
		}
		base, ok := baseText(v, n, versions)
		applyTranscript(n, text, base, ok, p, at)
		return nil
	})
	if err != nil {
		if pending != "" {
			v.FS().Remove(pending)
		}
		return nil, err
	}
	if pending != "" {
		// The note has it; if this fails, the next read of its versions
		// renames it.
		commitVersion(v, pending)
	}
	// After the note: a crash between leaves a transcript without
	// timings, which works as notes always did.
	if err := SaveTimings(v, n, res); err != nil {
		log.Printf("transcribe: the word timings of %s were not saved: %v", id, err)
	}
	return n, nil
}

// Restore makes version k (1 is the oldest) of note id its machine text
// again. Text the person typed over the current one is kept first in the
// note's history, as a transformation keeps what it replaces.
func Restore(v *persistence.Vault, id string, k int) (*persistence.Note, error) {
	cur, versions, err := noteVersions(v, id)
	if err != nil {
		return nil, err
	}
	if k < 1 || k > len(versions) {
		if len(versions) == 0 {
			return nil, fmt.Errorf("note %s has no transcript versions yet: they are kept from its next transcription on", id)
		}
		return nil, fmt.Errorf("note %s has transcripts 1 to %d, not %d: voicenotes versions %s lists them", id, len(versions), k, id)
	}
	ver := versions[k-1]
	if strings.TrimSpace(cur.Body) != "" && Hash(cur.Body) != cur.TranscriptHash && cur.Body != ver.Text {
		if _, err := KeepText(v, cur, "before restoring transcript "+strconv.Itoa(k), time.Now()); err != nil {
			return nil, err
		}
	}
	return v.Update(id, func(n *persistence.Note) error {
		n.Body = ver.Text
		n.TranscriptHash = Hash(ver.Text)
		n.Engine = ver.Engine
		if ver.Language != "" && len(ver.Language) <= 3 {
			n.Language = ver.Language
		}
		n.Transformed = nil
		return nil
	})
}

// KeepText writes note n's text as it is now into its history, before
// something (what) replaces it, and returns the file's path.
func KeepText(v *persistence.Vault, n *persistence.Note, what string, at time.Time) (string, error) {
	return KeepTextAs(v, n, fileSafe(what), what, at)
}

// KeepTextAs is KeepText with the file's name after its time given:
// <time>-<name>.md (a transformation's own name, say).
func KeepTextAs(v *persistence.Vault, n *persistence.Note, name, what string, at time.Time) (string, error) {
	dir, err := historyDir(v, n.ID)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, stamp(at)+"-"+name+".md")
	data := fmt.Sprintf("---\nnote: %s\nbefore: %s\nat: %s\n---\n%s", n.ID, strconv.Quote(oneLine(what)), at.UTC().Format(persistence.TimeFormat), n.Body)
	if err := persistence.WriteFile(v.FS(), path, []byte(data), persistence.FilePerm); err != nil {
		return "", fmt.Errorf("keeping the text of %s before %s in %s: %w; the note was not changed", n.ID, what, dir, err)
	}
	return path, nil
}

// stamp is a time as history files begin their names: UTC to the
// millisecond, sorting as time does.
func stamp(at time.Time) string {
	return strings.ReplaceAll(at.UTC().Format("20060102T150405.000Z"), ".", "")
}
