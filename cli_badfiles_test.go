package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/certfile"
)

// Every file Lockbox reads (CA file, client certificate and key, PKCS#12,
// the certificate a `cert` shows) that is empty, truncated, in the wrong
// format, protected by another password or enormous gives exit code 1 and
// an error naming the file and what is wrong with it, never a panic; and
// nothing is dialled (127.0.0.1:1 is never reached: the step is absent).
func TestCLIBadFiles(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	ca, cert, key := clientPKI(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string { return writeFile(t, dir, name, data) }
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	p12, err := pkcs12.Modern.Encode(key, cert, []*x509.Certificate{ca}, "right")
	if err != nil {
		t.Fatal(err)
	}
	p7, err := certfile.MarshalPKCS7(ca)
	if err != nil {
		t.Fatal(err)
	}
	p7Empty, err := certfile.MarshalPKCS7()
	if err != nil {
		t.Fatal(err)
	}
	// p7Deep opens like a signed-data bundle, then nests 10000 levels deep
	// with indefinite lengths; p7Enveloped is PKCS#7 enveloped data.
	signedData := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}
	p7Deep := append(append([]byte{0x30, 0x80}, signedData...), bytes.Repeat([]byte{0xa0, 0x80}, 10000)...)
	p7Enveloped := append([]byte{0x30, 0x0f}, signedData...)
	p7Enveloped[len(p7Enveloped)-1] = 0x03
	p7Enveloped = append(p7Enveloped, 0xa0, 0x02, 0x30, 0x00)
	goodCert := write("good.crt", certPEM)
	goodKey := write("good.key", keyPEM)
	t.Setenv("P12_WRONG", "wrong")
	t.Setenv("P12_RIGHT", "right")
	const url = "ftpes://127.0.0.1:1"

	type file struct {
		name string
		data []byte
	}
	tests := []struct {
		name string
		file file
		// args builds the command line around the bad file's path.
		args func(p string) []string
		want string
	}{
		{"CA file empty", file{"ca.pem", nil}, caArgs, "file is 0 bytes"},
		{"CA file truncated", file{"ca.pem", certPEM[:len(certPEM)/2]}, caArgs, "truncated or malformed PEM"},
		{"CA file is a key", file{"ca.pem", keyPEM}, caArgs, "no CERTIFICATE block found (found: PRIVATE KEY)"},
		{"CA file is garbage", file{"ca.der", []byte("\x00\x01garbage")}, caArgs, "neither PEM nor a DER certificate"},
		{"CA file enormous", file{"ca.pem", bytes.Repeat([]byte("A"), 9<<20)}, caArgs, "larger than 8 MiB"},
		{"CA file is a DER key", file{"ca.der", keyDER}, caArgs, "no certificate found: the file is a private key"},
		{"CA file is PKCS#12", file{"ca.p12", p12}, caArgs, "no certificate found: the file is a PKCS#12 file"},
		{"CA .p7b truncated", file{"ca.p7b", p7[:len(p7)/2]}, caArgs, "damaged PKCS#7 file"},
		{"CA .p7b deeply nested", file{"ca.p7b", p7Deep}, caArgs, "BER data nested too deeply"},
		{"CA .p7b of another type", file{"ca.p7b", p7Enveloped}, caArgs, "holds content of type 1.2.840.113549.1.7.3, not signed data with certificates"},
		{"CA .p7b without certificates", file{"ca.p7b", p7Empty}, caArgs, "the PKCS#7 file holds no certificates"},
		{"CA PEM PKCS7 block truncated", file{"ca.pem", pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7[:len(p7)-20]})}, caArgs, "PEM block 1 (PKCS7): damaged PKCS#7 file"},
		{"certificate empty", file{"c.crt", nil}, func(p string) []string { return []string{"inspect", "--cert", p, "--key", goodKey, url} }, "file is 0 bytes"},
		{"certificate truncated", file{"c.crt", certPEM[:len(certPEM)-40]}, func(p string) []string { return []string{"inspect", "--cert", p, "--key", goodKey, url} }, "truncated or malformed PEM"},
		{"certificate enormous", file{"c.crt", bytes.Repeat([]byte("A"), 2<<20)}, func(p string) []string { return []string{"inspect", "--cert", p, "--key", goodKey, url} }, "larger than 1 MiB"},
		{"key empty", file{"k.key", nil}, keyArgs(goodCert), "file is 0 bytes"},
		{"key truncated", file{"k.key", keyPEM[:len(keyPEM)/2]}, keyArgs(goodCert), "truncated or malformed PEM"},
		{"key is a certificate", file{"k.key", certPEM}, keyArgs(goodCert), "no PRIVATE KEY block found (found: CERTIFICATE)"},
		{"key enormous", file{"k.key", bytes.Repeat([]byte("A"), 2<<20)}, keyArgs(goodCert), "larger than 1 MiB"},
		{"PKCS#12 wrong password", file{"id.p12", p12}, p12Args("P12_WRONG"), "the password is wrong"},
		{"PKCS#12 truncated", file{"id.p12", p12[:len(p12)/2]}, p12Args("P12_RIGHT"), "not a PKCS#12 file, or a damaged one"},
		{"PKCS#12 empty", file{"id.p12", nil}, p12Args("P12_RIGHT"), "file is 0 bytes"},
		{"PKCS#12 is PEM", file{"id.p12", certPEM}, p12Args("P12_RIGHT"), "not a PKCS#12 file, or a damaged one"},
		{"PKCS#12 enormous", file{"id.p12", bytes.Repeat([]byte{0x30}, 2<<20)}, p12Args("P12_RIGHT"), "larger than 1 MiB"},
		{"cert: empty", file{"show.pem", nil}, certArgs, "the file is empty"},
		{"cert: truncated", file{"show.pem", certPEM[:len(certPEM)-40]}, certArgs, "truncated or malformed PEM"},
		{"cert: garbage", file{"show.bin", []byte{0, 1, 2, 0xff}}, certArgs, "not a certificate, PKCS#12 or PKCS#7 file"},
		{"cert: PKCS#12 wrong password", file{"show.p12", p12}, func(p string) []string { return []string{"cert", "--cert-password-env", "P12_WRONG", p} }, "password for the PKCS#12 file is wrong"},
		{"cert: enormous", file{"show.pem", bytes.Repeat([]byte("A"), 11<<20)}, certArgs, "larger than the 10 MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := write(tc.file.name, tc.file.data)
			r := run(t, tc.args(p)...)
			if r.code != exitFailure || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, p) {
				t.Errorf("exit %d (want 1); stderr lacks the file %s or %q:\n%s", r.code, p, tc.want, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, "tcp_connect") {
				t.Errorf("it connected despite the bad file:\n%s", r.stdout)
			}
		})
	}
}

func caArgs(p string) []string   { return []string{"inspect", "--ca", p, "ftpes://127.0.0.1:1"} }
func certArgs(p string) []string { return []string{"cert", p} }
func keyArgs(cert string) func(string) []string {
	return func(p string) []string { return []string{"inspect", "--cert", cert, "--key", p, "ftpes://127.0.0.1:1"} }
}
func p12Args(env string) func(string) []string {
	return func(p string) []string {
		return []string{"inspect", "--cert", p, "--cert-password-env", env, "ftpes://127.0.0.1:1"}
	}
}

// A damaged pins.json or tls_seen.json is set aside under a timestamped
// name (the command goes on, with a warning); one too large to be Lockbox's
// stops the command and stays where it is.
func TestCLIDamagedConfigFiles(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		content   []byte
		wantCode  int
		wantErr   string
		movedAway bool
	}{
		{"pins.json not JSON", "pins.json", []byte("{{{ not json"), 1, "warning: pins file", true},
		{"pins.json truncated", "pins.json", []byte(`{"version":1,"pins":[{"host_port":"a:1","sha`), 1, "warning: pins file", true},
		{"pins.json enormous", "pins.json", bytes.Repeat([]byte(" "), 17<<20), 1, "pin store: pins file", false},
		{"tls_seen.json not JSON", "tls_seen.json", []byte("\x00\x01\x02"), 1, "warning: TLS record", true},
		{"tls_seen.json wrong shape", "tls_seen.json", []byte(`{"version":1,"hosts":{}}`), 1, "warning: TLS record", true},
		{"tls_seen.json enormous", "tls_seen.json", bytes.Repeat([]byte(" "), 17<<20), 1, "downgrade check: TLS record", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := t.TempDir()
			t.Setenv("LOCKBOX_CONFIG_DIR", cfg)
			path := filepath.Join(cfg, tc.file)
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			r := run(t, "inspect", "ftpes://127.0.0.1:1")
			if r.code != tc.wantCode || !strings.Contains(r.stderr, tc.wantErr) || !strings.Contains(r.stderr, path) {
				t.Fatalf("exit %d (want %d), stderr lacks %q or %s:\n%s", r.code, tc.wantCode, tc.wantErr, path, r.stderr)
			}
			_, statErr := os.Stat(path)
			if tc.movedAway != (statErr != nil) {
				t.Fatalf("file still in place = %v, want %v", statErr == nil, !tc.movedAway)
			}
			if !tc.movedAway {
				return
			}
			aside := regexp.MustCompile(regexp.QuoteMeta(path) + `\.corrupt-\d{8}T\d{6}Z`).FindString(r.stderr)
			if kept, err := os.ReadFile(aside); aside == "" || err != nil || !bytes.Equal(kept, tc.content) {
				t.Fatalf("damaged file not kept aside intact (%q, %v):\n%s", aside, err, r.stderr)
			}
			if !strings.Contains(r.stdout+r.stderr, "tcp_connect") {
				t.Errorf("the command did not go on after setting the file aside:\n%s", r.stderr)
			}
		})
	}
}
