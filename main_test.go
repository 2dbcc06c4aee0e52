package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockbox/client/certfile"
	"lockbox/client/demo"
)

const demoPassword = "s3cret-Pa55"

// startServer runs the in-process FTPS server with a fresh self-signed
// certificate and returns its address and the certificate as a PEM file.
func startServer(t *testing.T) (addr, caFile string) {
	t.Helper()
	cert, err := demo.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "hello.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := demo.Start(demo.Config{Root: root, User: "alice", Password: demoPassword, TLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	caFile = filepath.Join(t.TempDir(), "server.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.Addr, caFile
}

type result struct {
	code           int
	stdout, stderr string
}

// expect checks that stdout and stderr contain the given texts.
func (r result) expect(t *testing.T, stdout, stderr []string) {
	t.Helper()
	for _, s := range stdout {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
		}
	}
	for _, s := range stderr {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
}

// check fails the test unless the command exited with code (the output
// it printed then says why), and checks its output as expect does.
func (r result) check(t *testing.T, code int, stdout, stderr []string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	r.expect(t, stdout, stderr)
}

// writeFile writes data to dir/name for a test and returns its path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runCLI(args, strings.NewReader(""), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

func TestCLIExitCodesAndOutput(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	addr, caFile := startServer(t)
	url := "ftpes://" + addr
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"self-signed is not trusted", []string{"inspect", url}, 3,
			[]string{"client_hello", "server_hello", "INVALID: The certificate signed itself", "Result: NOT trusted (untrusted)"}, []string{"certificate not trusted"}},
		{"flags after the URL", []string{"inspect", url, "--ca", caFile}, 0, []string{"Result: trusted (verified)"}, nil},
		{"TLS 1.2 only", []string{"inspect", "--ca", caFile, "--tls-max", "1.2", url}, 0, []string{"TLS: TLS 1.2", "server_key_exchange"}, nil},
		{"wrong name", []string{"inspect", "--ca", caFile, "--servername", "ftp.example.com", url}, 3, []string{"NOT trusted: wrong host name"}, nil},
		{"no URL", []string{"inspect"}, 2, nil, []string{"need exactly one URL"}},
		{"bad scheme", []string{"inspect", "gopher://x"}, 2, nil, []string{"unsupported scheme"}},
		{"bad TLS version", []string{"inspect", "--tls-min", "1.1", url}, 2, nil, []string{"use 1.2 or 1.3"}},
		{"unknown command", []string{"frobnicate"}, 2, nil, []string{"unknown command"}},
		{"broken CA file", []string{"inspect", "--ca", os.Args[0], url}, 1, nil, []string{"--ca"}},
		{"nothing listens", []string{"inspect", "ftpes://127.0.0.1:1"}, 1, []string{"tcp_connect"}, []string{"tcp_connect"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.args...)
			r.check(t, tc.wantCode, tc.wantStdout, tc.wantStderr)
		})
	}
}

// newTestCA makes a CA certificate and its key.
func newTestCA(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

// A .p7b CA bundle given as --ca, in DER, BER or PEM, makes a server whose
// certificate that CA signed trusted, without the system roots.
func TestCLICABundleFormats(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	ca, caKey := newTestCA(t, "CLI P7 Root")
	other, _ := newTestCA(t, "CLI P7 Other Root")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "p7 server"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := demo.Start(demo.Config{Root: t.TempDir(), User: "alice", Password: demoPassword,
		TLS: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: key}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	url := "ftpes://" + srv.Addr

	bundle, err := certfile.MarshalPKCS7(other, ca)
	if err != nil {
		t.Fatal(err)
	}
	otherOnly, err := certfile.MarshalPKCS7(other)
	if err != nil {
		t.Fatal(err)
	}
	// The same bundle with an indefinite length on its outer SEQUENCE.
	ber := append(append([]byte{0x30, 0x80}, bundle[2+int(bundle[1]&0x7f):]...), 0, 0)
	tests := []struct {
		name, file string
		data       []byte
		wantCode   int
		wantStdout string
	}{
		{"PKCS#7 DER", "roots.p7b", bundle, 0, "Result: trusted (verified)"},
		{"PKCS#7 BER", "roots.p7c", ber, 0, "Result: trusted (verified)"},
		{"PKCS#7 PEM", "roots.p7b.pem", pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: bundle}), 0, "Result: trusted (verified)"},
		{"PKCS#7 without the server's CA", "other.p7b", otherOnly, 3, "Result: NOT trusted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tc.file)
			if err := os.WriteFile(p, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			r := run(t, "inspect", "--no-system-roots", "--ca", p, url)
			if r.code != tc.wantCode || !strings.Contains(r.stdout, tc.wantStdout) {
				t.Errorf("exit %d (want %d), stdout lacks %q:\n%s\n%s", r.code, tc.wantCode, tc.wantStdout, r.stdout, r.stderr)
			}
		})
	}
}

func TestCLIInspectJSONSchema(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	addr, _ := startServer(t)
	r := run(t, "inspect", "--json", "ftpes://"+addr)
	if r.code != 3 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
	}
	for _, k := range []string{"url", "address", "steps", "tls", "client_certificate", "chain", "problems", "trusted", "trust"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if m["trust"] != "untrusted" || m["trusted"] != false {
		t.Errorf("trust = %v/%v", m["trust"], m["trusted"])
	}
	step := m["steps"].([]any)[0].(map[string]any)
	for _, k := range []string{"at_ms", "dir", "step", "summary", "explain"} {
		if _, ok := step[k]; !ok {
			t.Errorf("step lacks %q: %v", k, step)
		}
	}
	chain := m["chain"].([]any)[0].(map[string]any)
	for _, k := range []string{"level", "subject", "issuer", "serial", "not_before", "not_after", "dns_names", "ip_addresses", "public_key", "signature_algorithm", "sha256", "self_signed", "is_ca"} {
		if _, ok := chain[k]; !ok {
			t.Errorf("chain entry lacks %q", k)
		}
	}
	problem := m["problems"].([]any)[0].(map[string]any)
	if problem["code"] != "self_signed" || problem["field"] != "issuer" || problem["severity"] != "error" || problem["level"] != 0.0 {
		t.Errorf("problem = %v", problem)
	}
	if cc := m["client_certificate"].(map[string]any); cc["requested"] != false || cc["sent"] != nil {
		t.Errorf("client_certificate = %v", cc)
	}
}

func TestCLIAcceptPinsThenTrusts(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LOCKBOX_CONFIG_DIR", dir)
	addr, _ := startServer(t)
	if r := run(t, "inspect", "--accept", "ftpes://"+addr); r.code != 0 || !strings.Contains(r.stdout, "trust_decision") {
		t.Fatalf("--accept: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	pins, err := os.ReadFile(filepath.Join(dir, "pins.json"))
	if err != nil || !strings.Contains(string(pins), addr) {
		t.Fatalf("pins.json: %v %s", err, pins)
	}
	r := run(t, "inspect", "--json", "ftpes://"+addr)
	if r.code != 0 || !strings.Contains(r.stdout, `"trust": "pinned"`) {
		t.Errorf("after pinning: exit %d\n%s", r.code, r.stdout)
	}
}

func TestCLIListNeverPrintsPassword(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	addr, caFile := startServer(t)
	t.Setenv("LOCKBOX_PASSWORD", demoPassword)
	for _, args := range [][]string{
		{"ls", "--ca", caFile, "ftpes://alice@" + addr + "/"},
		{"ls", "--json", "--ca", caFile, "ftpes://alice@" + addr + "/"},
		{"ls", "--ca", caFile, "ftpes://alice:" + demoPassword + "@" + addr + "/"},
	} {
		r := run(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "hello.txt") || !strings.Contains(r.stdout, "PASS ****") {
			t.Errorf("%v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, demoPassword) {
			t.Errorf("%v: the password appears in the output", args)
		}
	}

	t.Setenv("LOCKBOX_PASSWORD", "not-the-password")
	r := run(t, "ls", "--ca", caFile, "ftpes://alice@"+addr+"/")
	if r.code != 1 || !strings.Contains(r.stderr, "login") || !strings.Contains(r.stderr, "530") {
		t.Errorf("wrong password: exit %d, stderr %s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "not-the-password") {
		t.Error("the wrong password appears in the output")
	}
}
