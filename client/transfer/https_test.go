package transfer

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"lockbox/client"
	"lockbox/client/internal/enginetest"
	"lockbox/client/trace"
)

// httpsFiles serves content at /file.bin with Range support
// (http.ServeContent), or ignoring Range, or cutting the body half-way.
type httpsFiles struct {
	content []byte
	modTime time.Time

	mu       sync.Mutex
	mode     string // "range", "no-range", "cut", "404", "redirect"
	requests []string
}

func (h *httpsFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	mode := h.mode
	h.requests = append(h.requests, r.Method+" "+r.URL.Path+" range="+r.Header.Get("Range"))
	h.mu.Unlock()
	switch mode {
	case "404":
		http.NotFound(w, r)
	case "redirect":
		http.Redirect(w, r, "https://elsewhere.example/file.bin", http.StatusFound)
	case "no-range":
		w.Header().Set("Content-Length", itoa(len(h.content)))
		w.Write(h.content)
	case "cut":
		w.Header().Set("Content-Length", itoa(len(h.content)))
		w.Write(h.content[:len(h.content)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection breaks mid-body
	default:
		http.ServeContent(w, r, "file.bin", h.modTime, bytes.NewReader(h.content))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func (h *httpsFiles) set(mode string) {
	h.mu.Lock()
	h.mode, h.requests = mode, nil
	h.mu.Unlock()
}

func (h *httpsFiles) last() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.requests) == 0 {
		return ""
	}
	return h.requests[len(h.requests)-1]
}

func TestGetHTTPSResumeAndFallbacks(t *testing.T) {
	p := enginetest.NewPKI(t)
	files := &httpsFiles{content: enginetest.RandomBytes(1<<20+123, 5), modTime: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
	ts := enginetest.ServeHTTPS(t, files, p.Leaf, p.Inter)
	tg := mustTarget(t, ts.URL+"/file.bin")
	opts := client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true}
	half := files.content[:len(files.content)/2]

	tests := []struct {
		name      string
		mode      string
		part      []byte // a .lockbox-part file left by an earlier attempt
		existing  []byte // the target already there
		policy    ExistsPolicy
		wantErr   string // a step name, "" for success
		wantRange string
		wantMoved int
		skipped   bool
	}{
		{"fresh", "range", nil, nil, "", "", "range=", len(files.content), false},
		{"resume with 206", "range", half, nil, "", "", "range=bytes=" + itoa(len(half)) + "-", len(files.content) - len(half), false},
		{"server ignores Range: 200, whole file", "no-range", half, nil, "", "", "range=bytes=" + itoa(len(half)) + "-", len(files.content), false},
		{"complete part: 416, renamed", "range", files.content, nil, "", "", "range=bytes=" + itoa(len(files.content)) + "-", 0, false},
		{"overwrite ignores the part", "range", half, nil, ExistsOverwrite, "", "range=", len(files.content), false},
		{"same size already there: skipped", "range", nil, files.content, "", "", "range=", 0, true},
		{"skip policy", "range", nil, []byte("old"), ExistsSkip, "", "", 0, true},
		{"connection cut", "cut", nil, nil, "", "http_body", "range=", len(half), false},
		{"not found", "404", nil, nil, "", "http_response", "range=", 0, false},
		{"redirect is not followed", "redirect", nil, nil, "", "http_response", "range=", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.part != nil {
				os.WriteFile(filepath.Join(dir, "f.bin"+PartSuffix), tc.part, 0o644)
			}
			if tc.existing != nil {
				os.WriteFile(filepath.Join(dir, "f.bin"), tc.existing, 0o644)
			}
			files.set(tc.mode)
			var log enginetest.StepLog
			o := opts
			o.Observer = &log
			var events int
			report, pr, err := GetHTTPS(bg, tg, o, HTTPSGetOptions{LocalRoot: dir, Local: "f.bin", Exists: tc.policy,
				Observer: func(Progress) { events++ }})
			if tc.wantErr != "" {
				var se *client.StepError
				if !errors.As(err, &se) || se.Step != tc.wantErr {
					t.Fatalf("err = %v, want step %s", err, tc.wantErr)
				}
				if _, err := os.Stat(filepath.Join(dir, "f.bin")); err == nil {
					t.Error("a failed download has the final name")
				}
			} else if err != nil {
				t.Fatalf("get: %v", err)
			}
			if got := files.last(); tc.wantRange != "" && !strings.HasSuffix(got, tc.wantRange) {
				t.Errorf("request %q, want %s", got, tc.wantRange)
			}
			if pr.Moved != int64(tc.wantMoved) || pr.Skipped != tc.skipped || events < 2 {
				t.Errorf("progress %+v after %d events", pr, events)
			}
			if tc.policy == ExistsSkip && tc.skipped {
				if len(report.Steps) != 0 {
					t.Errorf("a skipped file made a connection: %v", enginetest.Names(report.Steps, ""))
				}
				return
			}
			if !report.Trusted || report.TLS == nil {
				t.Errorf("trust %s, TLS %+v", report.Trust, report.TLS)
			}
			if tc.wantErr != "" {
				return
			}
			if resp, ok := trace.Find(report.Steps, "https", "http_response"); !ok || resp.Summary == "" {
				t.Errorf("no http_response step: %v", enginetest.Names(report.Steps, "https"))
			}
			got, err := os.ReadFile(filepath.Join(dir, "f.bin"))
			if err != nil || !bytes.Equal(got, files.content) {
				t.Fatalf("file differs (%v)", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "f.bin"+PartSuffix)); err == nil {
				t.Error("part file left")
			}
			if st, _ := os.Stat(filepath.Join(dir, "f.bin")); pr.Moved > 0 && tc.mode == "range" && !st.ModTime().Equal(files.modTime) {
				t.Errorf("time %v, want Last-Modified %v", st.ModTime(), files.modTime)
			}
		})
	}

	// A cut download resumes to the identical file.
	dir := t.TempDir()
	files.set("cut")
	if _, _, err := GetHTTPS(bg, tg, opts, HTTPSGetOptions{LocalRoot: dir, Local: "f.bin"}); err == nil {
		t.Fatal("the cut download succeeded")
	}
	files.set("range")
	if _, pr, err := GetHTTPS(bg, tg, opts, HTTPSGetOptions{LocalRoot: dir, Local: "f.bin"}); err != nil || pr.Moved >= int64(len(files.content)) {
		t.Fatalf("resume: %v, moved %d", err, pr.Moved)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "f.bin")); !bytes.Equal(got, files.content) {
		t.Fatal("resumed file differs")
	}
}

func TestGetHTTPSUntrustedWritesNothing(t *testing.T) {
	files := &httpsFiles{content: []byte("secret"), mode: "range"}
	ts := enginetest.ServeHTTPS(t, files, enginetest.SelfSigned(t))
	dir := filepath.Join(t.TempDir(), "dl")
	report, pr, err := GetHTTPS(bg, mustTarget(t, ts.URL+"/file.bin"), client.Options{Pins: enginetest.PinStore(t)}, HTTPSGetOptions{LocalRoot: dir, Local: "f.bin"})
	if !client.IsTrustFailure(err) || report.Trusted || pr.State != StateFailed {
		t.Fatalf("err = %v, trusted %v, state %s", err, report.Trusted, pr.State)
	}
	if got, _ := readTree(t, dir); len(got) != 0 {
		t.Errorf("files written: %v", got)
	}
	if len(report.Chain) != 1 || len(files.requests) != 0 {
		t.Errorf("chain %d, requests %v", len(report.Chain), files.requests)
	}
}

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in           string
		start, total int64
		ok           bool
	}{
		{"bytes 100-199/200", 100, 200, true},
		{"bytes 0-0/1", 0, 1, true},
		{"bytes 5-9/*", 5, -1, true},
		{"bytes 100-199/150", 0, 0, false},
		{"bytes 9-5/20", 0, 0, false},
		{"items 1-2/3", 0, 0, false},
		{"bytes */200", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tc := range tests {
		start, total, ok := parseContentRange(tc.in)
		if ok != tc.ok || ok && (start != tc.start || total != tc.total) {
			t.Errorf("parseContentRange(%q) = %d, %d, %v", tc.in, start, total, ok)
		}
	}
	if contentRangeTotal("bytes */200") != 200 || contentRangeTotal("bytes 1-2/3") != -1 {
		t.Error("contentRangeTotal")
	}
}
