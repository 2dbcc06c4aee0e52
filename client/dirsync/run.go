package dirsync

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"

	"lockbox/client"
	"lockbox/client/transfer"
)

// Config says which folders to synchronise and how.
type Config struct {
	// LocalDir is the local folder; nothing is written outside it.
	LocalDir string
	// RemoteDir is the server folder.
	RemoteDir string
	// Filter selects the paths compared.
	Filter Filter
	// Plan is the direction and what the plan may do.
	Plan PlanOptions
	// Tolerance is how far equal times may differ; 0 means
	// DefaultTolerance (a LIST-only server's minute is added).
	Tolerance time.Duration
	// Workers is how many folders are listed at once; 0 means the pool's size.
	Workers int
	// State, with Key, keeps what both sides looked like after the last
	// synchronisation; nil keeps nothing (times alone decide).
	State *StateStore
	Key   string
	// Verify checks each transferred file's hash with the server (see
	// transfer.JobSpec.Verify).
	Verify bool
}

// Scan is both trees compared.
type Scan struct {
	Local      Tree
	Remote     *RemoteScan
	Base       *Record
	Comparison Comparison
	// RefusedLocal are local names that are not plain names, left alone.
	RefusedLocal []string
	// Start is when the server scan began (this machine's clock, UTC).
	Start time.Time
	// Asked counts the files whose exact time was asked with MDTM;
	// Reused those whose time was taken from the last record instead.
	Asked, Reused int
}

func (c *Config) tolerance(clock Clock) time.Duration {
	tol := c.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	return tol + clock.Precision()
}

// CompareTrees scans both folders and compares them.
func CompareTrees(ctx context.Context, pool *client.Pool, c Config) (*Scan, error) {
	if err := c.Filter.Check(); err != nil {
		return nil, err
	}
	local, refused, err := ScanLocal(c.LocalDir, c.Filter)
	if err != nil {
		return nil, err
	}
	var base *Record
	if c.State != nil {
		if base, err = c.State.Get(c.Key); err != nil {
			return nil, err
		}
	}
	// Exact times are asked only for files on both sides, and not for
	// those whose time the last record still vouches for (reusable).
	// fillTimes calls NeedTime from one goroutine.
	reused := map[string]time.Time{}
	asked := 0
	o := ScanOptions{Filter: c.Filter, Workers: c.Workers, NeedTime: func(rel string, listed Entry) bool {
		if l, ok := local[rel]; !ok || l.Dir {
			return false
		}
		if t, ok := reusable(base, rel, listed); ok {
			reused[rel] = t
			return false
		}
		asked++
		return true
	}}
	if base != nil && base.Clock.Source == TimesLIST && base.Clock.Measured {
		o.Offset, o.OffsetKnown = base.Clock.Offset, true
	}
	start := time.Now().UTC()
	remote, err := ScanRemote(ctx, pool, c.RemoteDir, o)
	if err != nil {
		return nil, err
	}
	for rel, t := range reused {
		e := remote.Tree[rel]
		e.ModTime, e.Listed = t, e.ModTime
		remote.Tree[rel] = e
	}
	return &Scan{Local: local, Remote: remote, Base: base, RefusedLocal: refused, Start: start, Asked: asked, Reused: len(reused),
		Comparison: Compare(local, remote.Tree, base, c.tolerance(remote.Clock))}, nil
}

// skewMargin is how far the server's clock may lag this machine's without
// a recorded time being trusted wrongly (see reusable).
const skewMargin = 10 * time.Minute

// reusable returns the exact time the last record kept for the server file
// rel, when it can stand in for asking MDTM again: the server only lists
// times (LIST) to the minute, or to the day for old files ("Dec 06 2025"),
// in its own time zone. The record kept, per file, the size, the LIST time
// as parsed (Listed) and the exact MDTM time T, all read in a scan that
// began at base.Start. The time is reused when
//
//   - the size and the listed time are unchanged, and
//   - the listed time's whole bucket (that minute, or that day) had ended
//     before base.Start (less skewMargin for the server's clock lagging
//     this one): then any write since gave the file a time in a later
//     bucket, so a different listed time.
//
// The bucket's end is not computed from the listed time itself, which is
// in the server's unknown zone (and in an "hh:mm" line its year is
// guessed): the file's exact time T lies inside its bucket, so the bucket
// ends no later than T plus the bucket's length, and T + length < Start
// is enough, whatever the zone. A listed time with seconds is a
// one-second bucket, one with hh:mm a minute, one at midnight a day (an
// hh:mm file written at 00:00 is taken for a day: only more MDTMs).
// Anything else (no record, a record from an older version with no
// Listed, a file written in the minute before the last scan, a server
// that now lists another zone or format) asks MDTM as before. A later
// write that sets the time explicitly (MFMT by another client) to a
// moment in the same bucket, with the same size, is not seen; nor would
// MDTM see one that sets the very same second.
func reusable(base *Record, rel string, listed Entry) (time.Time, bool) {
	if base == nil || base.Clock.Source != TimesMDTM || base.Start.IsZero() || listed.ModTime.IsZero() {
		return time.Time{}, false
	}
	p, ok := base.Files[rel]
	if !ok || p.Remote.Dir || p.Remote.Listed.IsZero() || p.Remote.ModTime.IsZero() ||
		p.Remote.Size != listed.Size || !p.Remote.Listed.Equal(listed.ModTime) {
		return time.Time{}, false
	}
	if !p.Remote.ModTime.Add(listedGrain(listed.ModTime)).Before(base.Start.Add(-skewMargin)) {
		return time.Time{}, false
	}
	return p.Remote.ModTime, true
}

// listedGrain is how long a span one listed time stands for: a second when
// the listing gave seconds, a minute for hh:mm, a day (25 hours, for a
// daylight-saving change) for a date alone.
func listedGrain(t time.Time) time.Duration {
	switch {
	case t.Nanosecond() != 0, t.Second() != 0:
		return time.Second
	case t.Hour() != 0 || t.Minute() != 0:
		return time.Minute
	}
	return 25 * time.Hour
}

// Outcome is one action carried out (or not).
type Outcome struct {
	Action
	// Error is why it failed; "" when it succeeded.
	Error string `json:"error,omitempty"`
	// Note is the transfer's remark (a time not kept, a skipped file).
	Note string `json:"note,omitempty"`
}

// Result is what Execute did.
type Result struct {
	Outcomes []Outcome `json:"actions"`
	// Failed counts the actions that failed.
	Failed int `json:"failed"`
	// Conflicts counts the files left alone as conflicts.
	Conflicts int `json:"conflicts"`
	// Bytes is what the transfers carried.
	Bytes int64 `json:"bytes"`
}

// Execute carries out plan (all of it, or what the caller kept of it):
// folders, then transfers through q (which must run over pool), then
// deletions. Downloads are written through an os.Root on c.LocalDir, via
// .lockbox-part files that a later run resumes. Afterwards both sides are
// scanned again and, when c.State is set, recorded for the next run; paths
// that failed or conflict keep their old record.
func Execute(ctx context.Context, pool *client.Pool, q *transfer.Queue, c Config, s *Scan, plan []Action) (*Result, error) {
	root, err := os.OpenRoot(c.LocalDir)
	if err != nil {
		if err := os.MkdirAll(c.LocalDir, 0o755); err != nil {
			return nil, fmt.Errorf("local folder: %w", err)
		}
		if root, err = os.OpenRoot(c.LocalDir); err != nil {
			return nil, fmt.Errorf("local folder: %w", err)
		}
	}
	defer root.Close()
	res := &Result{Outcomes: make([]Outcome, len(plan))}
	items := map[string]Item{}
	for _, it := range s.Comparison.Items {
		items[it.Path] = it
	}
	remotePath := func(rel string) string { return path.Join(c.RemoteDir, rel) }
	jobs := map[int]*transfer.Job{}
	runJobs := func(keep func(Action) bool, spec func(Action) transfer.JobSpec) error {
		for i, a := range plan {
			if keep(a) {
				jobs[i] = q.Add(spec(a))
			}
		}
		return q.Wait(ctx)
	}
	for i, a := range plan {
		res.Outcomes[i].Action = a
	}
	fail := func(i int, err error) {
		res.Outcomes[i].Error = err.Error()
	}

	// Folders first, parents before children (Plan sorts them).
	mkErr := pool.Do(ctx, func(sess *client.Session) error {
		for i, a := range plan {
			switch a.Op {
			case OpMkdirRemote:
				if err := sess.MakeDir(ctx, remotePath(a.Path)); err != nil {
					if ok, derr := sess.IsDir(ctx, remotePath(a.Path)); derr != nil || !ok {
						fail(i, err)
					}
				}
			case OpMkdirLocal:
				if err := root.MkdirAll(filepath.FromSlash(a.Path), 0o755); err != nil {
					fail(i, err)
				}
			}
		}
		return nil
	})
	if mkErr != nil {
		return nil, mkErr
	}
	err = runJobs(func(a Action) bool { return a.Op == OpUpload || a.Op == OpDownload }, func(a Action) transfer.JobSpec {
		it := items[a.Path]
		if a.Op == OpUpload {
			return transfer.JobSpec{Kind: transfer.KindUpload, Local: filepath.Join(c.LocalDir, filepath.FromSlash(a.Path)),
				Remote: remotePath(a.Path), Replace: it.Remote != nil, Verify: c.Verify}
		}
		spec := transfer.JobSpec{Kind: transfer.KindDownload, Remote: remotePath(a.Path), Local: filepath.FromSlash(a.Path),
			LocalRoot: c.LocalDir, Replace: it.Local != nil, Verify: c.Verify}
		if it.Remote != nil {
			spec.Size, spec.HasSize = it.Remote.Size, true
			if s.Remote.Clock.Source != TimesLIST {
				spec.ModTime = it.Remote.ModTime
			}
		}
		return spec
	})
	if err == nil {
		err = runJobs(func(a Action) bool { return a.Op == OpDeleteRemote && !a.Dir }, func(a Action) transfer.JobSpec {
			return transfer.JobSpec{Kind: transfer.KindDelete, Remote: remotePath(a.Path)}
		})
	}
	if err == nil {
		// One at a time, deepest first: a folder is empty only once its
		// sub-folders are gone.
		err = pool.Do(ctx, func(sess *client.Session) error {
			for i, a := range plan {
				if a.Op == OpDeleteRemote && a.Dir {
					if err := sess.RemoveDir(ctx, remotePath(a.Path)); err != nil {
						if sess.Broken() || ctx.Err() != nil {
							return err
						}
						fail(i, err)
					}
				}
			}
			return nil
		})
	}
	if err != nil {
		return res, err
	}
	for i, a := range plan {
		if a.Op == OpDeleteLocal {
			if err := root.Remove(filepath.FromSlash(a.Path)); err != nil && !errors.Is(err, os.ErrNotExist) {
				fail(i, err)
			}
		}
	}
	for i, j := range jobs {
		p := j.Progress()
		res.Bytes += p.Moved
		res.Outcomes[i].Note = p.Note
		switch {
		case p.Err != nil:
			fail(i, p.Err)
		case p.State != transfer.StateDone:
			fail(i, fmt.Errorf("transfer %s", p.State))
		}
	}
	bad, done := map[string]bool{}, map[string]bool{}
	for _, o := range res.Outcomes {
		done[o.Path] = true
		if o.Error != "" {
			res.Failed++
			bad[o.Path] = true
		}
		if o.Op == OpConflict {
			res.Conflicts++
			bad[o.Path] = true
		}
	}
	if c.State == nil {
		return res, nil
	}
	return res, record(ctx, pool, c, s, bad, done)
}

// record scans both sides again (when the plan did anything) and saves as
// in sync every path present on both that compares the same or that an
// action copied; bad ones (failed, conflicts) keep their last record.
func record(ctx context.Context, pool *client.Pool, c Config, before *Scan, bad, done map[string]bool) error {
	after := before
	if len(done) > 0 {
		var err error
		if after, err = CompareTrees(ctx, pool, c); err != nil {
			return fmt.Errorf("scan after synchronising: %w", err)
		}
	}
	rec := &Record{Clock: after.Remote.Clock, Files: map[string]Pair{}, Start: after.Start}
	for _, it := range after.Comparison.Items {
		if bad[it.Path] {
			if before.Base != nil {
				if p, ok := before.Base.Files[it.Path]; ok {
					rec.Files[it.Path] = p
				}
			}
			continue
		}
		if it.Local != nil && it.Remote != nil && it.Local.Dir == it.Remote.Dir && (it.Status == Same || done[it.Path]) {
			rec.Files[it.Path] = Pair{Local: *it.Local, Remote: *it.Remote}
		}
	}
	if after.Asked == 0 && before.Base != nil && sameRecord(before.Base, rec) {
		return nil // nothing new to keep: the file is not written again
	}
	return c.State.Put(c.Key, rec)
}

// sameRecord reports whether b keeps what a keeps, but for Start (a scan
// that asked no MDTM learns nothing from a later start).
func sameRecord(a, b *Record) bool {
	if a.Clock != b.Clock || len(a.Files) != len(b.Files) {
		return false
	}
	for p, x := range a.Files {
		y, ok := b.Files[p]
		if !ok || !sameRecorded(x.Local, y.Local) || !sameRecorded(x.Remote, y.Remote) {
			return false
		}
	}
	return true
}

func sameRecorded(a, b Entry) bool {
	return a.Size == b.Size && a.Dir == b.Dir && a.ModTime.Equal(b.ModTime) && a.Listed.Equal(b.Listed)
}
