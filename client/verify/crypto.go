package verify

import (
	"crypto/dsa" //nolint:staticcheck // only to recognise obsolete DSA keys
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
)

// Minimum key sizes below which a key is considered breakable.
const (
	minRSABits   = 2048
	minECDSABits = 256
)

// weakSignatureProblem reports a signature made with a broken hash.
func weakSignatureProblem(level int, chain []*x509.Certificate) (Problem, bool) {
	c := chain[level]
	var hash string
	switch c.SignatureAlgorithm {
	case x509.MD2WithRSA:
		hash = "MD2"
	case x509.MD5WithRSA:
		hash = "MD5"
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
		hash = "SHA-1"
	default:
		return Problem{}, false
	}
	return newError(level, FieldSignature, CodeWeakSignature,
		"%s is signed with %s (%s), which can be forged, so its signature proves nothing. Its issuer, %q, must reissue it signed with SHA-256 or better.",
		role(level, chain), hash, c.SignatureAlgorithm, issuerName(c)), true
}

// weakKeyProblem reports a public key too small or of an obsolete type.
func weakKeyProblem(level int, chain []*x509.Certificate) (Problem, bool) {
	who := role(level, chain)
	const fix = "Ask the server's administrator for a certificate with a stronger key."
	switch k := chain[level].PublicKey.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < minRSABits {
			return newError(level, FieldKey, CodeWeakKey,
				"%s has a %d-bit RSA key, which is too short to be safe (the minimum is %d bits). %s",
				who, bits, minRSABits, fix), true
		}
	case *ecdsa.PublicKey:
		if bits := k.Curve.Params().BitSize; bits < minECDSABits {
			return newError(level, FieldKey, CodeWeakKey,
				"%s has a %d-bit ECDSA key (%s), which is too short to be safe (the minimum is P-256). %s",
				who, bits, k.Curve.Params().Name, fix), true
		}
	case *dsa.PublicKey:
		return newError(level, FieldKey, CodeWeakKey,
			"%s has a DSA key, an obsolete key type that is no longer considered safe. %s", who, fix), true
	}
	return Problem{}, false
}
