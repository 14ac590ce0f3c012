package cli

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/voicenotes/voicenotes/merge"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transcribe"
)

// runVersions lists a note's machine transcripts, oldest first.
func runVersions(env *Env, v *persistence.Vault, _ *flag.FlagSet, args []string) error {
	n, err := v.Note(args[0])
	if err != nil {
		return err
	}
	versions, err := transcribe.Versions(v, n)
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		fmt.Fprintf(env.Stdout, "%s has no transcript versions yet: they are kept from its next transcription on.\n", n.ID)
		return nil
	}
	for _, ver := range versions {
		made := ver.Engine
		if ver.Model != "" {
			made += " · " + ver.Model
		}
		if ver.Server != "" {
			made += " · " + ver.Server
		}
		if ver.Language != "" {
			made += " · " + ver.Language
		}
		current := ""
		if ver.Current {
			current = "  (the note's machine text)"
		}
		fmt.Fprintf(env.Stdout, "%3d  %s  %s  %d words%s\n", ver.N, ver.At.Local().Format("2006-01-02 15:04"), printable(made, false), len(strings.Fields(ver.Text)), current)
	}
	if c := len(merge.Find(n.Body)); c > 0 {
		fmt.Fprintf(env.Stdout, "\nThe note has %d place(s) marked ⟦yours: … ‖ new: …⟧ where you and the last transcript changed the same words: edit it (voicenotes edit %s) to keep one.\n", c, n.ID)
	}
	fmt.Fprintf(env.Stdout, "\nvoicenotes restore %s N makes version N the note's text; the files are in %s.\n", n.ID, v.HistoryDir(n.ID))
	return nil
}

// runRestore makes a version the note's text again.
func runRestore(env *Env, v *persistence.Vault, _ *flag.FlagSet, args []string) error {
	k, err := strconv.Atoi(args[1])
	if err != nil || k < 1 {
		return usagef("restore: VERSION is a number from voicenotes versions %s, not %q", args[0], args[1])
	}
	n, err := transcribe.Restore(v, args[0], k)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: transcript %d restored (%d words); the text it replaced is kept in %s\n", n.ID, k, len(strings.Fields(n.Body)), v.HistoryDir(n.ID))
	return nil
}
