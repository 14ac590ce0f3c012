package transcribe

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/internal/tempdir"
	"github.com/voicenotes/voicenotes/internal/testchild"
)

const uploadChildEnv = "VOICENOTES_UPLOAD_BENCH_CHILD"

func init() { testchild.Register(uploadChildEnv, uploadChild) }

// uploadChild transcribes "path|url" with the OpenAI-compatible engine and
// prints its peak resident memory in kB (Linux).
func uploadChild(arg string) {
	path, url, _ := strings.Cut(arg, "|")
	o, err := NewOpenAI(Config{BaseURL: url, Model: "whisper-1", APIKey: "k"})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	if _, err := o.Transcribe(context.Background(), path, Options{}, nil); err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	// VmHWM, the peak of this image only: getrusage's ru_maxrss would
	// include the parent's memory, copied at fork, from before exec.
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			fmt.Println("maxrss", f[1])
			return
		}
	}
	fmt.Println("error no VmHWM")
	os.Exit(3)
}

// BenchmarkUploadHour transcribes an hour of recording (115 MB, sent as
// five 25 MB pieces) through a local server that reads every byte, in a
// child process whose peak memory is reported beside the file's size.
func BenchmarkUploadHour(b *testing.B) {
	path := filepath.Join(tempdir.New(b), "hour.wav")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	const seconds = 3600
	w := bufio.NewWriterSize(f, 1<<20)
	w.Write(audio.PCM16Header(audio.StoreRate, 1, 2*seconds*audio.StoreRate))
	for i := range seconds * audio.StoreRate {
		v := uint16(int16((i * 7919) % 20000))
		w.Write([]byte{byte(v), byte(v >> 8)})
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	var received atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		received.Add(n)
		fmt.Fprint(w, `{"text":"ok","segments":[]}`)
	}))
	defer srv.Close()
	var peakKB int64
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), uploadChildEnv+"="+path+"|"+srv.URL+"/v1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		fields := strings.Fields(string(out))
		if len(fields) < 2 || fields[0] != "maxrss" {
			b.Fatalf("child said %q", out)
		}
		kb, _ := strconv.ParseInt(fields[1], 10, 64)
		peakKB = max(peakKB, kb)
	}
	st, _ := os.Stat(path)
	if received.Load() < st.Size() {
		b.Fatalf("the server received %d bytes of a %d-byte recording", received.Load(), st.Size())
	}
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
	b.ReportMetric(float64(peakKB)/1024, "peak-rss-MB")
}
