package identity

import (
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/certgen"
)

func TestLoadPicksFormat(t *testing.T) {
	p := newPKI(t, certgen.ECDSAP256)
	p12 := encodeP12(t, pkcs12.Modern, p, goodPassword)
	tests := []struct {
		name      string
		certName  string
		cert      []byte
		key       []byte
		password  string
		wantChain int
		wantErr   string
	}{
		{"p12 by extension", "alice.p12", p12, nil, goodPassword, 2, ""},
		{"pfx by extension, upper case", "ALICE.PFX", p12, nil, goodPassword, 2, ""},
		{"p12 by content", "alice.bin", p12, nil, goodPassword, 2, ""},
		{"PEM pair", "alice.crt", cat(p.alice.CertPEM(), p.inter.CertPEM()), p.alice.KeyPEM(), "ignored", 1, ""},
		{"combined PEM", "alice.pem", cat(p.alice.CertPEM(), p.alice.KeyPEM()), nil, "", 0, ""},
		{"DER certificate is not PKCS#12", "alice.der", p.alice.Cert.Raw, p.alice.KeyPEM(), "", 0, ""},
		{"text starting with 0 is PEM", "alice.crt", []byte("0 is not a certificate"), nil, "", 0, "client certificate"},
		{"key file with p12", "alice.p12", p12, p.alice.KeyPEM(), goodPassword, 0, "holds its own key"},
		{"garbage p12 by extension", "alice.p12", []byte("garbage"), nil, goodPassword, 0, "PKCS#12 file"},
		{"empty p12 by extension", "alice.p12", nil, nil, goodPassword, 0, "PKCS#12 file"},
		{"wrong password by content", "alice.bin", p12, nil, wrongPassword, 0, "the password is wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			certFile := writeFile(t, dir, tt.certName, tt.cert)
			keyFile := ""
			if tt.key != nil {
				keyFile = writeFile(t, dir, "alice.key", tt.key)
			}
			id, err := Load(certFile, keyFile, tt.password)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), certFile) {
					t.Fatalf("error = %v, want one naming %s and containing %q", err, certFile, tt.wantErr)
				}
				assertNoSecrets(t, "error", err.Error(), p.alice, goodPassword, wrongPassword)
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if id.Leaf.Subject.CommonName != "alice" || len(id.Chain) != tt.wantChain {
				t.Fatalf("loaded %s with %d chain certificates, want alice with %d", id, len(id.Chain), tt.wantChain)
			}
		})
	}
}
