package verify

import (
	"crypto/x509"
	"errors"
	"time"
)

// verifier runs x509.Verify against the trusted roots with the server's
// certificates as intermediates.
type verifier struct {
	roots         *x509.CertPool
	intermediates *x509.CertPool
	now           time.Time
}

func newVerifier(presented []*x509.Certificate, opts Options) verifier {
	inter := x509.NewCertPool()
	for _, c := range presented[1:] {
		inter.AddCert(c)
	}
	return verifier{roots: trustPool(opts), intermediates: inter, now: opts.Now}
}

// trustPool combines Roots (or the system roots) with ExtraRoots without
// modifying the caller's pool.
func trustPool(opts Options) *x509.CertPool {
	pool := opts.Roots
	switch {
	case pool == nil:
		sys, err := x509.SystemCertPool()
		if err != nil {
			// Without system roots only the user's own roots can vouch;
			// the resulting unknown_authority says so.
			sys = x509.NewCertPool()
		}
		pool = sys
	case len(opts.ExtraRoots) > 0:
		pool = pool.Clone()
	}
	for _, c := range opts.ExtraRoots {
		pool.AddCert(c)
	}
	return pool
}

// strict is the verification a normal TLS client would do.
func (v verifier) strict(leaf *x509.Certificate, serverName string) ([]*x509.Certificate, error) {
	chains, err := leaf.Verify(x509.VerifyOptions{
		DNSName:       serverName,
		Roots:         v.roots,
		Intermediates: v.intermediates,
		CurrentTime:   v.now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return nil, err
	}
	return shortest(chains), nil
}

// maxTimeRetries bounds how often relaxed widens its view of which
// certificates' validity windows the check time must fall into.
const maxTimeRetries = 3

// relaxed learns whether c chains to a trusted root at all, with hostname,
// usage and time removed as causes of failure: those are reported per
// certificate instead. window holds certificates whose validity the check
// time should fall into; certificates found to be out of date on the way are
// added to it.
func (v verifier) relaxed(c *x509.Certificate, window []*x509.Certificate) ([]*x509.Certificate, error) {
	window = append([]*x509.Certificate{c}, window...)
	at := checkTime(v.now, window)
	var err error
	for range maxTimeRetries {
		var chains [][]*x509.Certificate
		chains, err = c.Verify(x509.VerifyOptions{
			Roots:         v.roots,
			Intermediates: v.intermediates,
			CurrentTime:   at,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
		if err == nil {
			return shortest(chains), nil
		}
		var invalid x509.CertificateInvalidError
		if !errors.As(err, &invalid) || invalid.Reason != x509.Expired || invalid.Cert == nil {
			return nil, err
		}
		window = append(window, invalid.Cert)
		next := checkTime(v.now, window)
		if next.Equal(at) {
			return nil, err
		}
		at = next
	}
	return nil, err
}

// checkTime is now moved, if needed, into the period when every certificate
// in certs is valid. If there is no such period, now is returned and the
// validity problems are reported anyway.
func checkTime(now time.Time, certs []*x509.Certificate) time.Time {
	lo, hi := certs[0].NotBefore, certs[0].NotAfter
	for _, c := range certs[1:] {
		if c.NotBefore.After(lo) {
			lo = c.NotBefore
		}
		if c.NotAfter.Before(hi) {
			hi = c.NotAfter
		}
	}
	switch {
	case lo.After(hi):
		return now
	case now.Before(lo):
		return lo
	case now.After(hi):
		return hi
	}
	return now
}

func shortest(chains [][]*x509.Certificate) []*x509.Certificate {
	best := chains[0]
	for _, c := range chains[1:] {
		if len(c) < len(best) {
			best = c
		}
	}
	return best
}

// rejectedCandidate reports whether x509 found a would-be issuer but threw
// it out, e.g. because its signature uses SHA-1. The reason is unexported,
// but it changes the error text, which is all we need to know.
func rejectedCandidate(err error) bool {
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		return false
	}
	return ua.Error() != (x509.UnknownAuthorityError{Cert: ua.Cert}).Error()
}
