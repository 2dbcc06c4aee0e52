package queueview

import (
	"testing"
	"time"
)

func TestFormatETA(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{-1, "?"},
		{0, "0:00"},
		{300 * time.Millisecond, "0:01"},
		{42 * time.Second, "0:42"},
		{12*time.Minute + 5*time.Second, "12:05"},
		{time.Hour + 2*time.Minute + 3*time.Second, "1:02:03"},
		{99*time.Hour + 59*time.Minute + 59*time.Second, "99:59:59"},
		{100 * time.Hour, "> 99 h"},
	} {
		if got := FormatETA(tc.d); got != tc.want {
			t.Errorf("FormatETA(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
