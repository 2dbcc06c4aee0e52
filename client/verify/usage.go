package verify

import (
	"crypto/x509"

	"lockbox/client/words"
)

// allowsServerAuth mirrors x509.Verify: a certificate without extended key
// usages allows everything; otherwise it must list server auth or any.
func allowsServerAuth(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageServerAuth || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

// usageProblem reports a certificate whose extended key usage rules out
// identifying a server. x509.Verify applies this to every level, since a CA
// restricts everything beneath it, so we do too.
func usageProblem(level int, chain []*x509.Certificate) (Problem, bool) {
	c := chain[level]
	if allowsServerAuth(c) {
		return Problem{}, false
	}
	allowed := words.ListAtMost(ExtKeyUsageNames(c), maxListed)
	if level == 0 {
		return newError(level, FieldUsage, CodeWrongUsage,
			"The server's certificate may only be used for %s, not for identifying a server. The administrator must use a certificate issued for server authentication.",
			allowed), true
	}
	return newError(level, FieldUsage, CodeWrongUsage,
		"%s limits every certificate beneath it to %s, which excludes identifying a server. The server needs a certificate from a CA that allows server authentication.",
		role(level, chain), allowed), true
}
