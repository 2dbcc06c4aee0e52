package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCLISync(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	t.Setenv("LOCKBOX_PASSWORD", demoPassword)
	addr, root, ca, _ := startTransferServer(t)
	url := "ftpes://alice@" + addr + "/"
	local := t.TempDir()
	old := time.Now().Add(-72 * time.Hour).Truncate(time.Second)
	for name, body := range map[string]string{"new.txt": "new", "keep/a.txt": "aaa", "skip.tmp": "tmp"} {
		p := filepath.Join(local, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
		os.Chtimes(p, old, old)
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := runCLI(append([]string{"sync", "--ca", ca}, args...), nil, &out, &errb)
		return code, out.String(), errb.String()
	}
	type planJSON struct {
		DryRun  bool `json:"dry_run"`
		Actions []struct {
			Op     string `json:"op"`
			Path   string `json:"path"`
			Reason string `json:"reason"`
		} `json:"actions"`
	}
	ops := func(t *testing.T, out string) []string {
		t.Helper()
		var p planJSON
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatalf("JSON: %v\n%s", err, out)
		}
		var got []string
		for _, a := range p.Actions {
			if a.Reason == "" {
				t.Errorf("%s %s has no reason", a.Op, a.Path)
			}
			got = append(got, a.Op+" "+a.Path)
		}
		return got
	}
	tests := []struct {
		name  string
		args  []string
		code  int
		want  []string // ops, from --json
		check func(t *testing.T)
	}{
		{"dry run changes nothing", []string{"--json", "--dry-run", "--exclude", "*.tmp", "--delete", local, url}, 0,
			[]string{"mkdir-remote keep", "upload keep/a.txt", "upload new.txt", "delete-remote hello.txt", "delete-remote sub/deeper/x.txt", "delete-remote sub/inner.bin", "delete-remote sub/deeper", "delete-remote sub"},
			func(t *testing.T) {
				if _, err := os.Stat(filepath.Join(root, "new.txt")); err == nil {
					t.Error("dry run uploaded")
				}
				if _, err := os.Stat(filepath.Join(root, "hello.txt")); err != nil {
					t.Error("dry run deleted")
				}
			}},
		{"save a profile and run it", []string{"--json", "--exclude", "*.tmp", "--save-profile", "nightly", local, url}, 0,
			[]string{"mkdir-remote keep", "upload keep/a.txt", "upload new.txt"},
			func(t *testing.T) {
				if got := readFile(t, filepath.Join(root, "keep", "a.txt")); got != "aaa" {
					t.Errorf("server has %q", got)
				}
				if _, err := os.Stat(filepath.Join(root, "skip.tmp")); err == nil {
					t.Error("an excluded file was uploaded")
				}
			}},
		{"the profile again does nothing", []string{"--json", "--profile", "nightly"}, 0, nil, nil},
		{"profiles are listed", []string{"--profiles"}, 0, nil, nil},
		{"unknown profile", []string{"--profile", "nope"}, 2, nil, nil},
		{"bad direction", []string{"--direction", "sideways", local, url}, 2, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, out, errOut)
			}
			if tc.name == "profiles are listed" {
				if !strings.Contains(out, "nightly: "+local) || !strings.Contains(out, "--verify") || strings.Contains(out, demoPassword) {
					t.Errorf("profiles:\n%s", out)
				}
				return
			}
			if code == 0 {
				got := ops(t, out)
				if strings.Join(got, "|") != strings.Join(tc.want, "|") {
					t.Errorf("actions\n got %q\nwant %q", got, tc.want)
				}
			}
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
}

// lineWriter is an io.Writer safe for two goroutines that hands over each
// line written.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line) // not a whole line yet
			return len(p), nil
		}
		w.lines <- line
	}
}

// TestCLISyncWatchStopsOnInterrupt runs sync --watch, waits for its first
// pass, sends the process Ctrl+C (SIGINT) and expects the command to end
// by itself with exit status 0 and no error.
func TestCLISyncWatchStopsOnInterrupt(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	t.Setenv("LOCKBOX_PASSWORD", demoPassword)
	addr, root, ca, _ := startTransferServer(t)
	local := t.TempDir()
	os.WriteFile(filepath.Join(local, "up.txt"), []byte("up"), 0o644)
	stdout := &lineWriter{lines: make(chan string, 100)}
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- runCLI([]string{"sync", "--ca", ca, "--watch", "--json", local, "ftpes://alice@" + addr + "/"}, nil, stdout, &stderr)
	}()
	deadline := time.After(30 * time.Second)
	var first strings.Builder
	for !strings.HasPrefix(first.String(), "{") || !strings.HasSuffix(first.String(), "\n}\n") {
		select {
		case line := <-stdout.lines: // the first pass: Ctrl+C is being listened for
			first.WriteString(line)
		case c := <-code:
			t.Fatalf("sync --watch ended by itself with %d: %s", c, stderr.String())
		case <-deadline:
			t.Fatalf("no first pass: %s", first.String())
		}
	}
	if !strings.Contains(first.String(), `"upload"`) {
		t.Errorf("first pass: %s", first.String())
	}
	if got := readFile(t, filepath.Join(root, "up.txt")); got != "up" {
		t.Errorf("server has %q", got)
	}
	self, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := self.Signal(os.Interrupt); err != nil {
		t.Fatalf("Ctrl+C: %v", err)
	}
	select {
	case c := <-code:
		if c != 0 || stderr.Len() > 0 {
			t.Errorf("after Ctrl+C: exit %d, stderr %q; want 0 and nothing", c, stderr.String())
		}
	case <-deadline:
		t.Fatal("sync --watch did not stop on Ctrl+C")
	}
}
