package trust

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoadCAFiles(t *testing.T) {
	ca1 := newCA(t, "Root One")
	ca2 := newCA(t, "Root Two")
	bundle := append(append([]byte("# comment\n"), ca1.CertPEM()...), ca1.KeyPEM()...)
	bundle = append(bundle, ca2.CertPEM()...)
	truncated := ca2.CertPEM()[:len(ca2.CertPEM())/2]

	tests := []struct {
		name    string
		content []byte
		want    []string
		wantErr string
	}{
		{"PEM bundle, key block ignored", bundle, []string{"Root One", "Root Two"}, ""},
		{"single DER", ca1.Cert.Raw, []string{"Root One"}, ""},
		{"concatenated DER", append(append([]byte{}, ca1.Cert.Raw...), ca2.Cert.Raw...), []string{"Root One", "Root Two"}, ""},
		{"empty", nil, nil, "file is 0 bytes"},
		{"garbage", []byte("hello, this is not a certificate"), nil, "neither PEM nor a DER certificate"},
		{"only a key", ca1.KeyPEM(), nil, "no CERTIFICATE block found (found: PRIVATE KEY)"},
		{"truncated PEM", append(ca1.CertPEM(), truncated...), nil, "truncated or malformed PEM: 2 blocks begin but only 1 are complete"},
		{"damaged block between good ones", append(append(append([]byte{}, ca1.CertPEM()...), []byte("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n")...), ca2.CertPEM()...), nil, "3 blocks begin but only 2 are complete"},
		{"bad certificate in PEM", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), nil, "PEM block 1"},
		{"enormous", bytes.Repeat([]byte{'A'}, maxCAFileSize+1), nil, "larger than 8 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ca.pem")
			if err := os.WriteFile(path, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			certs, err := LoadCAFiles([]string{path})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("error = %v, want one naming %s and containing %q", err, path, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadCAFiles: %v", err)
			}
			var got []string
			for _, c := range certs {
				got = append(got, c.Subject.CommonName)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("loaded %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoadCAFilesMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.pem")
	if _, err := LoadCAFiles([]string{path}); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("error = %v, want one naming %s", err, path)
	}
}

func TestRootPool(t *testing.T) {
	ca := newCA(t, "Private Root")
	leaf := newLeaf(t, "ftp.internal", ca)
	tests := []struct {
		name          string
		extra         []*x509.Certificate
		noSystemRoots bool
		wantVerified  bool
	}{
		{"system plus extra", []*x509.Certificate{ca.Cert}, false, true},
		{"only extra", []*x509.Certificate{ca.Cert, nil}, true, true},
		{"no roots at all", nil, true, false},
		{"system roots only", nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, err := RootPool(tt.extra, tt.noSystemRoots)
			if err != nil && !tt.noSystemRoots {
				t.Skipf("no system roots on this machine: %v", err)
			}
			if err != nil {
				t.Fatalf("RootPool: %v", err)
			}
			_, verr := leaf.Cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: "ftp.internal"})
			if (verr == nil) != tt.wantVerified {
				t.Fatalf("verify error = %v, want verified=%v", verr, tt.wantVerified)
			}
		})
	}
}

func TestRootPoolKeepsSystemRoots(t *testing.T) {
	sys, err := x509.SystemCertPool()
	if err != nil {
		t.Skipf("no system roots: %v", err)
	}
	with, err := RootPool([]*x509.Certificate{newCA(t, "Extra").Cert}, false)
	if err != nil {
		t.Fatal(err)
	}
	without, err := RootPool(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if sys.Equal(without) && !sys.Equal(x509.NewCertPool()) {
		t.Fatal("noSystemRoots pool still holds the system roots")
	}
	if with.Equal(sys) {
		t.Fatal("extra root was not added to the system pool")
	}
}
