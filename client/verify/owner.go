package verify

import (
	"crypto/x509"
	"fmt"
	"net"
	"strings"

	"lockbox/client/words"
)

// hostnameProblem reports a leaf that is not issued to serverName.
func hostnameProblem(leaf *x509.Certificate, serverName string) (Problem, bool) {
	if serverName == "" || leaf.VerifyHostname(serverName) == nil {
		return Problem{}, false
	}
	host := strings.TrimSuffix(strings.TrimPrefix(serverName, "["), "]")
	dialedIP := net.ParseIP(host) != nil
	var names []string
	names = append(names, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}

	var msg string
	if len(names) == 0 {
		msg = fmt.Sprintf("The certificate lists no names at all, so it cannot prove it belongs to %s.", host)
	} else {
		msg = fmt.Sprintf("The certificate is issued to %s, not to %s.", words.ListAtMost(names, maxListed), host)
	}
	if cnMatches(leaf, serverName) {
		msg += fmt.Sprintf(" Only its common name (%s) matches, and clients ignore the common name: the name must be in the certificate's Subject Alternative Names, so the administrator must reissue it.", leaf.Subject.CommonName)
		return newError(0, FieldOwner, CodeHostnameMismatch, "%s", msg), true
	}
	switch {
	case dialedIP && len(leaf.DNSNames) > 0:
		msg += " If you connected by IP address, connect by a name the certificate lists."
	case !dialedIP && len(leaf.IPAddresses) > 0 && len(leaf.DNSNames) == 0:
		msg += " Connect by the IP address the certificate lists, or ask the administrator for a certificate that includes " + host + "."
	case len(names) > 0:
		msg += " Connect using a name the certificate lists, or ask the administrator for a certificate that includes " + host + "."
	default:
		msg += " Ask the administrator for a certificate that includes " + host + "."
	}
	return newError(0, FieldOwner, CodeHostnameMismatch, "%s", msg), true
}

// cnMatches reports whether the subject common name would have matched under
// the obsolete rule that fell back to it, to explain a confusing mismatch.
func cnMatches(leaf *x509.Certificate, serverName string) bool {
	cn := leaf.Subject.CommonName
	if cn == "" {
		return false
	}
	probe := &x509.Certificate{DNSNames: []string{cn}}
	if ip := net.ParseIP(cn); ip != nil {
		probe.IPAddresses = []net.IP{ip}
	}
	return probe.VerifyHostname(serverName) == nil
}
