package verify

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"time"

	"lockbox/client/words"
)

// timeLayout shows dates in UTC so messages read the same on every machine.
const timeLayout = "2006-01-02 15:04 UTC"

func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}

func certName(c *x509.Certificate) string {
	return nameOf(c.Subject, c)
}

func issuerName(c *x509.Certificate) string {
	return nameOf(c.Issuer, nil)
}

// nameOf prefers the common name as the most recognisable label; a leaf
// without one is better known by its first DNS name.
func nameOf(n pkix.Name, c *x509.Certificate) string {
	switch {
	case n.CommonName != "":
		return n.CommonName
	case c != nil && len(c.DNSNames) > 0:
		return c.DNSNames[0]
	case n.String() != "":
		return n.String()
	case c != nil:
		return "serial " + c.SerialNumber.String()
	}
	return "(no name)"
}

// role names a certificate by its place in the chain, capitalised to start
// a sentence.
func role(level int, chain []*x509.Certificate) string {
	c := chain[level]
	switch {
	case level == 0:
		return "The server's certificate"
	case level == len(chain)-1 && selfSigned(c):
		return fmt.Sprintf("The root certificate %q", certName(c))
	}
	return fmt.Sprintf("The intermediate certificate %q", certName(c))
}

// HumanDuration says roughly how long d is, in the largest sensible unit:
// "less than a minute", "5 hours", "23 days", "3 years".
func HumanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	const day = 24 * time.Hour
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return words.Plural(int(d/time.Minute), "minute")
	case d < 2*day:
		return words.Plural(int(d/time.Hour), "hour")
	case d < 730*day:
		return words.Plural(int(d/day), "day")
	}
	return words.Plural(int(d/(365*day)), "year")
}

// maxListed keeps messages readable for certificates with hundreds of SANs.
const maxListed = 6

var ekuNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:                            "any purpose",
	x509.ExtKeyUsageServerAuth:                     "server authentication",
	x509.ExtKeyUsageClientAuth:                     "client authentication",
	x509.ExtKeyUsageCodeSigning:                    "code signing",
	x509.ExtKeyUsageEmailProtection:                "email protection",
	x509.ExtKeyUsageIPSECEndSystem:                 "IPsec end system",
	x509.ExtKeyUsageIPSECTunnel:                    "IPsec tunnel",
	x509.ExtKeyUsageIPSECUser:                      "IPsec user",
	x509.ExtKeyUsageTimeStamping:                   "time stamping",
	x509.ExtKeyUsageOCSPSigning:                    "OCSP signing",
	x509.ExtKeyUsageMicrosoftServerGatedCrypto:     "Microsoft server gated crypto",
	x509.ExtKeyUsageNetscapeServerGatedCrypto:      "Netscape server gated crypto",
	x509.ExtKeyUsageMicrosoftCommercialCodeSigning: "Microsoft commercial code signing",
	x509.ExtKeyUsageMicrosoftKernelCodeSigning:     "Microsoft kernel code signing",
}

// ExtKeyUsageNames names the extended key usages of c as people say them
// ("server authentication"), unknown ones by number or OID.
func ExtKeyUsageNames(c *x509.Certificate) []string {
	var out []string
	for _, u := range c.ExtKeyUsage {
		if n, ok := ekuNames[u]; ok {
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprintf("usage #%d", int(u)))
		}
	}
	for _, oid := range c.UnknownExtKeyUsage {
		out = append(out, "OID "+oid.String())
	}
	return out
}
