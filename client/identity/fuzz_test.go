package identity

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"lockbox/client/certgen"
)

// FuzzLoad feeds arbitrary bytes as a certificate file, a key file and a
// PKCS#12 file. Errors are expected; panics and errors without the file
// name are not.
func FuzzLoad(f *testing.F) {
	p := newPKI(f, certgen.ECDSAP256)
	p12, err := pkcs12.Modern.Encode(p.alice.Key, p.alice.Cert, nil, "pw")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(cat(p.alice.CertPEM(), p.alice.KeyPEM()))
	f.Add(p12)
	f.Add(p.alice.Cert.Raw)
	f.Add(encryptedLegacy())
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n"))
	f.Add([]byte{0x30, 0x82, 0x01})
	f.Add([]byte{})

	dir := f.TempDir()
	goodCert := filepath.Join(dir, "good.crt")
	if err := os.WriteFile(goodCert, p.alice.CertPEM(), 0o600); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := t.TempDir()
		pemFile := filepath.Join(d, "fuzz.crt")
		p12File := filepath.Join(d, "fuzz.p12")
		for _, name := range []string{pemFile, p12File} {
			if err := os.WriteFile(name, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		calls := []struct {
			name string
			load func() (*Identity, error)
		}{
			{pemFile, func() (*Identity, error) { return Load(pemFile, "", "pw") }},
			{p12File, func() (*Identity, error) { return Load(p12File, "", "pw") }},
			{pemFile, func() (*Identity, error) { return LoadPEM(goodCert, pemFile) }},
		}
		for _, c := range calls {
			id, err := c.load()
			if err == nil {
				_ = id.String()
				continue
			}
			if !strings.Contains(err.Error(), c.name) {
				t.Errorf("error does not name %s: %v", c.name, err)
			}
		}
	})
}
