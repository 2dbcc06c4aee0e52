package trust

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// ParseFingerprint reads a certificate's SHA-256 fingerprint in the forms
// people copy it from: hex with or without colons, in any case, as
// "openssl x509 -fingerprint -sha256" prints it ("SHA256 Fingerprint=AB:CD:…"
// or "SHA256:AB:CD:…"), and base64 with or without padding, as WinSCP and
// OpenSSH print it ("SHA256:q83v…"). It returns the lowercase hex form
// Fingerprint returns. A SHA-1 fingerprint (20 bytes) is refused: SHA-1 is
// no longer safe against made-up collisions.
func ParseFingerprint(s string) (string, error) {
	in := strings.TrimSpace(s)
	v := in
	if i := strings.LastIndex(v, "="); i >= 0 && strings.Contains(strings.ToLower(v[:i]), "fingerprint") {
		v = v[i+1:] // openssl's "sha256 Fingerprint=AB:CD:…"
	}
	if len(v) > 7 && strings.EqualFold(v[:7], "sha256:") {
		v = v[7:]
	} else if len(v) > 8 && strings.EqualFold(v[:8], "sha-256:") {
		v = v[8:]
	}
	v = strings.TrimSpace(v)
	if h := strings.ReplaceAll(v, ":", ""); len(h) == 2*sha256.Size {
		if b, err := hex.DecodeString(h); err == nil {
			return hex.EncodeToString(b), nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && len(b) == sha256.Size {
			return hex.EncodeToString(b), nil
		}
	}
	if h := strings.ReplaceAll(v, ":", ""); len(h) == 40 {
		if _, err := hex.DecodeString(h); err == nil {
			return "", fmt.Errorf("fingerprint %q is SHA-1 (20 bytes): give the SHA-256 fingerprint", in)
		}
	}
	return "", fmt.Errorf("fingerprint %q: want a SHA-256 fingerprint, 32 bytes in hex (with or without colons) or base64", in)
}

// FormatFingerprint renders a lowercase hex fingerprint as openssl prints
// it: upper case, bytes separated by colons.
func FormatFingerprint(hexFP string) string {
	var b strings.Builder
	for i := 0; i+1 < len(hexFP); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strings.ToUpper(hexFP[i : i+2]))
	}
	return b.String()
}
