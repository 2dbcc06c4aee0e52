package main

import (
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"lockbox/client/demo"
)

func TestCLICert(t *testing.T) {
	cert, err := demo.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile := filepath.Join(dir, "server.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	derFile := filepath.Join(dir, "server.der")
	os.WriteFile(derFile, cert.Certificate[0], 0o600)
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("-----BEGIN CERTIFICATE-----\nnot base64\n"), 0o600)
	empty := filepath.Join(dir, "empty.pem")
	os.WriteFile(empty, nil, 0o600)

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"self-signed PEM", []string{"cert", certFile}, 3, []string{"Not trusted", "INVALID", "Lockbox demo server", "SHA-256"}, nil},
		{"DER", []string{"cert", derFile}, 3, []string{"(DER)"}, nil},
		{"trusted with --ca", []string{"cert", "--ca", certFile, certFile}, 0, []string{"Trusted"}, nil},
		{"broken PEM", []string{"cert", garbage}, 1, nil, []string{"garbage.pem"}},
		{"empty file", []string{"cert", empty}, 1, nil, []string{"empty.pem"}},
		{"missing file", []string{"cert", filepath.Join(dir, "nope.pem")}, 1, nil, []string{"nope.pem"}},
		{"no file", []string{"cert"}, 2, nil, []string{"need exactly one certificate file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.args...)
			r.check(t, tc.wantCode, tc.wantStdout, tc.wantStderr)
		})
	}

	r := run(t, "cert", "--json", certFile)
	var out struct {
		Chain    []map[string]any `json:"chain"`
		Problems []map[string]any `json:"problems"`
		Trusted  bool             `json:"trusted"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	if len(out.Chain) != 1 || out.Chain[0]["self_signed"] != true || out.Trusted {
		t.Errorf("--json chain = %v, trusted = %v", out.Chain, out.Trusted)
	}
	if len(out.Problems) != 1 || out.Problems[0]["code"] != "self_signed" {
		t.Errorf("--json problems = %v", out.Problems)
	}
	for _, p := range out.Problems {
		if p["code"] == "hostname_mismatch" {
			t.Error("a file has no host name to mismatch")
		}
	}
}
