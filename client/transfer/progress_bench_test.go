package transfer

import (
	"testing"
	"time"
)

// The per-chunk cost of progress accounting: two atomic adds.
func BenchmarkProgressAdd(b *testing.B) {
	j := newJob(1, JobSpec{Kind: KindDownload})
	b.ReportAllocs()
	b.SetBytes(16 << 10)
	for b.Loop() {
		j.add(16 << 10)
	}
}

// What the progress ticker does per job and tick.
func BenchmarkMeterSampleAndSnapshot(b *testing.B) {
	j := newJob(1, JobSpec{Kind: KindDownload, Size: 1 << 30, HasSize: true})
	now := time.Unix(0, 0)
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(100 * time.Millisecond)
		j.add(1 << 20)
		j.sample(now)
		_ = j.Progress()
	}
}
