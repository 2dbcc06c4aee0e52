package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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
