package certview

import (
	"encoding/pem"
	"regexp"
	"strings"
)

// CertPEM returns the level's certificate as one PEM CERTIFICATE block, or
// nil when the level has no certificate.
func CertPEM(l Level) []byte {
	if l.Cert == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: l.Cert.Raw})
}

// ChainPEM returns every certificate of the model, level 0 first, as
// concatenated PEM CERTIFICATE blocks: the usual chain file layout.
func ChainPEM(m *Model) []byte {
	if m == nil {
		return nil
	}
	var out []byte
	for _, l := range m.Levels {
		out = append(out, CertPEM(l)...)
	}
	return out
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileName suggests a file name for exporting: the title made safe, then
// suffix ("-chain.pem" or ".pem").
func fileName(title, suffix string) string {
	s := strings.Trim(unsafeFileChars.ReplaceAllString(strings.ReplaceAll(title, "*", "wildcard"), "_"), "._-")
	if s == "" {
		s = "certificate"
	}
	if len(s) > 64 {
		s = s[:64]
	}
	return s + suffix
}
