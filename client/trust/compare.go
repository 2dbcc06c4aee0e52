package trust

import (
	"crypto/x509"
	"fmt"
	"strings"
)

// PinChange describes how a server's certificate differs from its pin.
type PinChange struct {
	// Old is the pin the certificate was compared with.
	Old Pin
	// SameKey, SameIssuer and SameSubject say which parts are unchanged.
	SameKey, SameIssuer, SameSubject bool
	// LikelyRenewal is true when the key and issuer are both unchanged.
	LikelyRenewal bool
	// Verdict is a plain sentence for the user.
	Verdict string
}

// Compare tells how leaf differs from old. The bool is false when leaf is
// exactly the pinned certificate, and the PinChange is then empty.
func Compare(old Pin, leaf *x509.Certificate) (PinChange, bool) {
	if leaf == nil {
		return PinChange{Old: old, Verdict: "the server presented no certificate, so it cannot match the pinned one"}, true
	}
	newFP := Fingerprint(leaf.Raw)
	if newFP == old.SHA256 {
		return PinChange{}, false
	}
	c := PinChange{
		Old:         old,
		SameKey:     old.SPKISHA256 != "" && SPKIHash(leaf) == old.SPKISHA256,
		SameIssuer:  leaf.Issuer.String() == old.Issuer,
		SameSubject: leaf.Subject.String() == old.Subject,
	}
	c.LikelyRenewal = c.SameKey && c.SameIssuer
	c.Verdict = fmt.Sprintf("%s; %s; pinned SHA-256 %s, presented SHA-256 %s",
		lead(c), parts(c), ShortFingerprint(old.SHA256), ShortFingerprint(newFP))
	return c, true
}

func lead(c PinChange) string {
	switch {
	case c.LikelyRenewal:
		return "likely a renewal: same key and same issuer, new certificate"
	case c.SameIssuer:
		return "the issuer is the same but the key changed: a renewal with a new key or an interception; confirm the new fingerprint with the server's administrator"
	default:
		return "possible interception: a different issuer signed this certificate; confirm the new fingerprint with the server's administrator before trusting it"
	}
}

func parts(c PinChange) string {
	word := func(same bool) string {
		if same {
			return "same"
		}
		return "different"
	}
	return fmt.Sprintf("subject %s, issuer %s, key %s", word(c.SameSubject), word(c.SameIssuer), word(c.SameKey))
}

// ShortFingerprint renders the first 8 bytes of a hex fingerprint as
// colon-separated upper-case pairs followed by "…", the form people read
// aloud over the phone to an administrator.
func ShortFingerprint(hexFP string) string {
	const pairs = 8
	if len(hexFP) < pairs*2 {
		return strings.ToUpper(hexFP)
	}
	var b strings.Builder
	for i := 0; i < pairs; i++ {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strings.ToUpper(hexFP[2*i : 2*i+2]))
	}
	if len(hexFP) > pairs*2 {
		b.WriteString("…")
	}
	return b.String()
}
