package workshop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"time"
)

// KeyType is the kind of private key a new certificate or request gets.
type KeyType string

// The key types the workshop makes. ECDSAP256 is the default: small, fast
// and accepted by every current TLS stack.
const (
	ECDSAP256 KeyType = "ecdsa-p256"
	ECDSAP384 KeyType = "ecdsa-p384"
	RSA2048   KeyType = "rsa-2048"
	RSA3072   KeyType = "rsa-3072"
	RSA4096   KeyType = "rsa-4096"
	Ed25519   KeyType = "ed25519"
)

// KeyTypes lists every key type, the default first, for menus and help.
var KeyTypes = []KeyType{ECDSAP256, ECDSAP384, RSA2048, RSA3072, RSA4096, Ed25519}

// ParseKeyType reads a key type by its name ("" is the default).
func ParseKeyType(s string) (KeyType, error) {
	if s == "" {
		return ECDSAP256, nil
	}
	for _, k := range KeyTypes {
		if strings.EqualFold(s, string(k)) {
			return k, nil
		}
	}
	names := make([]string, len(KeyTypes))
	for i, k := range KeyTypes {
		names[i] = string(k)
	}
	return "", fmt.Errorf("unknown key type %q: use one of %s", s, strings.Join(names, ", "))
}

// Label names the key type for people, e.g. "ECDSA P-256".
func (k KeyType) Label() string {
	switch k {
	case ECDSAP256:
		return "ECDSA P-256"
	case ECDSAP384:
		return "ECDSA P-384"
	case RSA2048:
		return "RSA 2048"
	case RSA3072:
		return "RSA 3072"
	case RSA4096:
		return "RSA 4096"
	case Ed25519:
		return "Ed25519"
	}
	return string(k)
}

// Generate makes a fresh private key of type k.
func (k KeyType) Generate() (crypto.Signer, error) {
	switch k {
	case ECDSAP256, "":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case RSA2048:
		return rsa.GenerateKey(rand.Reader, 2048)
	case RSA3072:
		return rsa.GenerateKey(rand.Reader, 3072)
	case RSA4096:
		return rsa.GenerateKey(rand.Reader, 4096)
	case Ed25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, fmt.Errorf("unknown key type %q", string(k))
}

// Usage is what a certificate may be used for.
type Usage string

// The usages a new certificate can have.
const (
	UsageClient Usage = "client"
	UsageServer Usage = "server"
	UsageBoth   Usage = "both"
)

// Usages lists every usage, the default first.
var Usages = []Usage{UsageClient, UsageServer, UsageBoth}

// ParseUsage reads a usage by name ("" is client, the workshop's main
// case: a client certificate for an FTPS server).
func ParseUsage(s string) (Usage, error) {
	switch Usage(strings.ToLower(s)) {
	case "", UsageClient:
		return UsageClient, nil
	case UsageServer:
		return UsageServer, nil
	case UsageBoth:
		return UsageBoth, nil
	}
	return "", fmt.Errorf("unknown usage %q: use client, server or both", s)
}

// extKeyUsage is the extended key usage u asks for.
func (u Usage) extKeyUsage() []x509.ExtKeyUsage {
	switch u {
	case UsageServer:
		return []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	case UsageBoth:
		return []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	return []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
}

// Subject is the distinguished name of a new certificate or request.
type Subject struct {
	CommonName         string `json:"common_name"`
	Organization       string `json:"organization,omitempty"`
	OrganizationalUnit string `json:"organizational_unit,omitempty"`
	// Country is the two-letter ISO 3166 code.
	Country string `json:"country,omitempty"`
	Email   string `json:"email,omitempty"`
}

// oidEmailAddress is PKCS#9 emailAddress, the subject attribute openssl
// shows as "emailAddress".
var oidEmailAddress = []int{1, 2, 840, 113549, 1, 9, 1}

func (s Subject) name() pkix.Name {
	n := pkix.Name{CommonName: s.CommonName}
	if s.Organization != "" {
		n.Organization = []string{s.Organization}
	}
	if s.OrganizationalUnit != "" {
		n.OrganizationalUnit = []string{s.OrganizationalUnit}
	}
	if s.Country != "" {
		n.Country = []string{strings.ToUpper(s.Country)}
	}
	if s.Email != "" {
		n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{Type: oidEmailAddress, Value: s.Email})
	}
	return n
}

// Spec describes a new key and its certificate or request.
type Spec struct {
	Key     KeyType
	Subject Subject
	// DNSNames, IPs and Emails are the subject alternative names; the
	// common name is added to the right list when it is not there.
	DNSNames []string
	IPs      []net.IP
	Emails   []string
	// Days is how long the certificate is valid, from now (default 365).
	Days  int
	Usage Usage
}

// MaxDays bounds the validity so a typo cannot make a certificate that
// outlives every key it could be compared with (about 100 years).
const MaxDays = 36500

// Normalize checks s, fills in the defaults and copies the common name
// into the SANs, as browsers and TLS libraries only look there.
func (s Spec) Normalize() (Spec, error) {
	var err error
	if s.Key, err = ParseKeyType(string(s.Key)); err != nil {
		return s, err
	}
	if s.Usage, err = ParseUsage(string(s.Usage)); err != nil {
		return s, err
	}
	s.Subject.CommonName = strings.TrimSpace(s.Subject.CommonName)
	if s.Subject.CommonName == "" {
		return s, errors.New("the common name (CN) is empty")
	}
	if c := s.Subject.Country; c != "" && (len(c) != 2 || strings.ToUpper(c) < "AA" || strings.ToUpper(c) > "ZZ") {
		return s, fmt.Errorf("country %q: use the two-letter code, such as DE or US", c)
	}
	if e := s.Subject.Email; e != "" {
		if _, err := mail.ParseAddress(e); err != nil {
			return s, fmt.Errorf("e-mail %q is not an address", e)
		}
	}
	switch {
	case s.Days == 0:
		s.Days = 365
	case s.Days < 0 || s.Days > MaxDays:
		return s, fmt.Errorf("validity of %d days: give 1 to %d", s.Days, MaxDays)
	}
	for _, e := range s.Emails {
		if _, err := mail.ParseAddress(e); err != nil || strings.ContainsAny(e, "<> ") {
			return s, fmt.Errorf("e-mail SAN %q is not an address", e)
		}
	}
	for _, d := range s.DNSNames {
		if d == "" || strings.ContainsAny(d, " /:@") {
			return s, fmt.Errorf("DNS name %q is not a host name", d)
		}
	}
	cn := s.Subject.CommonName
	if ip := net.ParseIP(cn); ip != nil {
		if !containsIP(s.IPs, ip) {
			s.IPs = append([]net.IP{ip}, s.IPs...)
		}
	} else if strings.Contains(cn, "@") {
		if !containsFold(s.Emails, cn) {
			s.Emails = append([]string{cn}, s.Emails...)
		}
	} else if !strings.Contains(cn, " ") && !containsFold(s.DNSNames, cn) {
		// A CN with spaces ("Alice Smith") is a person, not a host name.
		s.DNSNames = append([]string{cn}, s.DNSNames...)
	}
	return s, nil
}

func containsIP(list []net.IP, ip net.IP) bool {
	for _, x := range list {
		if x.Equal(ip) {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// serial returns a random positive 128-bit serial number, as RFC 5280
// allows up to 20 octets and CAs use randomness against collisions.
func serial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// template is the certificate s describes, valid from a minute ago (for
// clocks slightly behind) for s.Days days. s is normalised.
func (s Spec) template(now time.Time) (*x509.Certificate, error) {
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	ku := x509.KeyUsageDigitalSignature
	if strings.HasPrefix(string(s.Key), "rsa") {
		ku |= x509.KeyUsageKeyEncipherment // TLS 1.2 RSA key exchange
	}
	return &x509.Certificate{
		SerialNumber:          sn,
		Subject:               s.Subject.name(),
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.AddDate(0, 0, s.Days),
		KeyUsage:              ku,
		ExtKeyUsage:           s.Usage.extKeyUsage(),
		BasicConstraintsValid: true,
		DNSNames:              s.DNSNames,
		IPAddresses:           s.IPs,
		EmailAddresses:        s.Emails,
	}, nil
}

// SelfSigned makes a self-signed certificate for key as s describes.
func SelfSigned(s Spec, key crypto.Signer, now time.Time) (*x509.Certificate, error) {
	s, err := s.Normalize()
	if err != nil {
		return nil, err
	}
	tmpl, err := s.template(now)
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("create certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// Request makes a PKCS#10 certificate request (DER) for key as s
// describes. The usage is not in the request: the CA decides it (Sign
// takes it as an argument).
func Request(s Spec, key crypto.Signer) ([]byte, error) {
	s, err := s.Normalize()
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:        s.Subject.name(),
		DNSNames:       s.DNSNames,
		IPAddresses:    s.IPs,
		EmailAddresses: s.Emails,
	}, key)
	if err != nil {
		return nil, fmt.Errorf("create request: %w", err)
	}
	return der, nil
}

// NewCACertificate makes a self-signed CA certificate for key: it may sign
// end-entity certificates only (path length 0). s's SANs and usage are
// ignored; the CN is the CA's name.
func NewCACertificate(s Spec, key crypto.Signer, now time.Time) (*x509.Certificate, error) {
	s.Usage = UsageClient
	s, err := s.Normalize()
	if err != nil {
		return nil, err
	}
	if s.Days == 365 {
		s.Days = 3650
	}
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               s.Subject.name(),
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.AddDate(0, 0, s.Days),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// SignRequest issues a certificate for the request csrDER, signed by ca
// with caKey, valid days days from now for usage. The request's own
// signature must verify: it proves the requester holds the key. Subject
// and SANs are copied from the request; nothing else in it is trusted.
func SignRequest(csrDER []byte, ca *x509.Certificate, caKey crypto.Signer, days int, usage Usage, now time.Time) (*x509.Certificate, error) {
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, fmt.Errorf("read request: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("the request's signature is bad, so it may not come from the key's holder: %w", err)
	}
	if !ca.IsCA {
		return nil, fmt.Errorf("%s is not a CA certificate", ca.Subject)
	}
	if usage, err = ParseUsage(string(usage)); err != nil {
		return nil, err
	}
	if days == 0 {
		days = 365
	}
	if days < 0 || days > MaxDays {
		return nil, fmt.Errorf("validity of %d days: give 1 to %d", days, MaxDays)
	}
	notAfter := now.AddDate(0, 0, days)
	if notAfter.After(ca.NotAfter) {
		notAfter = ca.NotAfter // a certificate cannot outlive its issuer
	}
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	ku := x509.KeyUsageDigitalSignature
	if csr.PublicKeyAlgorithm == x509.RSA {
		ku |= x509.KeyUsageKeyEncipherment
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               csr.Subject,
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              notAfter,
		KeyUsage:              ku,
		ExtKeyUsage:           usage.extKeyUsage(),
		BasicConstraintsValid: true,
		DNSNames:              csr.DNSNames,
		IPAddresses:           csr.IPAddresses,
		EmailAddresses:        csr.EmailAddresses,
		URIs:                  csr.URIs,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, csr.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("sign request: %w", err)
	}
	return x509.ParseCertificate(der)
}
