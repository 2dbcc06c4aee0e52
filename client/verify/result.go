package verify

import (
	"crypto/x509"
	"time"
)

// DefaultSoonWindow is how close to expiry a certificate draws a warning
// when Options.SoonWindow is zero.
const DefaultSoonWindow = 30 * 24 * time.Hour

// Options controls a Check.
type Options struct {
	// ServerName is the name dialed (host name or IP literal); "" skips the
	// hostname check.
	ServerName string
	// Roots are the trusted roots; nil means the system roots.
	Roots *x509.CertPool
	// ExtraRoots are roots the user added (--ca). They are trusted in
	// addition to Roots and are also used to build chains for display.
	ExtraRoots []*x509.Certificate
	// Now is the time to check validity at; zero means time.Now().
	Now time.Time
	// SoonWindow is how much remaining validity draws an expires_soon
	// warning; zero means DefaultSoonWindow.
	SoonWindow time.Duration
}

func (o Options) withDefaults() Options {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.SoonWindow == 0 {
		o.SoonWindow = DefaultSoonWindow
	}
	return o
}

// Result is the outcome of a Check.
type Result struct {
	// Chain is the chain for display, level 0 = leaf: the verified chain
	// including its root when one exists, else the presented certificates
	// linked leaf-upward (plus a matching root from ExtraRoots), then any
	// presented certificates that are not part of the chain.
	Chain []*x509.Certificate
	// Verified is true when x509 verification to a trusted root, the
	// hostname and server-auth usage all succeed and no problem is an error.
	Verified bool
	// Problems are sorted by level, then field.
	Problems []Problem
}

// HasErrors reports whether any problem has error severity.
func (r Result) HasErrors() bool {
	return HasErrors(r.Problems)
}

// HasErrors reports whether any of ps has error severity.
func HasErrors(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}
