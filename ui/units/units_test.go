package units

import (
	"math"
	"testing"
)

func TestBytes(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{math.MinInt64, "?"},
		{-1, "?"},
		{0, "0 B"},
		{1, "1 B"},
		{999, "999 B"},
		{1000, "1.0 kB"},
		{1024, "1.0 kB"},
		{1500, "1.5 kB"},
		{48_213, "48.2 kB"},
		{99_950, "100.0 kB"},
		{999_949, "999.9 kB"},
		{999_950, "1.0 MB"}, // not "1000.0 kB"
		{999_999, "1.0 MB"},
		{1_000_000, "1.0 MB"},
		{1_234_567, "1.2 MB"},
		{12_345_678, "12.3 MB"},
		{64 << 20, "67.1 MB"}, // a 64 MiB file
		{340_000_000, "340.0 MB"},
		{734_003_200, "734.0 MB"},
		{999_950_000, "1.0 GB"},
		{1_500_000_000, "1.5 GB"},
		{2_147_483_648, "2.1 GB"},
		{45_200_000_000, "45.2 GB"},
		{1_000_000_000_000, "1.0 TB"},
		{1_000_000_000_000_000, "1.0 PB"},
		{1_000_000_000_000_000_000, "1.0 EB"},
		{math.MaxInt64, "9.2 EB"},
	} {
		if got := Bytes(tc.n); got != tc.want {
			t.Errorf("Bytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestSpeed(t *testing.T) {
	for _, tc := range []struct {
		bps  float64
		want string
	}{
		{0, "0 B/s"},
		{0.4, "0 B/s"},
		{512.4, "512 B/s"},
		{999.5, "1.0 kB/s"},
		{1500, "1.5 kB/s"},
		{12_300_000, "12.3 MB/s"},
		{999_950, "1.0 MB/s"},
		{1e30, "9.2 EB/s"},
		{math.MaxFloat64, "9.2 EB/s"},
		{-1, "?"},
		{math.Copysign(0, -1), "0 B/s"},
		{math.NaN(), "?"},
		{math.Inf(1), "?"},
		{math.Inf(-1), "?"},
	} {
		if got := Speed(tc.bps); got != tc.want {
			t.Errorf("Speed(%v) = %q, want %q", tc.bps, got, tc.want)
		}
	}
}
