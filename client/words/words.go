// Package words writes counts and lists as English sentences need them:
// "1 file", "3 files", "a, b and c". The engine's messages, the certificate
// inspector and the window all use it, so that each phrase is formed one
// way; it sits under client/ because the engine may not import the front
// ends, and imports nothing itself.
package words

import (
	"strconv"
	"strings"
)

// Plural counts a regular noun: "1 file", "0 files", "3 files".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// List writes items as "a", "a and b" or "a, b and c"; "" for none.
func List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// ListAtMost is List for a list that may be long (a certificate with
// hundreds of names): past max items, the last one says how many more
// there are, "a, b, c and 7 more", so that a message stays readable.
func ListAtMost(items []string, max int) string {
	if len(items) > max {
		rest := len(items) - max + 1
		items = append(append([]string{}, items[:max-1]...), strconv.Itoa(rest)+" more")
	}
	return List(items)
}
