package tlstap

import "crypto/tls"

// Facts is what the tap learnt from the plaintext part of the handshake.
// Fields the tap could not see (TLS 1.3 encrypts everything after the
// ServerHello) stay at their zero value.
type Facts struct {
	// OfferedVersions are the versions the client offered, most preferred
	// first: its supported_versions extension, else its legacy version.
	OfferedVersions []uint16
	// SNI is the server name the client asked for, "" if none.
	SNI string
	// ALPN are the application protocols the client offered.
	ALPN []string
	// CipherSuitesOffered counts the client's cipher suites (GREASE values
	// excluded).
	CipherSuitesOffered int
	// GroupsOffered are the client's supported groups (GREASE excluded).
	GroupsOffered []tls.CurveID

	// Version is the negotiated version: supported_versions in the
	// ServerHello, else its legacy version.
	Version uint16
	// CipherSuite is the cipher suite the server picked.
	CipherSuite uint16
	// Group is the key exchange group: the ServerHello key share in TLS 1.3,
	// the named curve of the ServerKeyExchange in TLS 1.2.
	Group tls.CurveID
	// Resumed reports session resumption: a pre_shared_key in the TLS 1.3
	// ServerHello, or in TLS 1.2 a server echoing the client's non-empty
	// session id.
	Resumed bool
	// HelloRetry reports that the server sent a HelloRetryRequest.
	HelloRetry bool

	// CertificateRequested reports a TLS 1.2 CertificateRequest (the TLS 1.3
	// one is encrypted).
	CertificateRequested bool
	// AcceptableCAs are the distinguished names listed in that request.
	AcceptableCAs []string
	// ServerCertificates counts the certificates in the server's TLS 1.2
	// Certificate message.
	ServerCertificates int

	// Encrypted reports that the handshake went encrypted: TLS 1.3 after the
	// ServerHello, TLS 1.2 after a ChangeCipherSpec.
	Encrypted bool
	// Alert is the last plaintext alert seen, e.g.
	// "fatal: handshake_failure (40)", "" if none.
	Alert string
}
