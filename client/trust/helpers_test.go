package trust

import (
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"testing"

	"lockbox/client/certgen"
)

// reissue signs a new certificate for leaf's subject and key, as a renewal
// that keeps the key does.
func reissue(t *testing.T, leaf, parent *certgen.Cert) *x509.Certificate {
	t.Helper()
	tmpl := *leaf.Cert
	tmpl.SerialNumber = big.NewInt(leaf.Cert.SerialNumber.Int64() + 1)
	tmpl.NotAfter = tmpl.NotAfter.AddDate(0, 3, 0)
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, parent.Cert, leaf.Key.Public(), parent.Key)
	if err != nil {
		t.Fatalf("reissue: %v", err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("reissue parse: %v", err)
	}
	return c
}

func newCA(t *testing.T, name string) *certgen.Cert {
	t.Helper()
	return certgen.Must(t, certgen.Spec{CommonName: name, IsCA: true}, nil)
}

func newLeaf(t *testing.T, name string, ca *certgen.Cert) *certgen.Cert {
	t.Helper()
	return certgen.Must(t, certgen.Spec{CommonName: name, DNSNames: []string{name}}, ca)
}
