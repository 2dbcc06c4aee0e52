// Package units writes byte counts and transfer speeds for people, the same
// way everywhere Lockbox shows them: in the file panes, the transfer queue
// and the command line's progress line.
//
// The units are decimal (SI), as GNOME Files and macOS Finder use and as
// the command line's "MB/s" summary already says: 1 kB is 1,000 bytes and
// 1 MB is 1,000,000 bytes. The rule is one and the same for every size:
// below 1,000 a count is whole bytes ("512 B"); from there on it is the
// largest unit that keeps the number under 1,000, always with one decimal
// ("1.5 kB", "12.3 MB", "340.0 MB"), rounded to nearest. A value that would
// round up to "1000.0" reads as the next unit instead ("1.0 MB").
//
// The package uses only the standard library, so the command line can use
// it without the windowing toolkit.
package units

import (
	"fmt"
	"math"
	"strconv"
)

// byteUnits are the decimal (SI) units Bytes steps through after bytes.
var byteUnits = [...]string{"kB", "MB", "GB", "TB", "PB", "EB"}

// Bytes writes a byte count for people: "512 B", "1.5 kB", "12.3 MB",
// "340.0 MB" (decimal units: 1 MB is 1,000,000 bytes; one decimal from
// 1 kB up). A negative count is unknown and reads "?".
func Bytes(n int64) string {
	if n < 0 {
		return "?"
	}
	if n < 1000 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v, u := float64(n)/1000, 0
	// 999.95 would print as "1000.0": say the next unit instead.
	for v >= 999.95 && u < len(byteUnits)-1 {
		v /= 1000
		u++
	}
	return fmt.Sprintf("%.1f %s", v, byteUnits[u])
}

// Speed writes a speed in bytes per second as Bytes writes a count, with
// "/s" after it: "512 B/s", "12.3 MB/s". The speed is rounded to whole
// bytes first. A negative, infinite or NaN speed is unknown and reads "?".
func Speed(bytesPerSecond float64) string {
	if bytesPerSecond < 0 || math.IsNaN(bytesPerSecond) || math.IsInf(bytesPerSecond, 0) {
		return "?"
	}
	// Speeds beyond what an int64 holds would wrap: keep to the largest.
	if bytesPerSecond >= math.MaxInt64 {
		return Bytes(math.MaxInt64) + "/s"
	}
	return Bytes(int64(math.Round(bytesPerSecond))) + "/s"
}
