// Package certgen makes certificates for tests: CAs, intermediates and
// leaves with exactly the defects a test needs (expired, SHA-1 signed, short
// key, wrong usage, self-signed, not a CA). Nothing is committed to disk
// unless a test asks for PEM files.
package certgen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// KeyType selects the key a certificate is made for.
type KeyType int

// Key types.
const (
	ECDSAP256 KeyType = iota
	ECDSAP224
	RSA2048
	RSA1024
	Ed25519
)

// Spec describes one certificate to make.
type Spec struct {
	// CommonName of the subject; Organization is set to "Lockbox Test".
	CommonName string
	// DNSNames and IPs go in the Subject Alternative Names.
	DNSNames []string
	IPs      []net.IP
	// NotBefore and NotAfter default to an hour ago and a year from now.
	NotBefore, NotAfter time.Time
	// IsCA makes a CA certificate (basic constraints CA:TRUE, keyCertSign).
	IsCA bool
	// NoBasicConstraints leaves basic constraints out entirely.
	NoBasicConstraints bool
	// Key is the key type (default ECDSA P-256).
	Key KeyType
	// SignatureAlgorithm overrides the signature algorithm (e.g. x509.SHA1WithRSA).
	SignatureAlgorithm x509.SignatureAlgorithm
	// ExtKeyUsage defaults to server auth for leaves and nothing for CAs.
	ExtKeyUsage []x509.ExtKeyUsage
	// Serial defaults to a random number.
	Serial *big.Int
}

// Cert is a generated certificate with its private key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

var (
	keyMu    sync.Mutex
	keyCache = map[KeyType][]crypto.Signer{}
)

// newKey returns a fresh key; RSA keys are expensive, so a small pool of them
// is reused across certificates of one test binary.
func newKey(t KeyType) (crypto.Signer, error) {
	switch t {
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP224:
		return ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	case Ed25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	bits := 2048
	if t == RSA1024 {
		bits = 1024
	}
	keyMu.Lock()
	defer keyMu.Unlock()
	if len(keyCache[t]) < 4 {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, err
		}
		keyCache[t] = append(keyCache[t], k)
		return k, nil
	}
	pool := keyCache[t]
	k := pool[0]
	keyCache[t] = append(pool[1:], k)
	return k, nil
}

// New makes a certificate from spec, signed by parent, or self-signed when
// parent is nil.
func New(spec Spec, parent *Cert) (*Cert, error) {
	key, err := newKey(spec.Key)
	if err != nil {
		return nil, fmt.Errorf("certgen: key: %w", err)
	}
	serial := spec.Serial
	if serial == nil {
		serial, err = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
		if err != nil {
			return nil, err
		}
	}
	now := time.Now()
	nb, na := spec.NotBefore, spec.NotAfter
	if nb.IsZero() {
		nb = now.Add(-time.Hour)
	}
	if na.IsZero() {
		na = now.AddDate(1, 0, 0)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: spec.CommonName, Organization: []string{"Lockbox Test"}},
		NotBefore:             nb,
		NotAfter:              na,
		DNSNames:              spec.DNSNames,
		IPAddresses:           spec.IPs,
		BasicConstraintsValid: !spec.NoBasicConstraints,
		IsCA:                  spec.IsCA,
		SignatureAlgorithm:    spec.SignatureAlgorithm,
		ExtKeyUsage:           spec.ExtKeyUsage,
	}
	if spec.IsCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		if tmpl.ExtKeyUsage == nil {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		}
	}
	signerCert, signerKey := tmpl, key
	if parent != nil {
		signerCert, signerKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, key.Public(), signerKey)
	if err != nil {
		return nil, fmt.Errorf("certgen: sign %q: %w", spec.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Cert{Cert: c, Key: key}, nil
}

// Must is New for tests: it fails the test on error.
func Must(t interface{ Fatalf(string, ...any) }, spec Spec, parent *Cert) *Cert {
	c, err := New(spec, parent)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return c
}

// CertPEM returns the certificate in PEM form.
func (c *Cert) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})
}

// KeyPEM returns the private key in PKCS#8 PEM form.
func (c *Cert) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		panic(err) // every key type certgen makes is marshallable
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// TLS returns a tls.Certificate of c followed by chain (the intermediates
// a server sends after its own certificate).
func (c *Cert) TLS(chain ...*Cert) tls.Certificate {
	tc := tls.Certificate{Certificate: [][]byte{c.Cert.Raw}, PrivateKey: c.Key, Leaf: c.Cert}
	for _, ch := range chain {
		tc.Certificate = append(tc.Certificate, ch.Cert.Raw)
	}
	return tc
}

// WriteFiles writes name.crt (c then chain) and name.key into dir and
// returns their paths.
func (c *Cert) WriteFiles(dir, name string, chain ...*Cert) (certFile, keyFile string, err error) {
	certFile = filepath.Join(dir, name+".crt")
	keyFile = filepath.Join(dir, name+".key")
	pemBytes := c.CertPEM()
	for _, ch := range chain {
		pemBytes = append(pemBytes, ch.CertPEM()...)
	}
	if err := os.WriteFile(certFile, pemBytes, 0o600); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(keyFile, c.KeyPEM(), 0o600); err != nil {
		return "", "", err
	}
	return certFile, keyFile, nil
}
