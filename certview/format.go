package certview

import (
	"fmt"
	"strings"
	"time"

	"lockbox/client/verify"
	"lockbox/client/words"
)

// colonHex writes b as upper-case hex pairs separated by colons, the way
// certificate dialogs and openssl show fingerprints.
func colonHex(b []byte) string {
	const digits = "0123456789ABCDEF"
	if len(b) == 0 {
		return ""
	}
	out := make([]byte, 0, len(b)*3-1)
	for i, x := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[x>>4], digits[x&0x0f])
	}
	return string(out)
}

const utcLayout = "2006-01-02 15:04 UTC"

// formatWhen shows t in UTC and, when loc is not UTC, in local time too.
func formatWhen(t time.Time, loc *time.Location) string {
	s := t.UTC().Format(utcLayout)
	if loc == nil {
		return s
	}
	lt := t.In(loc)
	if name, off := lt.Zone(); off == 0 && (name == "UTC" || name == "GMT" || name == "") {
		return s
	}
	return s + " (local " + lt.Format("2006-01-02 15:04 MST") + ")"
}

// durationPhrase says roughly how long d is, as verify's messages do, with
// years added in brackets to long periods in days.
func durationPhrase(d time.Duration) string {
	const day = 24 * time.Hour
	if d < 0 {
		d = -d
	}
	if d < 730*day {
		return verify.HumanDuration(d)
	}
	return fmt.Sprintf("%s (about %s)", words.Plural(int(d/day), "day"), words.Plural(int(d/(365*day)), "year"))
}

// humanCode turns a problem code into words: "hostname_mismatch" becomes
// "hostname mismatch".
func humanCode(code string) string {
	if code == "" {
		return "problem"
	}
	return strings.ReplaceAll(code, "_", " ")
}
