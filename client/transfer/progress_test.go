package transfer

import (
	"math"
	"testing"
	"time"
)

func TestMeterMovingAverage(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tests := []struct {
		name    string
		samples []int64 // bytes done at t0, t0+100ms, ...
		want    float64 // bytes per second after the last sample
	}{
		{"one sample says nothing", []int64{0}, 0},
		{"steady 1 MB/s", []int64{0, 100_000, 200_000, 300_000}, 1_000_000},
		{"stalled", []int64{500, 500, 500}, 0},
		// 30 samples: only the last 21 (two seconds) count.
		{"window forgets a fast start", append([]int64{0, 10_000_000}, linear(10_000_000, 10_000, 28)...), 100_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m Meter
			var got float64
			for i, b := range tc.samples {
				got = m.Add(t0.Add(time.Duration(i)*100*time.Millisecond), b)
			}
			if math.Abs(got-tc.want) > 1e-6*math.Max(1, tc.want) {
				t.Errorf("speed %.1f, want %.1f", got, tc.want)
			}
		})
	}
}

// linear returns n values from start, step apart.
func linear(start, step int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		start += step
		out[i] = start
	}
	return out
}

func TestETA(t *testing.T) {
	tests := []struct {
		done, total int64
		speed       float64
		want        time.Duration
	}{
		{0, 1000, 100, 10 * time.Second},
		{500, 1000, 1000, 500 * time.Millisecond},
		{1000, 1000, 10, 0},
		{10, -1, 100, -1},
		{10, 100, 0, -1},
	}
	for _, tc := range tests {
		if got := eta(tc.done, tc.total, tc.speed); got != tc.want {
			t.Errorf("eta(%d, %d, %v) = %v, want %v", tc.done, tc.total, tc.speed, got, tc.want)
		}
	}
}

// Progress reports are never more frequent than ten a second per job.
func TestProgressTickerIntervalFloor(t *testing.T) {
	for _, asked := range []time.Duration{0, time.Nanosecond, 50 * time.Millisecond} {
		tk := newProgressTicker(asked, nil)
		if tk.interval != 100*time.Millisecond {
			t.Errorf("interval %v asked, got %v", asked, tk.interval)
		}
		tk.close()
	}
	tk := newProgressTicker(time.Second, nil)
	defer tk.close()
	if tk.interval != time.Second {
		t.Errorf("interval %v", tk.interval)
	}
}
