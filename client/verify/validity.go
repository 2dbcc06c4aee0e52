package verify

import (
	"crypto/x509"
	"time"
)

// validityProblem reports a certificate outside, or close to the end of,
// its validity period.
func validityProblem(level int, chain []*x509.Certificate, now time.Time, soon time.Duration) (Problem, bool) {
	c := chain[level]
	who := role(level, chain)
	switch {
	case now.Before(c.NotBefore):
		return newError(level, FieldValidity, CodeNotYetValid,
			"%s is not valid until %s, %s from now. Check that this computer's clock is right; if it is, the server was given a certificate too early.",
			who, formatTime(c.NotBefore), HumanDuration(c.NotBefore.Sub(now))), true
	case now.After(c.NotAfter):
		return newError(level, FieldValidity, CodeExpired,
			"%s expired on %s, %s ago. The server's administrator must renew it; if that date looks wrong, check this computer's clock.",
			who, formatTime(c.NotAfter), HumanDuration(now.Sub(c.NotAfter))), true
	case c.NotAfter.Sub(now) < soon:
		return newWarning(level, FieldValidity, CodeExpiresSoon,
			"%s expires on %s, in %s. It still works, but the server's administrator should renew it soon.",
			who, formatTime(c.NotAfter), HumanDuration(c.NotAfter.Sub(now))), true
	}
	return Problem{}, false
}
