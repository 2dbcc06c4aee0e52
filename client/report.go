package client

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"time"

	"lockbox/client/trace"
	"lockbox/client/trust"
	"lockbox/client/verify"
)

// Trust says why a connection was (or was not) trusted.
type Trust string

// The trust outcomes of a connection.
const (
	// TrustVerified: the chain leads to a trusted root and every check passed.
	TrustVerified Trust = "verified"
	// TrustPinned: the user accepted exactly this certificate for this host:port before.
	TrustPinned Trust = "pinned"
	// TrustAcceptedOnce: the user accepted the certificate for this session only.
	TrustAcceptedOnce Trust = "accepted_once"
	// TrustUntrusted: the certificate failed verification and nobody accepted it.
	TrustUntrusted Trust = "untrusted"
	// TrustPinChanged: a certificate was pinned for this host:port and the server now shows another.
	TrustPinChanged Trust = "pin_changed"
)

// Report is everything Lockbox learned about one connection: its steps, the
// TLS parameters, the chain, every problem with it and the trust decision.
// It is what `lockbox inspect --json` prints.
type Report struct {
	URL               string           `json:"url"`
	Address           string           `json:"address"`
	Steps             []trace.Step     `json:"steps"`
	TLS               *TLSInfo         `json:"tls"`
	ClientCertificate ClientCertInfo   `json:"client_certificate"`
	Chain             []CertInfo       `json:"chain"`
	Problems          []verify.Problem `json:"problems"`
	Trusted           bool             `json:"trusted"`
	Trust             Trust            `json:"trust"`
	// PinChange describes how the certificate differs from the pinned one.
	PinChange *PinChangeInfo `json:"pin_change,omitempty"`
	// Error is the failure that ended the connection, if any.
	Error string `json:"error,omitempty"`

	// Certificates is the chain as parsed certificates, level 0 first.
	Certificates []*x509.Certificate `json:"-"`
	// OCSPResponse is the stapled OCSP response (DER), if the server sent one.
	OCSPResponse []byte `json:"-"`
	// SCTs are the signed certificate timestamps sent in the handshake.
	SCTs [][]byte `json:"-"`
}

// TLSInfo is what the handshake negotiated.
type TLSInfo struct {
	Version     string `json:"version"`
	CipherSuite string `json:"cipher_suite"`
	Group       string `json:"group"`
	Resumed     bool   `json:"resumed"`
	ALPN        string `json:"alpn"`
	ServerName  string `json:"server_name"`
	// OCSPStapled and SCTs say what came with the certificate.
	OCSPStapled bool `json:"ocsp_stapled"`
	SCTs        int  `json:"scts"`
}

// ClientCertInfo records whether the server asked for a client certificate,
// which CAs it would accept and what was sent.
type ClientCertInfo struct {
	Requested     bool     `json:"requested"`
	AcceptableCAs []string `json:"acceptable_cas"`
	// Sent is the subject of the certificate sent, nil when none was.
	Sent *string `json:"sent"`
}

// PinChangeInfo is the comparison between the pinned certificate and the one shown.
type PinChangeInfo struct {
	Old           trust.Pin `json:"old"`
	NewSHA256     string    `json:"new_sha256"`
	SameKey       bool      `json:"same_key"`
	SameIssuer    bool      `json:"same_issuer"`
	SameSubject   bool      `json:"same_subject"`
	LikelyRenewal bool      `json:"likely_renewal"`
	Verdict       string    `json:"verdict"`
}

// CertInfo is one certificate of the chain as the report shows it.
type CertInfo struct {
	Level              int       `json:"level"`
	Subject            string    `json:"subject"`
	Issuer             string    `json:"issuer"`
	Serial             string    `json:"serial"`
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	DNSNames           []string  `json:"dns_names"`
	IPAddresses        []string  `json:"ip_addresses"`
	PublicKey          string    `json:"public_key"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	SHA256             string    `json:"sha256"`
	SPKISHA256         string    `json:"spki_sha256"`
	SelfSigned         bool      `json:"self_signed"`
	IsCA               bool      `json:"is_ca"`
	ExtKeyUsage        []string  `json:"ext_key_usage"`
}

// DescribeCert summarises c, found at the given level of a chain.
func DescribeCert(level int, c *x509.Certificate) CertInfo {
	sum := sha256.Sum256(c.Raw)
	ci := CertInfo{
		Level:              level,
		Subject:            c.Subject.String(),
		Issuer:             c.Issuer.String(),
		Serial:             hex.EncodeToString(c.SerialNumber.Bytes()),
		NotBefore:          c.NotBefore.UTC(),
		NotAfter:           c.NotAfter.UTC(),
		DNSNames:           append([]string{}, c.DNSNames...),
		IPAddresses:        []string{},
		PublicKey:          PublicKeyName(c),
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
		SHA256:             hex.EncodeToString(sum[:]),
		SPKISHA256:         trust.SPKIHash(c),
		SelfSigned:         IsSelfSigned(c),
		IsCA:               c.BasicConstraintsValid && c.IsCA,
		ExtKeyUsage:        extKeyUsageNames(c),
	}
	for _, ip := range c.IPAddresses {
		ci.IPAddresses = append(ci.IPAddresses, ip.String())
	}
	return ci
}

// PublicKeyName names a certificate's key the way people say it: "RSA 2048",
// "ECDSA P-256", "Ed25519".
func PublicKeyName(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return c.PublicKeyAlgorithm.String()
}

// IsSelfSigned reports whether c names itself as issuer and its own key
// verifies its signature.
func IsSelfSigned(c *x509.Certificate) bool {
	if string(c.RawIssuer) != string(c.RawSubject) {
		return false
	}
	err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
	if _, weak := err.(x509.InsecureAlgorithmError); weak {
		// Go refuses to check MD5/SHA-1 signatures; the names are enough to say
		// what the certificate claims, and weak_signature reports the rest.
		return true
	}
	return err == nil
}

// DistinguishedName renders a DER-encoded name (as in a CertificateRequest's
// list of acceptable CAs) as "CN=...,O=...".
func DistinguishedName(der []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) > 0 {
		return fmt.Sprintf("(unparsable name, %d bytes)", len(der))
	}
	var n pkix.Name
	n.FillFromRDNSequence(&seq)
	return n.String()
}

func tlsInfo(cs tls.ConnectionState) *TLSInfo {
	info := &TLSInfo{
		Version:     tls.VersionName(cs.Version),
		CipherSuite: tls.CipherSuiteName(cs.CipherSuite),
		Resumed:     cs.DidResume,
		ALPN:        cs.NegotiatedProtocol,
		ServerName:  cs.ServerName,
		OCSPStapled: len(cs.OCSPResponse) > 0,
		SCTs:        len(cs.SignedCertificateTimestamps),
	}
	if cs.CurveID != 0 {
		info.Group = cs.CurveID.String()
	}
	return info
}

func extKeyUsageNames(c *x509.Certificate) []string {
	if names := verify.ExtKeyUsageNames(c); names != nil {
		return names
	}
	return []string{}
}

// find returns the first step with that name on that connection.
var find = trace.Find
