package ftpwire

import (
	"encoding/hex"
	"strings"
)

// HexSum finds a file's hash in a server's reply to HASH or an X-command
// ("213 SHA-256 0-5 ab12… name", or "250 ab12…"): the first token of hex
// digits of hexLen characters, in lower case. dropsZeros accepts a shorter
// token with its leading zeros put back, as some servers send CRC32.
func HexSum(msg string, hexLen int, dropsZeros bool) (string, bool) {
	for _, f := range strings.Fields(msg) {
		if len(f) == hexLen {
			if _, err := hex.DecodeString(f); err == nil {
				return strings.ToLower(f), true
			}
		}
	}
	if dropsZeros {
		for _, f := range strings.Fields(msg) {
			if len(f) < hexLen {
				if _, err := hex.DecodeString(strings.Repeat("0", hexLen-len(f)) + f); err == nil && len(f) > 0 {
					return strings.ToLower(strings.Repeat("0", hexLen-len(f)) + f), true
				}
			}
		}
	}
	return "", false
}
