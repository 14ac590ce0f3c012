package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/voicenotes/voicenotes/export"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/timeline"
)

func runExport(env *Env, v *persistence.Vault, fs *flag.FlagSet, args []string) error {
	n, err := v.Note(args[0])
	if err != nil {
		return err
	}
	out := flagValue[string](fs, "out")
	outDir := ""
	if out != "" {
		if out, err = filepath.Abs(out); err != nil {
			return err
		}
		if st, err := os.Stat(out); err == nil && st.IsDir() {
			return usagef("export: --out %s is a folder; give a file name, for example --out %s", out, filepath.Join(out, n.ID+"."+flagValue[string](fs, "format")))
		}
		outDir = filepath.Dir(out)
	}
	format := flagValue[string](fs, "format")
	timed, err := export.Timings(v, n)
	if err != nil {
		// Wrong timings only place the markers in a page; subtitles are
		// made of nothing else.
		if !errors.Is(err, timeline.ErrTimings) || slices.Contains(export.SubtitleFormats, format) {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(env.Stderr, "export: the markers go after the text: %v\n", err)
	}
	var data []byte
	if slices.Contains(export.SubtitleFormats, format) {
		if data, err = export.Subtitles(n, timed, format); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	} else {
		audio, _ := v.AudioPath(n)
		if data, err = export.Render(n, format, audio, outDir, timed); err != nil {
			return usagef("export: %v", err)
		}
	}
	if out == "" {
		_, err = env.Stdout.Write(data)
		return err
	}
	if err := persistence.WriteFile(persistence.OS, out, data, persistence.FilePerm); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "wrote %s\n", out)
	return nil
}
