package tlstap

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"

	"lockbox/client/trace"
	"lockbox/client/words"
)

// certificate handles a TLS 1.2 Certificate message from either side.
func (c *Conn) certificate(s *side, body []byte) error {
	in := cryptobyte.String(body)
	var list cryptobyte.String
	if !in.ReadUint24LengthPrefixed(&list) || !in.Empty() {
		return fmt.Errorf("certificate: %w", errTruncated)
	}
	var leaf []byte
	count := 0
	for !list.Empty() {
		var der cryptobyte.String
		if !list.ReadUint24LengthPrefixed(&der) {
			return fmt.Errorf("certificate: %w", errTruncated)
		}
		if count == 0 {
			leaf = der
		}
		count++
	}
	summary := words.Plural(count, "certificate")
	if count > 0 {
		summary += "; " + leafSubject(leaf)
	}
	if s.dir == trace.Send {
		explain := "The client sent its own certificate to prove who it is to the server."
		if count == 0 {
			summary = "no certificate sent"
			explain = "The server asked for a client certificate but the client had none to offer, so it sent an empty list."
		}
		s.add("client_certificate", summary, explain)
		return nil
	}
	c.facts.ServerCertificates = count
	s.add("certificate", summary, "The server sent its certificate: its identity card, signed by the issuer shown.")
	return nil
}

// leafSubject describes the first certificate of a chain.
func leafSubject(der []byte) string {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return "first certificate does not parse as X.509"
	}
	if cn := cert.Subject.CommonName; cn != "" {
		return "leaf CN " + printable(cn)
	}
	if subj := cert.Subject.String(); subj != "" {
		return "leaf " + printable(subj)
	}
	return "leaf has an empty subject"
}

// serverKeyExchange handles a TLS 1.2 ServerKeyExchange.
func (c *Conn) serverKeyExchange(s *side, body []byte) error {
	const namedCurve = 3
	in := cryptobyte.String(body)
	var curveType uint8
	var curve uint16
	summary := fmt.Sprintf("key exchange parameters, %d bytes", len(body))
	if in.ReadUint8(&curveType) && curveType == namedCurve && in.ReadUint16(&curve) {
		c.facts.Group = tls.CurveID(curve)
		summary = "ECDHE with " + c.facts.Group.String()
	}
	s.add("server_key_exchange", summary,
		"The server sent its half of the key agreement, signed with its certificate's key.")
	return nil
}

// certificateRequest handles a TLS 1.2 (or older) CertificateRequest.
func (c *Conn) certificateRequest(s *side, body []byte) error {
	in := cryptobyte.String(body)
	var types, sigAlgs, cas cryptobyte.String
	if !in.ReadUint8LengthPrefixed(&types) {
		return fmt.Errorf("certificate_request: %w", errTruncated)
	}
	// Signature algorithms were added to this message in TLS 1.2.
	if c.facts.Version >= tls.VersionTLS12 && !in.ReadUint16LengthPrefixed(&sigAlgs) {
		return fmt.Errorf("certificate_request: %w", errTruncated)
	}
	if !in.ReadUint16LengthPrefixed(&cas) || !in.Empty() {
		return fmt.Errorf("certificate_request: %w", errTruncated)
	}
	var names []string
	for !cas.Empty() {
		var dn cryptobyte.String
		if !cas.ReadUint16LengthPrefixed(&dn) {
			return fmt.Errorf("certificate_request: CA names: %w", errTruncated)
		}
		names = append(names, distinguishedName(dn))
	}
	c.facts.CertificateRequested = true
	c.facts.AcceptableCAs = names
	summary := "any issuer (no CA names given)"
	if len(names) > 0 {
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = printable(n)
		}
		summary = words.Plural(len(names), "acceptable CA") + ": " + strings.Join(quoted, "; ")
	}
	s.add("certificate_request", summary,
		"The server asks the client to prove who it is with a certificate from one of the issuers listed.")
	return nil
}

// distinguishedName renders a DER distinguished name readably.
func distinguishedName(der []byte) string {
	var rdn pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &rdn)
	if err != nil || len(rest) > 0 {
		return fmt.Sprintf("unreadable name (%d bytes)", len(der))
	}
	var name pkix.Name
	name.FillFromRDNSequence(&rdn)
	return name.String()
}

// clientKeyExchange handles a TLS 1.2 ClientKeyExchange.
func (c *Conn) clientKeyExchange(s *side, body []byte) error {
	summary := fmt.Sprintf("%d bytes", len(body))
	in := cryptobyte.String(body)
	var pub cryptobyte.String
	if c.facts.Group != 0 && in.ReadUint8LengthPrefixed(&pub) && in.Empty() {
		summary = fmt.Sprintf("public key for %s, %d bytes", c.facts.Group, len(pub))
	}
	s.add("client_key_exchange", summary,
		"The client sent its half of the key agreement; from now on both sides can compute the same secret keys.")
	return nil
}

// certificateVerify handles a TLS 1.2 CertificateVerify.
func (c *Conn) certificateVerify(s *side, body []byte) error {
	summary := fmt.Sprintf("signature, %d bytes", len(body))
	in := cryptobyte.String(body)
	var scheme uint16
	var sig cryptobyte.String
	if c.facts.Version >= tls.VersionTLS12 && in.ReadUint16(&scheme) && in.ReadUint16LengthPrefixed(&sig) && in.Empty() {
		summary = "signed with " + tls.SignatureScheme(scheme).String()
	}
	s.add("certificate_verify", summary,
		"The client signed the conversation so far, proving it holds the private key of its certificate.")
	return nil
}

// newSessionTicket handles a TLS 1.2 NewSessionTicket.
func (c *Conn) newSessionTicket(s *side, body []byte) error {
	in := cryptobyte.String(body)
	var lifetime uint32
	var ticket cryptobyte.String
	if !in.ReadUint32(&lifetime) || !in.ReadUint16LengthPrefixed(&ticket) || !in.Empty() {
		return fmt.Errorf("new_session_ticket: %w", errTruncated)
	}
	s.add("new_session_ticket",
		fmt.Sprintf("ticket of %d bytes, lifetime hint %s", len(ticket), lifetimeText(lifetime)),
		"The server gave the client a ticket to resume this session later without a full handshake.")
	return nil
}
