package client

import (
	"context"
	"crypto/x509"
	"sync/atomic"
	"time"

	"lockbox/client/identity"
	"lockbox/client/trace"
	"lockbox/client/trust"
	"lockbox/client/verify"
)

// Choice is the user's answer to an untrusted certificate.
type Choice int

// The answers a user can give to an untrusted certificate.
const (
	// Reject ends the connection.
	Reject Choice = iota
	// AcceptOnce trusts the certificate for this session only.
	AcceptOnce
	// AcceptAlways pins the certificate for this host:port.
	AcceptAlways
	// TrustIssuingCA adds the CA that issued the certificate
	// (Decision.IssuingCA) to Options.TrustedCAs for every server, then
	// verifies the chain against it.
	TrustIssuingCA
	// TrustIssuingCAForSite is TrustIssuingCA for Options.Site only.
	TrustIssuingCAForSite
)

// Decision is what the user is shown when a certificate is not trusted.
type Decision struct {
	// HostPort is the host:port the certificate is for (what a pin is keyed on).
	HostPort string
	// Report holds the chain, the problems and, for a changed pin, the comparison.
	Report *Report
}

// IssuingCA returns the CA certificate "trust the issuing CA" would add,
// or nil when that may not be offered. It is offered only when the chain
// the server sent ends in a real CA certificate (basic constraints
// CA:TRUE) that is unknown, and the only errors are that the issuer is
// unknown or the chain incomplete: never for a self-signed leaf, and never
// when trusting the CA would still leave the certificate wrong (another
// name, expired).
func (d Decision) IssuingCA() *x509.Certificate {
	if d.Report == nil || len(d.Report.Certificates) < 2 {
		return nil
	}
	unknown := false
	for _, p := range d.Report.Problems {
		if p.Severity != verify.SeverityError {
			continue
		}
		switch p.Code {
		case verify.CodeUnknownAuthority, verify.CodeIncompleteChain:
			unknown = true
		default:
			return nil
		}
	}
	last := d.Report.Certificates[len(d.Report.Certificates)-1]
	if !unknown || !trust.IsCA(last) {
		return nil
	}
	return last
}

// CanPin reports whether "always accept" may be offered: never for a
// certificate that is expired or uses a weak algorithm, which may only be
// accepted once.
func (d Decision) CanPin() bool {
	for _, p := range d.Report.Problems {
		switch p.Code {
		case "expired", "not_yet_valid", "weak_signature", "weak_key":
			return false
		}
	}
	return true
}

// IdentityRequest is what ChooseIdentity is shown: the server asked for a
// client certificate.
type IdentityRequest struct {
	// HostPort is the server's host:port.
	HostPort string
	// AcceptableCAs are the distinguished names of the CAs the server said
	// it accepts (none means any).
	AcceptableCAs []string
	// AcceptableCADER are the same names, DER-encoded, for
	// identity.Identity.Matches.
	AcceptableCADER [][]byte
}

// Options configure a connection. The zero value verifies against the system
// roots, with no client certificate and no pins.
type Options struct {
	// ServerName overrides the name checked against the certificate (and sent
	// as SNI); by default it is the URL's host.
	ServerName string
	// ExtraRoots are CA certificates trusted in addition to (or, with
	// NoSystemRoots, instead of) the system roots.
	ExtraRoots    []*x509.Certificate
	NoSystemRoots bool
	// Identity is the client certificate to present when a server asks.
	Identity *identity.Identity
	// ChooseIdentity is asked when a server requests a client certificate
	// and Identity is nil. It runs during the handshake, with the
	// connection's deadline lifted as for Decide; returning nil sends no
	// certificate. Its answer is remembered for the session (and a pool's
	// later connections), so it is asked at most once. nil sends none.
	ChooseIdentity func(ctx context.Context, r IdentityRequest) *identity.Identity
	// DisableEPSV makes passive data connections use PASV only, for
	// servers (or middleboxes) that mishandle EPSV.
	DisableEPSV bool
	// MDTMWrite lets SetModTime use MDTM with two arguments when the
	// server announces MDTM but no MFMT: vsftpd with mdtm_write=YES (its
	// default) takes "MDTM YYYYMMDDHHMMSS path". Another server would read
	// the time as part of a file name and refuse it (550): the time is then
	// only not kept, as without the option.
	MDTMWrite bool
	// Mode says who opens data connections: passive (the default), active
	// or auto (passive, falling back to active when passive is refused).
	Mode DataMode
	// Active places active mode's listening socket.
	Active ActiveOptions
	// wentActive is shared by a pool's sessions: once one of them fell
	// back to active mode (ModeAuto), later ones start in it.
	wentActive *atomic.Bool
	// MinVersion and MaxVersion bound the TLS versions (tls.VersionTLS12...); 0 = default.
	MinVersion, MaxVersion uint16
	// Timeout bounds the whole connect (TCP, banner, TLS handshake) and each
	// later network read or write; 0 means 30 seconds.
	Timeout time.Duration
	// TrustedCAs are the CAs the user trusts beyond the system's; those for
	// every site and those for Site are added to ExtraRoots, and "trust the
	// issuing CA" adds to it. nil means none.
	TrustedCAs *trust.CAStore
	// Site is the saved site being connected to ("" for a bare URL): it
	// selects the per-site TrustedCAs.
	Site string
	// Pins is the store of accepted certificates; nil means no pins.
	Pins *trust.Store
	// TLSSeen records each FTP host:port where TLS was negotiated; a server
	// in it that later refuses AUTH TLS, or a plain ftp:// URL to it, is
	// refused as a possible downgrade attack. nil disables both.
	TLSSeen *trust.SeenStore
	// Observer receives each step as it happens; may be nil.
	Observer trace.Observer
	// Decide is asked when the certificate is not trusted. It runs during the
	// handshake; nil rejects. Its answer is remembered for the session.
	Decide func(ctx context.Context, d Decision) Choice
	// ExpectedFingerprints, when set, trust exactly the certificates with
	// these SHA-256 fingerprints (lowercase hex, as trust.ParseFingerprint
	// returns) for this connection, as WinSCP's -certificate does: a leaf
	// that matches one is trusted (as pinned, if its chain is not
	// verified); one that matches none is refused, even with a verified
	// chain or a pin, and nobody is asked.
	ExpectedFingerprints []string
	// Proxy, when set, relays every connection (control, passive data,
	// HTTPS) through a SOCKS5 or HTTP CONNECT proxy; nil dials directly.
	Proxy *Proxy
	// AllowPlaintext permits sending a password over plain ftp://.
	AllowPlaintext bool
	// Now is the clock used for validity checks; nil means time.Now.
	Now func() time.Time
}

func (o *Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return 30 * time.Second
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}
