package trust

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestParseFingerprint(t *testing.T) {
	sum := sha256.Sum256([]byte("a certificate"))
	want := hex.EncodeToString(sum[:])
	colons := FormatFingerprint(want)
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"lower hex", want, true},
		{"upper hex with colons", colons, true},
		{"openssl -fingerprint line", "sha256 Fingerprint=" + colons, true},
		{"SHA256: prefix, hex", "SHA256:" + colons, true},
		{"mixed case hex", strings.ToUpper(want[:10]) + want[10:], true},
		{"base64 as OpenSSH", "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:]), true},
		{"base64 padded as WinSCP", base64.StdEncoding.EncodeToString(sum[:]), true},
		{"spaces around", "  " + want + "\n", true},
		{"SHA-1", strings.Repeat("ab:", 19) + "ab", false},
		{"too short", want[:62], false},
		{"not hex", strings.Repeat("zz", 32), false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFingerprint(tt.in)
			if tt.ok && (err != nil || got != want) {
				t.Fatalf("ParseFingerprint(%q) = %q, %v; want %q", tt.in, got, err, want)
			}
			if !tt.ok && err == nil {
				t.Fatalf("ParseFingerprint(%q) = %q, want an error", tt.in, got)
			}
		})
	}
}
