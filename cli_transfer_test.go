package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockbox/client/demo"
)

// startTransferServer runs the in-process FTPS server on a folder the test
// can look into, and returns its address, the folder and the certificate.
func startTransferServer(t *testing.T) (addr, root, caFile string, cert tls.Certificate) {
	t.Helper()
	cert, caFile = selfSignedFile(t)
	root = t.TempDir()
	for name, body := range map[string]string{"hello.txt": "hello\n", "sub/inner.bin": "\x00\x01\x02", "sub/deeper/x.txt": "x"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := demo.Start(demo.Config{Root: root, User: "alice", Password: demoPassword, TLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Addr, root, caFile, cert
}

// selfSignedFile makes a self-signed certificate for 127.0.0.1 and writes
// it as a PEM file for --ca.
func selfSignedFile(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	cert, err := demo.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "server.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, caFile
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

func TestCLITransfers(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	t.Setenv("LOCKBOX_PASSWORD", demoPassword)
	addr, root, ca, _ := startTransferServer(t)
	url := "ftpes://alice@" + addr
	local := t.TempDir()
	upDir := filepath.Join(t.TempDir(), "tree")
	os.MkdirAll(filepath.Join(upDir, "n1", "n2"), 0o755)
	os.WriteFile(filepath.Join(upDir, "top.txt"), []byte("top"), 0o644)
	os.WriteFile(filepath.Join(upDir, "n1", "n2", "leaf.txt"), []byte("leaf"), 0o644)
	os.WriteFile(filepath.Join(upDir, "empty.txt"), nil, 0o644)

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
		check      func(t *testing.T)
	}{
		{"get a file", []string{"get", "--ca", ca, url + "/hello.txt", "-o", filepath.Join(local, "h.txt")}, 0,
			[]string{"PASS ****", "1 file(s), 6 bytes"}, nil,
			func(t *testing.T) {
				if got := readFile(t, filepath.Join(local, "h.txt")); got != "hello\n" {
					t.Errorf("h.txt = %q", got)
				}
			}},
		{"get again: same size, skipped", []string{"get", "--ca", ca, url + "/hello.txt", "-o", filepath.Join(local, "h.txt")}, 0,
			[]string{"0 file(s), 0 bytes", "1 skipped"}, nil, nil},
		{"get --exists rename", []string{"get", "--ca", ca, "--exists", "rename", url + "/hello.txt", "-o", filepath.Join(local, "h.txt")}, 0,
			[]string{"1 file(s)"}, nil,
			func(t *testing.T) {
				if got := readFile(t, filepath.Join(local, "h (1).txt")); got != "hello\n" {
					t.Errorf("h (1).txt = %q", got)
				}
			}},
		{"get into a folder keeps the name", []string{"get", "--ca", ca, url + "/sub/inner.bin", "-o", local + "/"}, 0, nil, nil,
			func(t *testing.T) {
				if got := readFile(t, filepath.Join(local, "inner.bin")); got != "\x00\x01\x02" {
					t.Errorf("inner.bin = %q", got)
				}
			}},
		{"get a missing file", []string{"get", "--ca", ca, url + "/nope.txt", "-o", local + "/"}, 1, nil, []string{": nope.txt"},
			func(t *testing.T) {
				if _, err := os.Stat(filepath.Join(local, "nope.txt")); err == nil {
					t.Error("nope.txt was written")
				}
			}},
		{"get from an untrusted server", []string{"get", url + "/hello.txt", "-o", filepath.Join(local, "untrusted.txt")}, 3,
			[]string{"self-signed"}, []string{"not trusted"},
			func(t *testing.T) {
				if _, err := os.Stat(filepath.Join(local, "untrusted.txt")); err == nil {
					t.Error("a file was written")
				}
			}},
		{"get -r a tree", []string{"get", "-r", "--ca", ca, "--parallel", "3", url + "/sub", "-o", filepath.Join(local, "subcopy")}, 0,
			[]string{"2 file(s)"}, nil,
			func(t *testing.T) {
				if readFile(t, filepath.Join(local, "subcopy", "inner.bin")) != "\x00\x01\x02" || readFile(t, filepath.Join(local, "subcopy", "deeper", "x.txt")) != "x" {
					t.Error("tree not downloaded")
				}
			}},
		{"put a file into a folder", []string{"put", "--ca", ca, filepath.Join(local, "h.txt"), url + "/sub/"}, 0, []string{"1 file(s), 6 bytes"}, nil,
			func(t *testing.T) {
				if got := readFile(t, filepath.Join(root, "sub", "h.txt")); got != "hello\n" {
					t.Errorf("uploaded = %q", got)
				}
			}},
		{"put a file under a new name", []string{"put", "--ca", ca, filepath.Join(local, "h.txt"), url + "/renamed.txt"}, 0, nil, nil,
			func(t *testing.T) {
				if got := readFile(t, filepath.Join(root, "renamed.txt")); got != "hello\n" {
					t.Errorf("uploaded = %q", got)
				}
			}},
		{"put -r a tree", []string{"put", "-r", "--ca", ca, upDir, url + "/uptree"}, 0, []string{"3 file(s)"}, nil,
			func(t *testing.T) {
				if readFile(t, filepath.Join(root, "uptree", "n1", "n2", "leaf.txt")) != "leaf" || readFile(t, filepath.Join(root, "uptree", "empty.txt")) != "" {
					t.Error("tree not uploaded")
				}
			}},
		{"mkdir", []string{"mkdir", "--ca", ca, url + "/made"}, 0, nil, nil,
			func(t *testing.T) {
				if st, err := os.Stat(filepath.Join(root, "made")); err != nil || !st.IsDir() {
					t.Error("not made")
				}
			}},
		{"mv in the same folder", []string{"mv", "--ca", ca, url + "/renamed.txt", "moved.txt"}, 0, nil, nil,
			func(t *testing.T) {
				if readFile(t, filepath.Join(root, "moved.txt")) != "hello\n" {
					t.Error("not moved")
				}
			}},
		{"rm a file", []string{"rm", "--ca", ca, url + "/moved.txt"}, 0, nil, nil,
			func(t *testing.T) {
				if _, err := os.Stat(filepath.Join(root, "moved.txt")); err == nil {
					t.Error("not removed")
				}
			}},
		{"rm a missing file", []string{"rm", "--ca", ca, url + "/moved.txt"}, 1, nil, []string{"dele"}, nil},
		{"rm -r a tree", []string{"rm", "-r", "--ca", ca, url + "/uptree"}, 0, nil, nil,
			func(t *testing.T) {
				if _, err := os.Stat(filepath.Join(root, "uptree")); err == nil {
					t.Error("tree not removed")
				}
			}},
		{"no URL", []string{"get"}, 2, nil, []string{"need 1 argument"}, nil},
		{"parallel too high", []string{"get", "--parallel", "11", url + "/hello.txt"}, 2, nil, []string{"--parallel"}, nil},
		{"parallel zero", []string{"get", "--parallel", "0", url + "/hello.txt"}, 2, nil, []string{"--parallel"}, nil},
		{"bad policy", []string{"get", "--exists", "clobber", url + "/hello.txt"}, 2, nil, []string{"--exists"}, nil},
		{"-o with put", []string{"put", "-o", "x", upDir, url + "/x"}, 2, nil, []string{"-o is for get"}, nil},
		{"put a missing file", []string{"put", filepath.Join(local, "missing"), url + "/x"}, 2, nil, []string{"missing"}, nil},
		{"https put", []string{"put", upDir, "https://127.0.0.1/x"}, 2, nil, []string{"https://"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.args...)
			r.check(t, tc.wantCode, tc.wantStdout, tc.wantStderr)
			if strings.Contains(r.stdout+r.stderr, demoPassword) {
				t.Error("the password appears in the output")
			}
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
}

func TestCLITransferJSON(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	t.Setenv("LOCKBOX_PASSWORD", demoPassword)
	addr, _, ca, _ := startTransferServer(t)
	url := "ftpes://alice@" + addr
	dir := t.TempDir()
	tests := []struct {
		name                string
		args                []string
		code, files, failed int
		bytes               float64
		wantError           bool
	}{
		{"one file", []string{"get", "--json", "--ca", ca, url + "/hello.txt", "-o", dir + "/"}, 0, 1, 0, 6, false},
		{"a tree", []string{"get", "-r", "--json", "--ca", ca, url + "/sub", "-o", filepath.Join(dir, "t")}, 0, 2, 0, 4, false},
		{"a missing file", []string{"get", "--json", "--ca", ca, url + "/nope", "-o", dir + "/"}, 1, 0, 1, 0, false},
		{"untrusted", []string{"get", "--json", url + "/hello.txt", "-o", dir + "/"}, 3, 0, 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.stderr)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
			}
			for _, k := range []string{"files", "bytes", "seconds", "failed"} {
				if _, ok := m[k]; !ok {
					t.Errorf("JSON lacks %q: %s", k, r.stdout)
				}
			}
			failed, _ := m["failed"].([]any)
			if m["files"] != float64(tc.files) || m["bytes"] != tc.bytes || len(failed) != tc.failed || (m["error"] != nil) != tc.wantError {
				t.Errorf("JSON = %s", r.stdout)
			}
			for _, f := range failed {
				if fm := f.(map[string]any); fm["path"] == nil || fm["error"] == nil {
					t.Errorf("failure entry %v", fm)
				}
			}
		})
	}
}

func TestCLIGetHTTPS(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	cert, ca := selfSignedFile(t)
	body := bytes.Repeat([]byte("lockbox "), 10000)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "f.bin", testTime, bytes.NewReader(body))
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	ts.StartTLS()
	defer ts.Close()
	dir := t.TempDir()
	r := run(t, "get", "--ca", ca, ts.URL+"/f.bin", "-o", dir+"/")
	if r.code != 0 || !strings.Contains(r.stdout, "http_response") || !strings.Contains(r.stdout, "1 file(s)") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "f.bin")); !bytes.Equal(got, body) {
		t.Error("file differs")
	}
	if r := run(t, "get", ts.URL+"/f.bin", "-o", filepath.Join(dir, "g.bin")); r.code != 3 {
		t.Errorf("untrusted: exit %d", r.code)
	}
}

var testTime = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
