package main

import (
	"strings"
	"testing"
)

// TestSummary: passes and failures as go test prints them, a failed
// test's output in full, and every skip counted with its reason; the
// exit status says whether anything failed (or, asked, was skipped).
func TestSummary(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"run","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0.1}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"=== RUN   TestB\n"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:9: pulseaudio is not installed\n"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"--- SKIP: TestB (0.00s)\n"}`,
		`{"Action":"skip","Package":"p","Test":"TestB"}`,
		`{"Action":"pass","Package":"p","Elapsed":1.5}`,
		`{"Action":"output","Package":"q","Test":"TestC","Output":"    c_test.go:3: got 1, want 2\n"}`,
		`{"Action":"fail","Package":"q","Test":"TestC"}`,
		`{"Action":"fail","Package":"q","Elapsed":0.2}`,
	}, "\n")
	var out strings.Builder
	if code := summarize(strings.NewReader(in), &out, false); code != 1 {
		t.Errorf("a failure: exit %d", code)
	}
	for _, want := range []string{"ok  \tp\t1.500s", "--- FAIL: TestC (q)", "got 1, want 2", "FAIL\tq", "2 packages, 2 failures, 1 tests skipped", "skipped: p TestB: b_test.go:9: pulseaudio is not installed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, out.String())
		}
	}
	passing := strings.Join(strings.Split(in, "\n")[:8], "\n")
	if code := summarize(strings.NewReader(passing), &out, false); code != 0 {
		t.Errorf("all passed, one skipped: exit %d", code)
	}
	if code := summarize(strings.NewReader(passing), &out, true); code != 1 {
		t.Errorf("a skip with -no-skips: exit %d", code)
	}
}

// TestTimeoutSaysWhichTestHung: when go test's timeout ends a package,
// test2json gives the panic (which test was running, every goroutine) to
// the test that never ended, and no "fail" to that test: its output is
// printed with the package's failure, not lost.
func TestTimeoutSaysWhichTestHung(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"run","Package":"hang","Test":"TestHangs"}`,
		`{"Action":"output","Package":"hang","Test":"TestHangs","Output":"=== RUN   TestHangs\n"}`,
		`{"Action":"output","Package":"hang","Test":"TestHangs","Output":"panic: test timed out after 10m0s\n"}`,
		`{"Action":"output","Package":"hang","Test":"TestHangs","Output":"hang.TestHangs(0x24e464a38488?)\n"}`,
		`{"Action":"output","Package":"hang","Output":"FAIL\thang\t600.023s\n"}`,
		`{"Action":"fail","Package":"hang","Elapsed":600.024}`,
	}, "\n")
	var out strings.Builder
	if code := summarize(strings.NewReader(in), &out, false); code != 1 {
		t.Errorf("a timeout: exit %d", code)
	}
	for _, want := range []string{"--- UNFINISHED: TestHangs (hang)", "panic: test timed out after 10m0s", "hang.TestHangs(", "FAIL\thang"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, out.String())
		}
	}
}
