package certview

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"lockbox/client/verify"
)

// Fixed dates so that golden images and phrases such as "expires in 200
// days" never change.
var (
	notBefore = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter  = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	// cet is the "local" zone of the tests, so both UTC and local times show.
	cet = time.FixedZone("CET", 3600)
	// fixedNow is when the golden chains are judged: the valid chain has
	// 200 days left.
	fixedNow = time.Date(2026, 6, 15, 11, 0, 0, 0, cet)
)

// edKey derives an Ed25519 key from a seed byte. Ed25519 signatures are
// deterministic, so every certificate an Ed25519 key signs has the same
// bytes, and fingerprints, on every run.
func edKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// ecKey derives an ECDSA key on curve from a seed byte (as the scalar's hash).
// Used only for certificates' own keys, never to sign golden fixtures, since
// ECDSA signatures are randomised.
func ecKey(t testing.TB, curve elliptic.Curve, seed byte) *ecdsa.PrivateKey {
	t.Helper()
	size := (curve.Params().BitSize + 7) / 8
	var scalar []byte
	for counter := byte(0); len(scalar) < size; counter++ {
		h := sha256.Sum256([]byte{'l', 'o', 'c', 'k', 'b', 'o', 'x', seed, counter})
		scalar = append(scalar, h[:]...)
	}
	k, err := ecdsa.ParseRawPrivateKey(curve, scalar[:size])
	if err != nil {
		t.Fatalf("derive ECDSA key: %v", err)
	}
	return k
}

var (
	rsaOnce    sync.Once
	rsaKey2048 *rsa.PrivateKey
	rsaKey1024 *rsa.PrivateKey
	rsaErr     error
)

// rsaKeys are generated once per test binary; RSA key names do not depend
// on the key's value.
func rsaKeys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	rsaOnce.Do(func() {
		if rsaKey2048, rsaErr = rsa.GenerateKey(rand.Reader, 2048); rsaErr != nil {
			return
		}
		// Go refuses to generate keys under 1024 bits; 1024 is weak enough.
		rsaKey1024, rsaErr = rsa.GenerateKey(rand.Reader, 1024)
	})
	if rsaErr != nil {
		t.Fatalf("generate RSA keys: %v", rsaErr)
	}
	return rsaKey2048, rsaKey1024
}

// certSpec describes a test certificate.
type certSpec struct {
	serial    int64
	subject   pkix.Name
	dns       []string
	ips       []string
	emails    []string
	uris      []string
	notBefore time.Time
	notAfter  time.Time
	isCA      bool
	pathLen   int // -1: unlimited
	eku       []x509.ExtKeyUsage
	keyUsage  x509.KeyUsage
	key       crypto.Signer // the certificate's own key
	parent    *fixture      // nil: self-signed
	sigAlg    x509.SignatureAlgorithm
	edit      func(*x509.Certificate)
}

type fixture struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

func newCert(t testing.TB, s certSpec) *fixture {
	t.Helper()
	if s.notBefore.IsZero() {
		s.notBefore = notBefore
	}
	if s.notAfter.IsZero() {
		s.notAfter = notAfter
	}
	if s.serial == 0 {
		s.serial = 1
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(s.serial),
		Subject:               s.subject,
		DNSNames:              s.dns,
		EmailAddresses:        s.emails,
		NotBefore:             s.notBefore,
		NotAfter:              s.notAfter,
		ExtKeyUsage:           s.eku,
		KeyUsage:              s.keyUsage,
		SignatureAlgorithm:    s.sigAlg,
		BasicConstraintsValid: true,
		IsCA:                  s.isCA,
	}
	for _, ip := range s.ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	for _, u := range s.uris {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatalf("parse URI %q: %v", u, err)
		}
		tmpl.URIs = append(tmpl.URIs, pu)
	}
	if s.isCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		tmpl.MaxPathLen = s.pathLen
		tmpl.MaxPathLenZero = s.pathLen == 0
	} else if tmpl.KeyUsage == 0 {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	}
	if s.edit != nil {
		s.edit(tmpl)
	}
	parentCert, signer := tmpl, s.key
	if s.parent != nil {
		parentCert, signer = s.parent.Cert, s.parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, s.key.Public(), signer)
	if err != nil {
		t.Fatalf("create certificate %q: %v", s.subject.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse certificate %q: %v", s.subject.CommonName, err)
	}
	return &fixture{Cert: c, Key: s.key}
}

// testChain is a root, an issuing CA and a server certificate for
// ftp.example.com, all signed with Ed25519 so their bytes never change.
type testChain struct {
	root, inter, leaf *fixture
}

func (c testChain) certs() []*x509.Certificate {
	return []*x509.Certificate{c.leaf.Cert, c.inter.Cert, c.root.Cert}
}

func newTestChain(t testing.TB) testChain {
	t.Helper()
	root := newCert(t, certSpec{
		serial: 0x1001,
		subject: pkix.Name{CommonName: "Lockbox Test Root CA", Organization: []string{"Lockbox Test"},
			Country: []string{"DE"}},
		notBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		notAfter:  time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC),
		isCA:      true, pathLen: -1, key: edKey(1),
	})
	inter := newCert(t, certSpec{
		serial: 0x2002,
		subject: pkix.Name{CommonName: "Lockbox Test Issuing CA 1", Organization: []string{"Lockbox Test"},
			Country: []string{"DE"}},
		notBefore: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
		notAfter:  time.Date(2029, 6, 1, 0, 0, 0, 0, time.UTC),
		isCA:      true, pathLen: 0, key: edKey(2), parent: root,
		eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		edit: func(c *x509.Certificate) {
			c.CRLDistributionPoints = []string{"http://crl.lockbox.test/root.crl"}
			c.IssuingCertificateURL = []string{"http://ca.lockbox.test/root.crt"}
		},
	})
	leaf := newCert(t, certSpec{
		serial: 0x03a7c91e5b,
		subject: pkix.Name{CommonName: "ftp.example.com", Organization: []string{"Example Ltd"},
			OrganizationalUnit: []string{"File Transfer"}, Locality: []string{"Hamburg"},
			Province: []string{"Hamburg"}, Country: []string{"DE"}},
		dns:    []string{"ftp.example.com", "*.files.example.com", "example.com"},
		ips:    []string{"192.0.2.10"},
		key:    ecKey(t, elliptic.P256(), 3),
		eku:    []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		parent: inter,
		edit: func(c *x509.Certificate) {
			c.KeyUsage = x509.KeyUsageDigitalSignature
			c.OCSPServer = []string{"http://ocsp.lockbox.test"}
			c.IssuingCertificateURL = []string{"http://ca.lockbox.test/issuing1.crt"}
			c.CRLDistributionPoints = []string{"http://crl.lockbox.test/issuing1.crl"}
			c.Policies = []x509.OID{mustOID(t, 2, 23, 140, 1, 2, 2)}
		},
	})
	return testChain{root: root, inter: inter, leaf: leaf}
}

// selfSignedBad is the classic NAS certificate: self-signed, expired four
// days before fixedNow, and issued to another name than ftp.example.com.
func selfSignedBad(t testing.TB) *fixture {
	t.Helper()
	return newCert(t, certSpec{
		serial:    0x5eed,
		subject:   pkix.Name{CommonName: "nas.local", Organization: []string{"Home NAS"}},
		dns:       []string{"nas.local", "nas"},
		ips:       []string{"192.168.1.20"},
		notBefore: time.Date(2024, 6, 11, 0, 0, 0, 0, time.UTC),
		notAfter:  time.Date(2026, 6, 11, 0, 0, 0, 0, time.UTC),
		key:       edKey(9),
		eku:       []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
}

// check runs verify.Check against a pool holding only roots.
func check(chain []*x509.Certificate, roots []*x509.Certificate, serverName string, now time.Time) verify.Result {
	pool := x509.NewCertPool()
	for _, r := range roots {
		pool.AddCert(r)
	}
	return verify.Check(chain, verify.Options{ServerName: serverName, Roots: pool, Now: now})
}

func mustOID(t testing.TB, arcs ...uint64) x509.OID {
	t.Helper()
	oid, err := x509.OIDFromInts(arcs)
	if err != nil {
		t.Fatalf("OID %v: %v", arcs, err)
	}
	return oid
}
