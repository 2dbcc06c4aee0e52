package trust

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"time"
)

// Pin is a certificate the user accepted for one host:port.
type Pin struct {
	// HostPort is the server the pin applies to, host lowercased.
	HostPort string `json:"host_port"`
	// SHA256 is the lowercase hex SHA-256 of the leaf certificate's DER.
	SHA256 string `json:"sha256"`
	// SPKISHA256 is the standard base64 SHA-256 of the leaf's
	// SubjectPublicKeyInfo, the form HPKP and curl --pinnedpubkey use.
	SPKISHA256 string `json:"spki_sha256"`
	// Subject and Issuer are the leaf's distinguished names.
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
	// NotAfter is when the pinned certificate expires.
	NotAfter time.Time `json:"not_after"`
	// AcceptedAt is when the user accepted it.
	AcceptedAt time.Time `json:"accepted_at"`
	// Certificate is the pinned certificate, DER, so that it can be shown
	// and exported; pins saved before it was kept lack it.
	Certificate []byte `json:"certificate,omitempty"`
}

// NewPin describes leaf as accepted for hostPort at now.
func NewPin(hostPort string, leaf *x509.Certificate, now time.Time) Pin {
	return Pin{
		HostPort:    normHostPort(hostPort),
		SHA256:      Fingerprint(leaf.Raw),
		SPKISHA256:  SPKIHash(leaf),
		Subject:     leaf.Subject.String(),
		Issuer:      leaf.Issuer.String(),
		NotAfter:    leaf.NotAfter.UTC(),
		AcceptedAt:  now.UTC(),
		Certificate: leaf.Raw,
	}
}

// Fingerprint returns the lowercase hex SHA-256 of der.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// SPKIHash returns the standard base64 SHA-256 of c's SubjectPublicKeyInfo.
func SPKIHash(c *x509.Certificate) string {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// normalize puts p in the form Lookup and Compare expect; fingerprints
// pasted from other tools are often upper case.
func (p Pin) normalize() Pin {
	p.HostPort = normHostPort(p.HostPort)
	p.SHA256 = strings.ToLower(strings.TrimSpace(p.SHA256))
	return p
}

// normHostPort lowercases the host because DNS names are case-insensitive
// and a pin must not be missed over "FTP.example.com" versus "ftp.example.com".
func normHostPort(hostPort string) string {
	return strings.ToLower(strings.TrimSpace(hostPort))
}

// validate reports what is wrong with p, so a bad pin is refused before it
// reaches the file and a hand-edited file with a bad pin is noticed.
func (p Pin) validate() error {
	if _, _, err := net.SplitHostPort(p.HostPort); err != nil {
		return fmt.Errorf("pin for %q: host:port expected: %w", p.HostPort, err)
	}
	if len(p.SHA256) != sha256.Size*2 {
		return fmt.Errorf("pin for %s: sha256 must be %d hex digits, not %d", p.HostPort, sha256.Size*2, len(p.SHA256))
	}
	if _, err := hex.DecodeString(p.SHA256); err != nil {
		return fmt.Errorf("pin for %s: sha256 is not hex: %w", p.HostPort, err)
	}
	return nil
}
