package queueview

import (
	"fmt"
	"strings"

	"lockbox/client/transfer"
	"lockbox/ui/units"
)

// category is what the State column says about a job; a job the
// existing-files policy left alone is done in the engine's terms but
// "skipped" to the user.
type category int

const (
	catQueued category = iota
	catRunning
	catDone
	catSkipped
	catFailed
	catCancelled
	numCategories
)

// categorize puts a job in the category its State column shows.
func categorize(p transfer.Progress) category {
	switch p.State {
	case transfer.StateQueued:
		return catQueued
	case transfer.StateRunning:
		return catRunning
	case transfer.StateDone:
		if p.Skipped {
			return catSkipped
		}
		return catDone
	case transfer.StateFailed:
		return catFailed
	case transfer.StateCancelled:
		return catCancelled
	}
	// A state this view does not know is treated as still to come, so that
	// the queue is never reported finished while it may not be.
	return catQueued
}

// isFile reports whether a job carries a file's content.
func isFile(k transfer.JobKind) bool {
	return k == transfer.KindDownload || k == transfer.KindUpload
}

// Totals counts jobs by what their State column says.
type Totals struct {
	// Queued, Running, Done, Skipped, Failed and Cancelled count the jobs
	// in each state; Done leaves out the skipped ones.
	Queued, Running, Done, Skipped, Failed, Cancelled int
	// Files is how many of the Done jobs were downloads or uploads (the
	// others created, deleted or renamed something).
	Files int
	// Bytes is what the jobs carried over the network.
	Bytes int64
	// Speed is the sum of the running jobs' speeds, in bytes per second.
	Speed float64
}

// Active is how many jobs are queued or running.
func (t Totals) Active() int { return t.Queued + t.Running }

// Jobs is how many jobs are counted.
func (t Totals) Jobs() int {
	return t.Queued + t.Running + t.Done + t.Skipped + t.Failed + t.Cancelled
}

// add counts a job in (sign 1) or out (sign -1).
func (t *Totals) add(p transfer.Progress, sign int) {
	switch categorize(p) {
	case catQueued:
		t.Queued += sign
	case catRunning:
		t.Running += sign
	case catDone:
		t.Done += sign
		if isFile(p.Kind) {
			t.Files += sign
		}
	case catSkipped:
		t.Skipped += sign
	case catFailed:
		t.Failed += sign
	case catCancelled:
		t.Cancelled += sign
	}
	t.Bytes += int64(sign) * p.Moved
}

// String is the queue's header line: "3 running, 12 queued, 40 done,
// 1 failed — 45.2 MB/s". States no job is in are left out; the speed is
// shown while something runs.
func (t Totals) String() string {
	parts := nonZero(
		count{t.Running, "running"}, count{t.Queued, "queued"}, count{t.Done, "done"},
		count{t.Skipped, "skipped"}, count{t.Failed, "failed"}, count{t.Cancelled, "cancelled"})
	if len(parts) == 0 {
		return "No transfers"
	}
	s := strings.Join(parts, ", ")
	if t.Running > 0 {
		s += " — " + units.Speed(t.Speed)
	}
	return s
}

// Message is the line for the desktop notification sent when the queue
// ends: "Transfers finished: 40 files, 1 failed".
func (t Totals) Message() string {
	files := "files"
	if t.Files == 1 {
		files = "file"
	}
	others := "other operations"
	if t.Done-t.Files == 1 {
		others = "other operation"
	}
	parts := nonZero(
		count{t.Files, files}, count{t.Done - t.Files, others}, count{t.Skipped, "skipped"},
		count{t.Failed, "failed"}, count{t.Cancelled, "cancelled"})
	if len(parts) == 0 {
		return "Transfers finished"
	}
	return "Transfers finished: " + strings.Join(parts, ", ")
}

type count struct {
	n    int
	what string
}

func nonZero(counts ...count) []string {
	var out []string
	for _, c := range counts {
		if c.n != 0 {
			out = append(out, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	return out
}
