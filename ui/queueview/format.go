package queueview

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// byteUnits are the decimal (SI) units FormatBytes steps through, as the
// command line's progress line does, so both speak of the same megabytes.
var byteUnits = [...]string{"kB", "MB", "GB", "TB", "PB", "EB"}

// FormatBytes writes a byte count for people: "512 B", "1.5 kB",
// "12.3 MB" (decimal units: 1 MB is 1,000,000 bytes). A negative count is
// unknown and reads "?".
func FormatBytes(n int64) string {
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

// FormatSpeed writes a speed in bytes per second: "12.3 MB/s". A negative,
// infinite or NaN speed is unknown and reads "?".
func FormatSpeed(bytesPerSecond float64) string {
	if bytesPerSecond < 0 || math.IsNaN(bytesPerSecond) || math.IsInf(bytesPerSecond, 0) {
		return "?"
	}
	return FormatBytes(int64(math.Round(bytesPerSecond))) + "/s"
}

// maxETA is the longest time FormatETA spells out: beyond it the estimate
// says nothing useful.
const maxETA = 100 * time.Hour

// FormatETA writes the time left as a clock: "0:42", "12:05", "1:02:03".
// A part of a second counts as a whole one, so a transfer that is not over
// never reads "0:00". A negative duration is unknown and reads "?"; 100
// hours or more read "> 99 h".
func FormatETA(d time.Duration) string {
	switch {
	case d < 0:
		return "?"
	case d >= maxETA:
		return "> 99 h"
	}
	secs := int64((d + time.Second - 1) / time.Second)
	h, m, s := secs/3600, secs/60%60, secs%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
