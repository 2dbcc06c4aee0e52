package identity

import (
	"bytes"
	"crypto/x509"
	"errors"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/certgen"
)

const (
	goodPassword  = "correct-horse-7731"
	wrongPassword = "wrong-battery-9912"
)

func encodeP12(t *testing.T, enc *pkcs12.Encoder, p pki, password string) []byte {
	t.Helper()
	data, err := enc.Encode(p.alice.Key, p.alice.Cert, []*x509.Certificate{p.inter.Cert, p.root.Cert}, password)
	if err != nil {
		t.Fatalf("encode PKCS#12: %v", err)
	}
	return data
}

func TestLoadPKCS12(t *testing.T) {
	ec := newPKI(t, certgen.ECDSAP256)
	rsaPKI := newPKI(t, certgen.RSA2048)
	tests := []struct {
		name string
		enc  *pkcs12.Encoder
		pki  pki
	}{
		{"Modern, EC", pkcs12.Modern, ec},
		{"Modern2026, EC", pkcs12.Modern2026, ec},
		{"LegacyRC2, RSA", pkcs12.LegacyRC2, rsaPKI},
		{"LegacyDES, EC", pkcs12.LegacyDES, ec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, t.TempDir(), "alice.p12", encodeP12(t, tt.enc, tt.pki, goodPassword))
			id, err := LoadPKCS12(file, goodPassword)
			if err != nil {
				t.Fatalf("LoadPKCS12: %v", err)
			}
			checkIdentity(t, id, "alice", []string{"Test CA", "Test Root"})
			if id.Source != file {
				t.Errorf("Source = %q, want %q", id.Source, file)
			}
		})
	}
}

func TestLoadPKCS12Errors(t *testing.T) {
	p := newPKI(t, certgen.ECDSAP256)
	good := encodeP12(t, pkcs12.Modern, p, goodPassword)
	tests := []struct {
		name      string
		content   []byte
		password  string
		want      string
		wantWrong bool
	}{
		{"wrong password", good, wrongPassword, "the password is wrong", true},
		{"no password given", good, "", "the password is wrong (no password was given)", true},
		{"wrong password, legacy", encodeP12(t, pkcs12.LegacyRC2, p, goodPassword), wrongPassword, "the password is wrong", true},
		{"empty", []byte{}, goodPassword, "file is 0 bytes", false},
		{"truncated", good[:len(good)/2], goodPassword, "not a PKCS#12 file, or a damaged one", false},
		{"garbage", []byte("this is not a pkcs12 file"), goodPassword, "not a PKCS#12 file, or a damaged one", false},
		{"PEM instead", p.alice.CertPEM(), goodPassword, "not a PKCS#12 file, or a damaged one", false},
		{"2 MiB", bytes.Repeat([]byte{0x30}, 2<<20), goodPassword, "file is larger than 1 MiB", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, t.TempDir(), "alice.p12", tt.content)
			_, err := LoadPKCS12(file, tt.password)
			checkErr(t, err, tt.want, "PKCS#12 file "+file+": ")
			if errors.Is(err, ErrWrongPassword) != tt.wantWrong {
				t.Errorf("errors.Is(err, ErrWrongPassword) = %v, want %v", !tt.wantWrong, tt.wantWrong)
			}
			assertNoSecrets(t, "error", err.Error(), p.alice, goodPassword, wrongPassword)
		})
	}
}
