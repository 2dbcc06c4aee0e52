package identity

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockbox/client/certgen"
)

// pki is a root, an intermediate and a client certificate "alice".
type pki struct {
	root, inter, alice *certgen.Cert
}

func newPKI(t testing.TB, key certgen.KeyType) pki {
	t.Helper()
	root := certgen.Must(t, certgen.Spec{CommonName: "Test Root", IsCA: true}, nil)
	inter := certgen.Must(t, certgen.Spec{CommonName: "Test CA", IsCA: true}, root)
	alice := certgen.Must(t, certgen.Spec{
		CommonName:  "alice",
		Key:         key,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, inter)
	return pki{root: root, inter: inter, alice: alice}
}

func pkcs1PEM(t *testing.T, c *certgen.Cert) []byte {
	t.Helper()
	k, ok := c.Key.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("PKCS#1 needs an RSA key, have %T", c.Key)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

func sec1PEM(t *testing.T, c *certgen.Cert) []byte {
	t.Helper()
	k, ok := c.Key.(*ecdsa.PrivateKey)
	if !ok {
		t.Fatalf("SEC1 needs an EC key, have %T", c.Key)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

func writeFile(t *testing.T, dir, name string, parts ...[]byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, bytes.Join(parts, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// assertNoSecrets fails when s shows any part of c's key, in PEM or as a
// number, or any of the passwords.
func assertNoSecrets(t *testing.T, what, s string, c *certgen.Cert, passwords ...string) {
	t.Helper()
	if strings.Contains(s, "-----BEGIN") {
		t.Errorf("%s contains PEM: %q", what, s)
	}
	if d := privateScalar(c); d != "" && strings.Contains(s, d) {
		t.Errorf("%s contains the private key", what)
	}
	if c != nil {
		body := strings.Split(string(c.KeyPEM()), "\n")[1]
		if strings.Contains(s, body) {
			t.Errorf("%s contains the PEM-encoded private key", what)
		}
	}
	for _, p := range passwords {
		if p != "" && strings.Contains(s, p) {
			t.Errorf("%s contains the password %q: %q", what, p, s)
		}
	}
}

func privateScalar(c *certgen.Cert) string {
	if c == nil {
		return ""
	}
	switch k := c.Key.(type) {
	case *ecdsa.PrivateKey:
		return k.D.String()
	case *rsa.PrivateKey:
		return k.D.String()
	}
	return ""
}
