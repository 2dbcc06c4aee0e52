package queueview

import (
	"math"
	"testing"
	"time"
)

func TestFormatBytes(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{-1, "?"},
		{0, "0 B"},
		{999, "999 B"},
		{1000, "1.0 kB"},
		{1500, "1.5 kB"},
		{12_345_678, "12.3 MB"},
		{999_949, "999.9 kB"},
		{999_950, "1.0 MB"},
		{45_200_000_000, "45.2 GB"},
		{math.MaxInt64, "9.2 EB"},
	} {
		if got := FormatBytes(tc.n); got != tc.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestFormatSpeed(t *testing.T) {
	for _, tc := range []struct {
		bps  float64
		want string
	}{
		{0, "0 B/s"},
		{512.4, "512 B/s"},
		{12_300_000, "12.3 MB/s"},
		{-1, "?"},
		{math.NaN(), "?"},
		{math.Inf(1), "?"},
	} {
		if got := FormatSpeed(tc.bps); got != tc.want {
			t.Errorf("FormatSpeed(%v) = %q, want %q", tc.bps, got, tc.want)
		}
	}
}

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
