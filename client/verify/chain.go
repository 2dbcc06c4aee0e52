package verify

import (
	"bytes"
	"crypto/x509"
	"errors"
)

// linkStrength says how sure we are that one certificate issued another.
type linkStrength int

const (
	notLinked linkStrength = iota
	// weakLink: names and key ids match but the signature could not be
	// checked because Go refuses its algorithm (MD5) or key type (DSA).
	weakLink
	// strongLink: the signature checked out.
	strongLink
)

// issuedBy reports whether parent issued child. It does not look at whether
// parent is a CA: not_a_ca is reported separately, and the chain must still
// be displayed.
func issuedBy(child, parent *x509.Certificate) linkStrength {
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return notLinked
	}
	if len(child.AuthorityKeyId) > 0 && len(parent.SubjectKeyId) > 0 &&
		!bytes.Equal(child.AuthorityKeyId, parent.SubjectKeyId) {
		return notLinked
	}
	err := parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	if err == nil {
		return strongLink
	}
	var insecure x509.InsecureAlgorithmError
	if errors.As(err, &insecure) || errors.Is(err, x509.ErrUnsupportedAlgorithm) {
		return weakLink
	}
	return notLinked
}

// selfSigned reports whether c names itself as issuer and its own key
// matches its signature.
func selfSigned(c *x509.Certificate) bool {
	return issuedBy(c, c) != notLinked
}

func isCA(c *x509.Certificate) bool {
	return c.BasicConstraintsValid && c.IsCA
}

// buildChain links the presented certificates leaf-upward by issuer, ending
// at a self-signed certificate, at a certificate from extra (a trust anchor
// the user chose), or where no issuer is at hand. leftover holds the
// presented certificates that are not part of the chain, in their order.
func buildChain(presented, extra []*x509.Certificate) (chain, leftover []*x509.Certificate) {
	used := make([]bool, len(presented))
	used[0] = true
	chain = []*x509.Certificate{presented[0]}
	for {
		cur := chain[len(chain)-1]
		if selfSigned(cur) {
			break
		}
		next, idx := findIssuer(cur, chain, presented, used, extra)
		if next == nil {
			break
		}
		chain = append(chain, next)
		if idx < 0 {
			break // an extra root is a trust anchor; nothing above it matters
		}
		used[idx] = true
	}
	for i, c := range presented {
		if !used[i] {
			leftover = append(leftover, c)
		}
	}
	return chain, leftover
}

// findIssuer returns cur's issuer and its index in presented, or -1 when it
// came from extra. A verified signature beats a name-only match, and the
// server's own certificates beat the user's extra roots.
func findIssuer(cur *x509.Certificate, chain, presented []*x509.Certificate, used []bool, extra []*x509.Certificate) (*x509.Certificate, int) {
	var best *x509.Certificate
	bestIdx, bestStrength := 0, notLinked
	consider := func(c *x509.Certificate, idx int) {
		if inChain(chain, c) {
			return
		}
		if s := issuedBy(cur, c); s > bestStrength {
			best, bestIdx, bestStrength = c, idx, s
		}
	}
	for i, c := range presented {
		if !used[i] {
			consider(c, i)
		}
	}
	for _, c := range extra {
		consider(c, -1)
	}
	return best, bestIdx
}

func inChain(chain []*x509.Certificate, c *x509.Certificate) bool {
	for _, x := range chain {
		if x.Equal(c) {
			return true
		}
	}
	return false
}
