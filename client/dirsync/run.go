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
	o := ScanOptions{Filter: c.Filter, Workers: c.Workers, NeedTime: func(rel string, listed Entry) bool {
		l, ok := local[rel]
		return ok && !l.Dir
	}}
	if base != nil && base.Clock.Source == TimesLIST && base.Clock.Measured {
		o.Offset, o.OffsetKnown = base.Clock.Offset, true
	}
	remote, err := ScanRemote(ctx, pool, c.RemoteDir, o)
	if err != nil {
		return nil, err
	}
	return &Scan{Local: local, Remote: remote, Base: base, RefusedLocal: refused,
		Comparison: Compare(local, remote.Tree, base, c.tolerance(remote.Clock))}, nil
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
	rec := &Record{Clock: after.Remote.Clock, Files: map[string]Pair{}}
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
	return c.State.Put(c.Key, rec)
}
