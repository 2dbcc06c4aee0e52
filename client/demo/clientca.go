package demo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// IdentityPassword protects the demo identity's PKCS#12 file. Like
// DemoPassword it is public by design: the identity only opens the demo.
const IdentityPassword = "demo"

// Names of the demo's client-certificate authority and its one user, as
// the server lists and the client presents them.
const (
	ClientCAName       = "Lockbox Demo Client CA"
	ClientIdentityName = "Lockbox Demo User"
	demoOrganization   = "Lockbox demo"
)

// clientPKI is the demo's client-certificate authority and the identity it
// issued: the server trusts the CA, the user presents the identity.
type clientPKI struct {
	ca      *x509.Certificate
	user    *x509.Certificate
	userKey crypto.Signer
}

// newClientPKI makes a fresh CA and a client certificate signed by it,
// valid from an hour ago (clock skew) for a year.
func newClientPKI() (*clientPKI, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("demo client CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: ClientCAName, Organization: []string{demoOrganization}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	ca, err := sign(caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("demo client CA: %w", err)
	}
	userKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("demo client identity key: %w", err)
	}
	userTmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: ClientIdentityName, Organization: []string{demoOrganization}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		// A TLS server checks that a client certificate may authenticate clients.
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	user, err := sign(userTmpl, ca, userKey.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("demo client identity: %w", err)
	}
	return &clientPKI{ca: ca, user: user, userKey: userKey}, nil
}

// sign issues tmpl (with a random serial) for pub, signed by parent's key.
func sign(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// identityFiles are where the demo identity was written.
type identityFiles struct {
	certPEM, keyPEM, pkcs12 string
}

// writeIdentity writes the user's identity into a new folder dir (0700):
// the certificate and the key as PEM, and both as PKCS#12 under
// IdentityPassword, each file 0600.
func (p *clientPKI) writeIdentity(dir string) (identityFiles, error) {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return identityFiles{}, fmt.Errorf("demo identity folder: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(p.userKey)
	if err != nil {
		return identityFiles{}, fmt.Errorf("demo identity key: %w", err)
	}
	p12, err := pkcs12.Modern.Encode(p.userKey, p.user, nil, IdentityPassword)
	if err != nil {
		return identityFiles{}, fmt.Errorf("demo identity PKCS#12: %w", err)
	}
	f := identityFiles{
		certPEM: filepath.Join(dir, "lockbox-demo-user.crt"),
		keyPEM:  filepath.Join(dir, "lockbox-demo-user.key"),
		pkcs12:  filepath.Join(dir, "lockbox-demo-user.p12"),
	}
	for _, w := range []struct {
		path string
		data []byte
	}{
		{f.certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.user.Raw})},
		{f.keyPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})},
		{f.pkcs12, p12},
	} {
		if err := writePrivate(w.path, w.data); err != nil {
			return identityFiles{}, fmt.Errorf("demo identity: %w", err)
		}
	}
	return f, nil
}

// writePrivate creates path (it must not exist) readable by its owner only.
func writePrivate(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
