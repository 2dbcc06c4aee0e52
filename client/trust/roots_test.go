package trust

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/certfile"
)

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// p7b is a certificates-only PKCS#7 bundle of certs, as a .p7b file holds.
func p7b(t *testing.T, certs ...*x509.Certificate) []byte {
	t.Helper()
	b, err := certfile.MarshalPKCS7(certs...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// p7bBER is bundle with indefinite lengths on its two outer levels, as
// some Windows and Java tools write it.
func p7bBER(t *testing.T, bundle []byte) []byte {
	t.Helper()
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(bundle, &ci); err != nil {
		t.Fatal(err)
	}
	oid, err := asn1.Marshal(ci.Type)
	if err != nil {
		t.Fatal(err)
	}
	out := append(append([]byte{0x30, 0x80}, oid...), 0xa0, 0x80)
	return append(append(out, ci.Content.Bytes...), 0, 0, 0, 0)
}

func p7PEM(der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: der}) }

func TestLoadCAFiles(t *testing.T) {
	ca1 := newCA(t, "Root One")
	ca2 := newCA(t, "Root Two")
	bundle := append(append([]byte("# comment\n"), ca1.CertPEM()...), ca1.KeyPEM()...)
	bundle = append(bundle, ca2.CertPEM()...)
	truncated := ca2.CertPEM()[:len(ca2.CertPEM())/2]
	both := p7b(t, ca1.Cert, ca2.Cert)
	keyBlock, _ := pem.Decode(ca1.KeyPEM())
	trustStore, err := pkcs12.Modern.WithIterations(1).EncodeTrustStore([]*x509.Certificate{ca1.Cert}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	// envelope is a ContentInfo of type oid holding an empty SEQUENCE.
	envelope := func(oid asn1.ObjectIdentifier) []byte {
		der, err := asn1.Marshal(oid)
		if err != nil {
			t.Fatal(err)
		}
		der = append(der, 0xa0, 0x02, 0x30, 0x00)
		return append([]byte{0x30, byte(len(der))}, der...)
	}
	// deepBER opens like a signed-data bundle, then nests 5000 levels deep.
	deepBER := append([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}, bytes.Repeat([]byte{0xa0, 0x80}, 5000)...)

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
		{"text without BEGIN", []byte("MIIB this was pasted without its armour\n"), nil, "the file is text without a -----BEGIN line"},
		{"DER private key", keyBlock.Bytes, nil, "no certificate found: the file is a private key"},
		{"PKCS#12 trust store", trustStore, nil, "no certificate found: the file is a PKCS#12 file"},

		{"PKCS#7 DER (.p7b)", both, []string{"Root One", "Root Two"}, ""},
		{"PKCS#7 BER", p7bBER(t, both), []string{"Root One", "Root Two"}, ""},
		{"PKCS#7 PEM", p7PEM(p7b(t, ca2.Cert)), []string{"Root Two"}, ""},
		{"PKCS#7 PEM labelled CMS", pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: p7b(t, ca1.Cert)}), []string{"Root One"}, ""},
		{"PEM mixing CERTIFICATE and PKCS7", append(append(ca1.CertPEM(), p7PEM(p7b(t, ca2.Cert))...), ca1.KeyPEM()...), []string{"Root One", "Root Two"}, ""},
		{"PKCS#7 without certificates", p7b(t), nil, "no certificate found: the PKCS#7 file holds no certificates"},
		{"PKCS#7 PEM without certificates", p7PEM(p7b(t)), nil, "PEM block 1 (PKCS7): no certificate found: the PKCS#7 file holds no certificates"},
		{"PKCS#7 truncated", both[:len(both)/2], nil, "damaged PKCS#7 file"},
		{"PKCS#7 BER truncated", p7bBER(t, both)[:len(both)/2], nil, "damaged PKCS#7 file"},
		{"PKCS#7 deeply nested", deepBER, nil, "damaged PKCS#7 file: BER data nested too deeply"},
		{"PKCS#7 of another type", envelope(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}), nil, "the PKCS#7 file holds content of type 1.2.840.113549.1.7.3, not signed data"},
		{"PKCS#7 with a damaged certificate", p7b(t, &x509.Certificate{Raw: ca1.Cert.Raw[:len(ca1.Cert.Raw)-8]}), nil, "PKCS#7 file: cannot parse its certificates"},
		{"PKCS7 PEM block that is not PKCS#7", p7PEM(ca1.Cert.Raw), nil, "PEM block 1 (PKCS7): not a PKCS#7 file"},
		{"ContentInfo with an OID outside PKCS#7", envelope(asn1.ObjectIdentifier{1, 2, 3, 4}), nil, "neither PEM nor a DER certificate nor a PKCS#7 bundle"},
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

// A CA given in any accepted format makes a server certificate it signed
// trusted, with the system roots left out.
func TestCAFileFormatsTrustServer(t *testing.T) {
	ca := newCA(t, "Bundle Root")
	other := newCA(t, "Unrelated Root")
	leaf := newLeaf(t, "ftp.internal", ca)
	tests := []struct {
		name    string
		content []byte
		trusted bool
	}{
		{"PEM certificate", ca.CertPEM(), true},
		{"DER certificate", ca.Cert.Raw, true},
		{"PKCS#7 DER", p7b(t, other.Cert, ca.Cert), true},
		{"PKCS#7 BER", p7bBER(t, p7b(t, ca.Cert)), true},
		{"PKCS#7 PEM", p7PEM(p7b(t, ca.Cert, other.Cert)), true},
		{"PKCS#7 of another CA", p7b(t, other.Cert), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ca.p7b")
			if err := os.WriteFile(path, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			roots, err := LoadCAFiles([]string{path})
			if err != nil {
				t.Fatalf("LoadCAFiles: %v", err)
			}
			pool, err := RootPool(roots, true)
			if err != nil {
				t.Fatal(err)
			}
			_, verr := leaf.Cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: "ftp.internal"})
			if (verr == nil) != tt.trusted {
				t.Fatalf("verify error = %v, want trusted=%v", verr, tt.trusted)
			}
		})
	}
}
