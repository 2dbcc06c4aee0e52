package tlstap

import (
	"crypto/tls"
	"strconv"
	"strings"
	"unicode/utf8"

	"lockbox/client/words"
)

// isGREASE reports a GREASE value (RFC 8701): a placeholder clients send
// only to keep servers tolerant, never a real choice.
func isGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// versionList formats versions as "TLS 1.3, 1.2".
func versionList(vs []uint16) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = tls.VersionName(v)
		if i > 0 {
			names[i] = strings.TrimPrefix(names[i], "TLS ")
		}
	}
	return strings.Join(names, ", ")
}

// printable returns s unchanged when it is valid UTF-8 without control
// characters, else quoted, so that a name chosen by the peer cannot forge
// the layout of a summary.
func printable(s string) string {
	if !utf8.ValidString(s) {
		return strconv.QuoteToASCII(s)
	}
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}

// lifetimeText formats a ticket lifetime hint given in seconds.
func lifetimeText(sec uint32) string {
	switch {
	case sec == 0:
		return "unspecified"
	case sec%86400 == 0:
		return words.Plural(int(sec/86400), "day")
	case sec%3600 == 0:
		return words.Plural(int(sec/3600), "hour")
	}
	return words.Plural(int(sec), "second")
}
