package verify

import (
	"crypto/x509"
	"errors"
	"fmt"
)

// trustProblem explains why chain, as far as it could be built, does not
// reach a trusted root.
func trustProblem(chain []*x509.Certificate) Problem {
	level := len(chain) - 1
	top := chain[level]
	switch {
	case selfSigned(top) && level == 0:
		return newError(0, FieldIssuer, CodeSelfSigned,
			"The certificate signed itself, so nothing vouches for it. Accept it only if you can compare its fingerprint with one the server's administrator gave you.")
	case selfSigned(top):
		return newError(level, FieldIssuer, CodeUnknownAuthority,
			"The chain ends at the root %q, which is not among your trusted roots. Add it to your trusted roots only if you know and trust whoever runs it.",
			certName(top))
	case level == 0 || !isCA(top):
		return newError(level, FieldChain, CodeIncompleteChain,
			"The server did not send the certificate of %q, which issued %s, and it is not among your trusted roots. If %q is an intermediate, the server's administrator must configure the full chain; if it is your organisation's own CA, add it to your trusted roots.",
			issuerName(top), lowerRole(level, chain), issuerName(top))
	}
	return newError(level, FieldIssuer, CodeUnknownAuthority,
		"The chain ends at %q, issued by %q, which is not among your trusted roots. Add %q to your trusted roots only if you know and trust whoever runs it.",
		certName(top), issuerName(top), issuerName(top))
}

// lowerRole is role for use mid-sentence.
func lowerRole(level int, chain []*x509.Certificate) string {
	r := role(level, chain)
	return "t" + r[1:]
}

// notACAProblem reports a certificate that issued the one below it without
// being allowed to issue certificates.
func notACAProblem(level int, chain []*x509.Certificate) (Problem, bool) {
	c := chain[level]
	var why string
	switch {
	case !c.BasicConstraintsValid:
		why = "it has no basic constraints, so it is not a CA"
	case !c.IsCA:
		why = "it is marked as not a CA (CA:FALSE)"
	case c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0:
		why = "its key usage does not allow signing certificates"
	default:
		return Problem{}, false
	}
	return newError(level, FieldChain, CodeNotACA,
		"%s issued %s, but %s, so it may not vouch for other certificates. The server needs a certificate issued by a proper CA.",
		role(level, chain), lowerRole(level-1, chain), why), true
}

// verifierProblem turns an x509.Verify failure that no specific check
// explained (name constraints, path length, a CA's usage limits) into a
// problem, so that Verified and the problem list never disagree.
func verifierProblem(err error, chain []*x509.Certificate) Problem {
	var host x509.HostnameError
	if errors.As(err, &host) {
		return newError(0, FieldOwner, CodeHostnameMismatch, "The certificate is not issued to %s (%v).", host.Host, err)
	}
	level := 0
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) {
		for i, c := range chain {
			if invalid.Cert != nil && c.Equal(invalid.Cert) {
				level = i
			}
		}
		switch invalid.Reason {
		case x509.IncompatibleUsage, x509.CANotAuthorizedForExtKeyUsage:
			return newError(level, FieldUsage, CodeWrongUsage,
				"The chain does not allow identifying a server: %v. The server needs a certificate whose whole chain allows server authentication.", err)
		case x509.NotAuthorizedToSign:
			return newError(level, FieldChain, CodeNotACA,
				"A certificate in the chain issued another without being a CA: %v. The server needs a certificate issued by a proper CA.", err)
		}
	}
	return newError(level, FieldIssuer, CodeChainRejected, "%s",
		fmt.Sprintf("The chain was rejected: %v. The server's administrator must fix its certificate chain.", err))
}
