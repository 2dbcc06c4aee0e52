package queueview

import (
	"fmt"
	"time"
)

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
