// Package identity loads the client certificate Lockbox presents when a
// server asks for one: a PEM certificate and key, or a PKCS#12 bundle.
//
// Private keys and passwords stay inside the tls.Certificate: no error,
// String or JSON form of anything here contains them.
package identity

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Identity is a client certificate with its private key.
type Identity struct {
	// Certificate is ready for tls.Config.Certificates or
	// GetClientCertificate: the leaf, then the chain, then the key.
	Certificate tls.Certificate
	// Leaf is the client's own certificate.
	Leaf *x509.Certificate
	// Chain is the intermediates sent after the leaf, in file order.
	Chain []*x509.Certificate
	// Source names the file or files the identity came from.
	Source string
}

// newIdentity assembles an Identity whose tls.Certificate sends leaf first,
// as TLS requires, whatever order the file had.
func newIdentity(leaf *x509.Certificate, chain []*x509.Certificate, key any, source string) *Identity {
	tc := tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}
	for _, c := range chain {
		tc.Certificate = append(tc.Certificate, c.Raw)
	}
	return &Identity{Certificate: tc, Leaf: leaf, Chain: chain, Source: source}
}

// Subject returns the leaf's subject distinguished name.
func (id *Identity) Subject() string {
	if id == nil || id.Leaf == nil {
		return ""
	}
	return id.Leaf.Subject.String()
}

// Issuer returns the leaf's issuer distinguished name.
func (id *Identity) Issuer() string {
	if id == nil || id.Leaf == nil {
		return ""
	}
	return id.Leaf.Issuer.String()
}

// NotAfter returns when the leaf expires.
func (id *Identity) NotAfter() time.Time {
	if id == nil || id.Leaf == nil {
		return time.Time{}
	}
	return id.Leaf.NotAfter
}

// Matches reports whether the identity suits a server's CertificateRequest:
// true when acceptableCAs (DER distinguished names) is empty, which means
// "any", or when it names the issuer of the leaf or of a chain certificate,
// or the subject of a chain certificate.
func (id *Identity) Matches(acceptableCAs [][]byte) bool {
	if len(acceptableCAs) == 0 {
		return true
	}
	if id == nil || id.Leaf == nil {
		return false
	}
	names := [][]byte{id.Leaf.RawIssuer}
	for _, c := range id.Chain {
		names = append(names, c.RawIssuer, c.RawSubject)
	}
	for _, want := range acceptableCAs {
		for _, have := range names {
			if bytes.Equal(want, have) {
				return true
			}
		}
	}
	return false
}

// String describes the certificate, e.g. "CN=alice,O=Lockbox Test (issued
// by CN=Test CA,O=Lockbox Test)". It never includes key material.
func (id *Identity) String() string {
	if id == nil || id.Leaf == nil {
		return "(no client certificate)"
	}
	return fmt.Sprintf("%s (issued by %s)", id.Subject(), id.Issuer())
}

// GoString keeps %#v from printing the private key inside Certificate.
func (id *Identity) GoString() string {
	return "identity.Identity{" + id.String() + "}"
}

type identityJSON struct {
	Subject  string    `json:"subject"`
	Issuer   string    `json:"issuer"`
	NotAfter time.Time `json:"not_after"`
	SHA256   string    `json:"sha256"`
	Chain    []string  `json:"chain,omitempty"`
	Source   string    `json:"source"`
}

// MarshalJSON describes the identity without its private key, which the
// default encoding of tls.Certificate would otherwise write out.
func (id Identity) MarshalJSON() ([]byte, error) {
	if id.Leaf == nil {
		return []byte("null"), nil
	}
	sum := sha256.Sum256(id.Leaf.Raw)
	out := identityJSON{
		Subject:  id.Subject(),
		Issuer:   id.Issuer(),
		NotAfter: id.NotAfter(),
		SHA256:   hex.EncodeToString(sum[:]),
		Source:   id.Source,
	}
	for _, c := range id.Chain {
		out.Chain = append(out.Chain, c.Subject.String())
	}
	return json.Marshal(out)
}
