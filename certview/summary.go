package certview

import (
	"crypto/x509"
	"fmt"
	"time"

	"lockbox/client"
	"lockbox/client/verify"
	"lockbox/client/words"
)

// summarize writes the verdict (trusted or not, every reason in a few
// words) and the advice (what the user can do). The bool says whether the
// verdict is positive.
func summarize(chain []*x509.Certificate, problems []verify.Problem, opts ModelOptions, revoked bool) (verdict, advice string, trusted bool) {
	var errs, warns []string
	codes := map[string]bool{}
	add := func(list *[]string, c string) {
		for _, x := range *list {
			if x == c {
				return
			}
		}
		*list = append(*list, c)
	}
	for _, p := range problems {
		c := clause(p, chain, opts.DialedName, opts.Now)
		if p.Severity == verify.SeverityError {
			add(&errs, c)
			codes[p.Code] = true
		} else {
			add(&warns, c)
		}
	}
	if revoked {
		errs = append(errs, "its own stapled OCSP response says it was revoked")
		codes["revoked"] = true
	}
	if len(chain) == 0 {
		return "Not trusted: the server sent no certificate, so it cannot prove who it is.", "", false
	}

	switch client.Trust(opts.Trust) {
	case client.TrustPinChanged:
		s := "Not trusted: the server now shows a different certificate from the one you accepted for it"
		if rest := without(errs, clauseFor(verify.CodePinMismatch)); len(rest) > 0 {
			s += "; also, " + words.List(rest)
		}
		return s + ".", "Do not continue unless the server's administrator confirms that the certificate was replaced.", false
	case client.TrustPinned:
		if revoked {
			break
		}
		s := "Trusted because you accepted (pinned) this exact certificate for this server."
		if len(errs) > 0 {
			s += " Without the pin it would not be: " + words.List(errs) + "."
		}
		return s, "", true
	case client.TrustAcceptedOnce:
		if revoked {
			break
		}
		s := "Accepted for this session only"
		if len(errs) > 0 {
			s += ", although " + words.List(errs)
		}
		return s + ".", "", true
	}

	if len(errs) == 0 && client.Trust(opts.Trust) != client.TrustUntrusted {
		s := "Trusted: " + anchorPhrase(chain) + " and every check passed."
		if len(warns) > 0 {
			s = "Trusted: " + anchorPhrase(chain) + ", but " + words.List(warns) + "."
		}
		return s, "", true
	}
	if len(errs) == 0 {
		s := "Not trusted."
		if len(warns) > 0 {
			s += " Note: " + words.List(warns) + "."
		}
		return s, "", false
	}
	return "Not trusted: " + words.List(errs) + ".", adviceFor(codes), false
}

// clauseFor is the clause of a code that does not depend on the chain.
func clauseFor(code string) string {
	return clause(verify.Problem{Code: code}, nil, "", time.Time{})
}

func without(list []string, drop string) []string {
	var out []string
	for _, x := range list {
		if x != drop {
			out = append(out, x)
		}
	}
	return out
}

func anchorPhrase(chain []*x509.Certificate) string {
	top := chain[len(chain)-1]
	if top != nil && len(chain) > 1 && client.IsSelfSigned(top) {
		return fmt.Sprintf("the chain leads to the trusted root %q", certTitle(top))
	}
	return "the chain leads to a trusted root"
}

// clause says in a few words what p is about, to be joined into a sentence.
func clause(p verify.Problem, chain []*x509.Certificate, dialed string, now time.Time) string {
	var c *x509.Certificate
	if p.Level >= 0 && p.Level < len(chain) {
		c = chain[p.Level]
	}
	who := "it"
	if p.Level > 0 && c != nil {
		who = fmt.Sprintf("the %s certificate %q", roleOf(p.Level, chain), certTitle(c))
	}
	if c == nil {
		switch p.Code {
		case verify.CodePinMismatch:
			return "it is not the certificate you pinned for this server"
		case verify.CodeIncompleteChain:
			return "the server sent no certificate"
		}
		return humanCode(p.Code)
	}
	switch p.Code {
	case verify.CodeSelfSigned:
		if p.Level == 0 {
			return "the certificate is self-signed"
		}
		return who + " is self-signed"
	case verify.CodeUnknownAuthority:
		top := chain[len(chain)-1]
		if top != nil && client.IsSelfSigned(top) {
			return fmt.Sprintf("its root %q is not among your trusted roots", certTitle(top))
		}
		return fmt.Sprintf("its issuer %q is not among your trusted roots", issuerTitle(c))
	case verify.CodeIncompleteChain:
		of := "it"
		if p.Level > 0 {
			of = fmt.Sprintf("%q", certTitle(c))
		}
		return fmt.Sprintf("the certificate of %q, which issued %s, is missing", issuerTitle(c), of)
	case verify.CodeNotACA:
		return fmt.Sprintf("%q issued a certificate without being a CA", certTitle(c))
	case verify.CodeHostnameMismatch:
		if h := normalizeHost(dialed); h != "" {
			return "its name does not match " + h
		}
		return "its name does not match the server's"
	case verify.CodeExpired:
		return fmt.Sprintf("%s expired %s ago", who, durationPhrase(c.NotAfter.Sub(now)))
	case verify.CodeNotYetValid:
		return fmt.Sprintf("%s is not valid for another %s", who, durationPhrase(c.NotBefore.Sub(now)))
	case verify.CodeExpiresSoon:
		return fmt.Sprintf("%s expires in %s", who, durationPhrase(c.NotAfter.Sub(now)))
	case verify.CodeWrongUsage:
		if p.Level == 0 {
			return "it may not be used to identify a server"
		}
		return who + " does not allow identifying a server"
	case verify.CodeWeakSignature:
		return fmt.Sprintf("%s is signed with a weak algorithm (%s)", who, c.SignatureAlgorithm)
	case verify.CodeWeakKey:
		return fmt.Sprintf("%s has a weak key (%s)", who, client.PublicKeyName(c))
	case verify.CodePinMismatch:
		return "it is not the certificate you pinned for this server"
	}
	return who + ": " + humanCode(p.Code)
}

func issuerTitle(c *x509.Certificate) string {
	switch {
	case c.Issuer.CommonName != "":
		return c.Issuer.CommonName
	case c.Issuer.String() != "":
		return c.Issuer.String()
	}
	return "its issuer"
}

func adviceFor(codes map[string]bool) string {
	switch {
	case codes[verify.CodePinMismatch]:
		return "Do not continue unless the server's administrator confirms that the certificate was replaced."
	case codes["revoked"]:
		return "Do not continue: the server's administrator must replace the certificate."
	case codes[verify.CodeSelfSigned]:
		return "Accept it only if its SHA-256 fingerprint matches one the server's administrator gave you; otherwise ask the administrator for a certificate from a trusted authority."
	case codes[verify.CodeIncompleteChain]:
		return "Ask the server's administrator to install the full certificate chain, including the intermediate certificates."
	case codes[verify.CodeUnknownAuthority]:
		return "Trust that root only if you know and trust whoever runs it; otherwise ask the administrator for a certificate from a trusted authority."
	}
	return "Ask the server's administrator to fix what is marked Invalid below."
}
