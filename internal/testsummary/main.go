// Command testsummary reads `go test -json` and prints what a person
// running make test needs: each package's result as go test prints it,
// the whole output of every test that failed, and at the end every test
// that was skipped, with its reason. A skip is a test that did not run:
// on a machine that has every component (CI here) there must be none,
// and a count that says so is the only way to know.
//
// It exits 1 when a test or package failed or the input ended early, and
// also, with -no-skips, when any test was skipped.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of test2json.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	noSkips := flag.Bool("no-skips", false, "fail when a test was skipped")
	flag.Parse()
	os.Exit(summarize(os.Stdin, os.Stdout, *noSkips))
}

type key struct{ pkg, test string }

func summarize(in io.Reader, out io.Writer, noSkips bool) int {
	output := map[key][]string{} // a test's output until it ends
	var skipped []string
	failed, packages := 0, 0
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(out, sc.Text()) // the build's own words: not JSON
			continue
		}
		k := key{e.Package, e.Test}
		switch e.Action {
		case "output":
			output[k] = append(output[k], e.Output)
			if e.Test == "" && !strings.HasPrefix(e.Output, "=== ") && !strings.HasPrefix(e.Output, "--- ") &&
				e.Output != "PASS\n" && e.Output != "FAIL\n" && !strings.HasPrefix(e.Output, "ok  \t") && !strings.HasPrefix(e.Output, "FAIL\t") && !strings.HasPrefix(e.Output, "?   \t") {
				// A package's own lines (a build failure, a log before the
				// tests) as they come.
				fmt.Fprint(out, e.Output)
			}
		case "pass":
			if e.Test == "" {
				packages++
				fmt.Fprintf(out, "ok  \t%s\t%.3fs\n", e.Package, e.Elapsed)
			}
			delete(output, k)
		case "skip":
			if e.Test == "" {
				packages++
				fmt.Fprintf(out, "?   \t%s\t[no test files]\n", e.Package)
			} else {
				skipped = append(skipped, fmt.Sprintf("%s %s: %s", e.Package, e.Test, reason(output[k])))
			}
			delete(output, k)
		case "fail":
			failed++
			if e.Test != "" {
				fmt.Fprintf(out, "--- FAIL: %s (%s)\n", e.Test, e.Package)
				fmt.Fprint(out, strings.Join(output[k], ""))
			} else {
				packages++
				// Tests of the package that never ended: a timeout's panic
				// (which test was running, every goroutine) is theirs.
				var unended []key
				for o := range output {
					if o.pkg == e.Package && o.test != "" {
						unended = append(unended, o)
					}
				}
				sort.Slice(unended, func(i, j int) bool { return unended[i].test < unended[j].test })
				for _, o := range unended {
					lines := output[o]
					fmt.Fprintf(out, "--- UNFINISHED: %s (%s)\n", o.test, o.pkg)
					if len(lines) > maxUnended {
						fmt.Fprintf(out, "[%d lines before these]\n", len(lines)-maxUnended)
						lines = lines[len(lines)-maxUnended:]
					}
					fmt.Fprint(out, strings.Join(lines, ""))
					delete(output, o)
				}
				fmt.Fprintf(out, "FAIL\t%s\t%.3fs\n", e.Package, e.Elapsed)
			}
			delete(output, k)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(out, "testsummary: reading the test output: %v\n", err)
		failed++
	}
	sort.Strings(skipped)
	fmt.Fprintf(out, "\n%d packages, %d failures, %d tests skipped\n", packages, failed, len(skipped))
	for _, s := range skipped {
		fmt.Fprintf(out, "  skipped: %s\n", s)
	}
	if failed > 0 || noSkips && len(skipped) > 0 {
		return 1
	}
	return 0
}

// maxUnended bounds what is printed of a test that never ended (a
// timeout's goroutine dump can run to thousands of lines).
const maxUnended = 3000

// reason is what a skipped test said: its output, less the lines go test
// adds.
func reason(lines []string) string {
	var said []string
	for _, l := range lines {
		if strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		said = append(said, strings.TrimSpace(l))
	}
	if len(said) == 0 {
		return "(no reason given)"
	}
	return strings.Join(said, " ")
}
