package recording_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/removable"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/recording"
)

// TestVaultOnRemovableMedia: a vault on a FAT32 or exFAT stick works as
// on the computer's own disk: importing, editing, listing, and recovering
// a recording a crash cut off mid-frame, although these file systems
// store no permissions and FUSE's FAT cannot truncate a file. (Every save
// failed there at "set permissions", and recovery at the truncate.)
func TestVaultOnRemovableMedia(t *testing.T) {
	for _, kind := range removable.Kinds {
		t.Run(kind, func(t *testing.T) {
			root := filepath.Join(removable.Mount(t, kind), "vault")
			recoverAll := []func(*persistence.Vault) error{func(v *persistence.Vault) error { _, err := recording.Recover(v); return err }}
			v, err := persistence.Open(root, persistence.Options{Maintain: recoverAll})
			if err != nil {
				t.Fatal(err)
			}
			tone := make([]int16, 16000)
			for i := range tone {
				tone[i] = genSample(int64(i))
			}
			src := filepath.Join(tempdir.New(t), "tone.wav")
			if err := audio.WritePCM16(src, 16000, 1, tone); err != nil {
				t.Fatal(err)
			}
			n, err := recording.Import(v, src, "From the stick")
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if _, err := v.Update(n.ID, func(m *persistence.Note) error { m.Title = "Renamed on the stick"; return nil }); err != nil {
				t.Fatalf("edit: %v", err)
			}
			notes, bad, err := v.List()
			if err != nil || len(bad) > 0 || len(notes) != 1 || notes[0].Title != "Renamed on the stick" {
				t.Fatalf("list: %v %v %v", notes, bad, err)
			}
			// doctor says the notes cannot be private there, and gives no
			// chmod advice that cannot work.
			if h, err := v.Check(); err != nil || len(h.Access) != 1 || !strings.Contains(h.Access[0], "keeps no permissions") {
				t.Errorf("doctor on %s: %q %v", kind, h.Access, err)
			}
			// Two recordings a crash cut off: one after a whole frame (the
			// usual case: the file is already as long as its samples, and
			// FUSE's FAT refuses a truncate to the same size), one in the
			// middle of a frame.
			for _, half := range []bool{false, true} {
				partial := filepath.Join(v.RecordingsPath(), v.NewNote().ID+persistence.PartialExt)
				w, err := recording.CreatePartialWAV(persistence.OS, partial, 16000, 1)
				if err != nil {
					t.Fatal(err)
				}
				if err := w.Write(tone[:8000]); err != nil {
					t.Fatal(err)
				}
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
				w.Abandon()
				if half {
					f, err := os.OpenFile(partial, os.O_WRONLY|os.O_APPEND, 0)
					if err != nil {
						t.Fatal(err)
					}
					f.Write([]byte{0x7f})
					f.Close()
				}
			}
			v.Close()

			v, err = persistence.Open(root, persistence.Options{Maintain: recoverAll})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			if v.Maintenance.Err != nil {
				t.Fatalf("recovery at the next open: %v", v.Maintenance.Err)
			}
			notes, _, _ = v.List()
			var recovered []*persistence.Note
			for _, m := range notes {
				if m.Recovered {
					recovered = append(recovered, m)
				}
			}
			if len(notes) != 3 || len(recovered) != 2 {
				t.Fatalf("after recovery: %d notes, %d recovered", len(notes), len(recovered))
			}
			for _, m := range recovered {
				path, _ := v.AudioPath(m)
				got := readSamples(t, path)
				if len(got) != 8000 {
					t.Errorf("a recovered recording holds %d samples, want 8000", len(got))
				}
				checkPrefix(t, got)
			}
		})
	}
}
