package certview

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/certfile"
	"lockbox/client/verify"
)

func pemOf(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

func derOf(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, c.Raw...)
	}
	return out
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatalf("asn1.Marshal: %v", err)
	}
	return b
}

// pkcs7Bundle builds a certificates-only PKCS#7 SignedData (RFC 2315) the
// way openssl crl2pkcs7 -nocrl writes it.
func pkcs7Bundle(t testing.TB, certs ...*x509.Certificate) []byte {
	t.Helper()
	b, err := certfile.MarshalPKCS7(certs...)
	if err != nil {
		t.Fatalf("MarshalPKCS7: %v", err)
	}
	return b
}

// pkcs7BER is the same bundle with indefinite lengths on its outer
// levels, as some Java and Windows tools write it.
func pkcs7BER(t testing.TB, certs ...*x509.Certificate) []byte {
	t.Helper()
	indef := func(tag byte, parts ...[]byte) []byte {
		out := []byte{tag, 0x80}
		for _, p := range parts {
			out = append(out, p...)
		}
		return append(out, 0, 0)
	}
	emptySet := []byte{0x31, 0x00}
	data := mustMarshal(t, struct{ T asn1.ObjectIdentifier }{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}})
	certSet := indef(0xa0, derOf(certs...))
	sd := indef(0x30, mustMarshal(t, 1), emptySet, data, certSet, emptySet)
	return indef(0x30, mustMarshal(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}), indef(0xa0, sd))
}

func TestParse(t *testing.T) {
	ch := newTestChain(t)
	leaf, inter, root := ch.leaf.Cert, ch.inter.Cert, ch.root.Cert
	keyDER, err := x509.MarshalPKCS8PrivateKey(ch.leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	p12, err := pkcs12.Modern.Encode(ch.leaf.Key, leaf, []*x509.Certificate{inter, root}, "s3cret")
	if err != nil {
		t.Fatalf("encode PKCS#12: %v", err)
	}
	trustStore, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{root, inter}, "changeit")
	if err != nil {
		t.Fatalf("encode trust store: %v", err)
	}
	full := pemOf(leaf, inter, root)
	csr, err := x509.CreateCertificateRequest(nil, &x509.CertificateRequest{DNSNames: []string{"x"}}, edKey(60))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		data     []byte
		password string
		format   string
		chain    []*x509.Certificate
		wantErr  string
		wantPass *PasswordError
	}{
		{"PEM one", pemOf(leaf), "", FormatPEM, []*x509.Certificate{leaf}, "", nil},
		{"PEM chain leaf first", full, "", FormatPEM, []*x509.Certificate{leaf, inter, root}, "", nil},
		{"PEM chain root first", pemOf(root, inter, leaf), "", FormatPEM, []*x509.Certificate{leaf, inter, root}, "", nil},
		{"PEM chain shuffled", pemOf(inter, root, leaf), "", FormatPEM, []*x509.Certificate{leaf, inter, root}, "", nil},
		{"PEM bundle of unrelated roots keeps order", pemOf(root, selfSignedBad(t).Cert), "", FormatPEM, []*x509.Certificate{root, selfSignedBad(t).Cert}, "", nil},
		{"PEM with key and text around", append(append([]byte("Bag Attributes\n"), keyPEM...), pemOf(leaf)...), "", FormatPEM, []*x509.Certificate{leaf}, "", nil},
		{"PEM with CRLF", bytes.ReplaceAll(pemOf(leaf), []byte("\n"), []byte("\r\n")), "", FormatPEM, []*x509.Certificate{leaf}, "", nil},
		{"TRUSTED CERTIFICATE", pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(append([]byte{}, leaf.Raw...), 0x30, 0x00)}), "", FormatPEM, []*x509.Certificate{leaf}, "", nil},
		{"DER one", leaf.Raw, "", FormatDER, []*x509.Certificate{leaf}, "", nil},
		{"DER concatenated root first", derOf(root, inter, leaf), "", FormatDER, []*x509.Certificate{leaf, inter, root}, "", nil},
		{"PKCS#12 right password", p12, "s3cret", FormatPKCS12, []*x509.Certificate{leaf, inter, root}, "", nil},
		{"PKCS#12 wrong password", p12, "guess", "", nil, "password for the PKCS#12 file is wrong", &PasswordError{Empty: false}},
		{"PKCS#12 no password", p12, "", "", nil, "protected by a password", &PasswordError{Empty: true}},
		{"PKCS#12 trust store", trustStore, "changeit", FormatPKCS12, []*x509.Certificate{inter, root}, "", nil},
		{"PKCS#7 DER", pkcs7Bundle(t, root, inter, leaf), "", FormatPKCS7, []*x509.Certificate{leaf, inter, root}, "", nil},
		{"PKCS#7 BER", pkcs7BER(t, leaf, inter), "", FormatPKCS7, []*x509.Certificate{leaf, inter}, "", nil},
		{"PKCS#7 PEM", pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: pkcs7Bundle(t, leaf, inter)}), "", FormatPKCS7, []*x509.Certificate{leaf, inter}, "", nil},
		{"PKCS#7 without certificates", pkcs7Bundle(t), "", "", nil, "holds no certificates", nil},
		{"private key PEM only", keyPEM, "", "", nil, "no certificate found: the file is a private key", nil},
		{"private key DER", keyDER, "", "", nil, "no certificate found: the file is a private key", nil},
		{"CSR PEM (a request, shown as one)", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}), "", FormatRequest, nil, "", nil},
		{"CSR DER (a request, shown as one)", csr, "", FormatRequest, nil, "", nil},
		{"empty", nil, "", "", nil, "no certificate found: the file is empty", nil},
		{"blank", []byte(" \n\t\n"), "", "", nil, "the file is empty", nil},
		{"truncated PEM", full[:len(full)-200], "", "", nil, "truncated or malformed PEM", nil},
		{"PEM without END", []byte("-----BEGIN CERTIFICATE-----\nMIIB\n"), "", "", nil, "truncated or malformed PEM", nil},
		{"damaged PEM certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw[:100]}), "", "", nil, "PEM block 1 (CERTIFICATE): cannot parse the certificate", nil},
		{"truncated DER", leaf.Raw[:len(leaf.Raw)/2], "", "", nil, "truncated file", nil},
		{"garbage", []byte{0x00, 0x01, 0x02, 0xff, 0xfe}, "", "", nil, "not a certificate, PKCS#12 or PKCS#7 file", nil},
		{"text", []byte("hello, this is not a certificate\n"), "", "", nil, "not a certificate, PKCS#12 or PKCS#7 file (it is text without a -----BEGIN line)", nil},
		{"base64 without armour", []byte(base64.StdEncoding.EncodeToString(leaf.Raw)), "", "", nil, "not a certificate, PKCS#12 or PKCS#7 file", nil},
		{"11 MiB", make([]byte, 11<<20), "", "", nil, "larger than the 10 MiB", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse(tt.data, tt.password)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				// Never show key material: no run of base64 from the key.
				if strings.Contains(err.Error(), base64.StdEncoding.EncodeToString(keyDER)[:16]) {
					t.Fatalf("error shows the private key: %v", err)
				}
				var pe *PasswordError
				if got := errors.As(err, &pe); got != (tt.wantPass != nil) || (got && *pe != *tt.wantPass) {
					t.Fatalf("PasswordError = %v (%+v), want %+v", got, pe, tt.wantPass)
				}
				if tt.password != "" && strings.Contains(err.Error(), tt.password) {
					t.Fatalf("error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if l.Format != tt.format {
				t.Errorf("format %q, want %q", l.Format, tt.format)
			}
			if len(l.Chain) != len(tt.chain) {
				t.Fatalf("chain has %d certificates, want %d", len(l.Chain), len(tt.chain))
			}
			for i := range tt.chain {
				if !l.Chain[i].Equal(tt.chain[i]) {
					t.Errorf("chain[%d] = %s, want %s", i, l.Chain[i].Subject, tt.chain[i].Subject)
				}
			}
		})
	}
}

func TestPKCS12IterationCap(t *testing.T) {
	ch := newTestChain(t)
	p12, err := pkcs12.Modern.WithIterations(0x010000).Encode(ch.leaf.Key, ch.leaf.Cert, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	// Same length, far more iterations: 0x7f0000 is 8.3 million.
	hostile := bytes.ReplaceAll(p12, []byte{0x02, 0x03, 0x01, 0x00, 0x00}, []byte{0x02, 0x03, 0x7f, 0x00, 0x00})
	if bytes.Equal(hostile, p12) {
		t.Fatal("iteration count not found in the encoding")
	}
	_, err = Parse(hostile, "pw")
	if err == nil || !strings.Contains(err.Error(), "8323072 key-derivation iterations") {
		t.Fatalf("error = %v, want the iteration count refused", err)
	}
	if _, err := Parse(p12, "pw"); err != nil {
		t.Fatalf("65536 iterations refused: %v", err)
	}
}

func TestLoadFile(t *testing.T) {
	ch := newTestChain(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := filepath.Join(dir, "big.pem")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse 11 MiB file: refused by its size, before it is read.
	if err := f.Truncate(11 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tests := []struct {
		name    string
		path    string
		wantErr string
		wantN   int
	}{
		{"chain", write("chain.pem", pemOf(ch.root.Cert, ch.leaf.Cert, ch.inter.Cert)), "", 3},
		{"11 MiB", big, "larger than the 10 MiB", 0},
		{"missing", filepath.Join(dir, "nope.pem"), "no such file", 0},
		{"directory", dir, "is a directory", 0},
		{"key", write("key.pem", []byte("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n")), "the file is a private key", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := LoadFile(tt.path, "")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(l.Chain) != tt.wantN || !l.Chain[0].Equal(ch.leaf.Cert) {
				t.Fatalf("LoadFile = %+v, %v", l, err)
			}
		})
	}
	p12, err := pkcs12.Modern.Encode(ch.leaf.Key, ch.leaf.Cert, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	path := write("id.p12", p12)
	var pe *PasswordError
	if _, err := LoadFile(path, ""); !errors.As(err, &pe) || !strings.Contains(err.Error(), path) {
		t.Fatalf("LoadFile without password = %v, want a *PasswordError naming the file", err)
	}
}

func TestOfflineProblems(t *testing.T) {
	ch := newTestChain(t)
	bad := selfSignedBad(t)
	tests := []struct {
		name      string
		chain     []*x509.Certificate
		roots     []*x509.Certificate
		wantCodes []string
		wantLen   int
	}{
		{"trusted via extra root", []*x509.Certificate{ch.leaf.Cert, ch.inter.Cert}, []*x509.Certificate{ch.root.Cert}, nil, 3},
		{"unknown root", ch.certs(), nil, []string{verify.CodeUnknownAuthority}, 3},
		{"missing intermediate", []*x509.Certificate{ch.leaf.Cert}, []*x509.Certificate{ch.root.Cert}, []string{verify.CodeIncompleteChain}, 1},
		{"self-signed and expired, no hostname check", []*x509.Certificate{bad.Cert}, nil, []string{verify.CodeSelfSigned, verify.CodeExpired}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems, chain, err := OfflineProblems(tt.chain, tt.roots, true, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, p := range problems {
				codes = append(codes, p.Code)
			}
			if strings.Join(codes, ",") != strings.Join(tt.wantCodes, ",") {
				t.Errorf("codes %v, want %v", codes, tt.wantCodes)
			}
			if len(chain) != tt.wantLen {
				t.Errorf("display chain has %d certificates, want %d", len(chain), tt.wantLen)
			}
		})
	}
	if _, _, err := OfflineProblems(nil, nil, true, fixedNow); err == nil {
		t.Error("empty chain accepted")
	}
}

func TestPEMExport(t *testing.T) {
	ch := newTestChain(t)
	m := Build(ch.certs(), nil, ModelOptions{Now: fixedNow})
	l, err := Parse(ChainPEM(m), "")
	if err != nil || len(l.Chain) != 3 {
		t.Fatalf("ChainPEM does not parse back: %v", err)
	}
	for i, c := range ch.certs() {
		if !l.Chain[i].Equal(c) {
			t.Errorf("chain[%d] differs", i)
		}
		one, err := Parse(CertPEM(m.Levels[i]), "")
		if err != nil || len(one.Chain) != 1 || !one.Chain[0].Equal(c) {
			t.Errorf("CertPEM(level %d) does not parse back: %v", i, err)
		}
	}
	if CertPEM(Level{}) != nil || ChainPEM(nil) != nil {
		t.Error("empty level or model gave PEM")
	}
	for _, tt := range []struct{ title, suffix, want string }{
		{"ftp.example.com", ".pem", "ftp.example.com.pem"},
		{"*.files.example.com", "-chain.pem", "wildcard.files.example.com-chain.pem"},
		{"CN=a/b c,O=x", ".pem", "CN_a_b_c_O_x.pem"},
		{"../..", ".pem", "certificate.pem"},
	} {
		if got := fileName(tt.title, tt.suffix); got != tt.want {
			t.Errorf("fileName(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}
