package dirsync

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strconv"
	"sync"
	"time"

	"lockbox/client"
)

// probePrefix starts the name of the file uploaded to find a LIST-only
// server's clock offset; scans ignore such files.
const probePrefix = ".lockbox-clock-probe"

// TimeSource says where a server's modification times come from.
type TimeSource string

// The time sources, best first.
const (
	// TimesMLSD: the listing's exact UTC times (RFC 3659 MLSD).
	TimesMLSD TimeSource = "MLSD"
	// TimesMDTM: one MDTM command per file compared (UTC, to the second).
	TimesMDTM TimeSource = "MDTM"
	// TimesLIST: the LIST line's time (minutes, server's time zone),
	// corrected by the measured clock offset.
	TimesLIST TimeSource = "LIST"
)

// Clock is what a scan learned about the server's times.
type Clock struct {
	// Source is where the times came from.
	Source TimeSource `json:"source"`
	// Offset is how far the server's listed times are ahead of UTC (clock
	// skew plus time zone), measured with a probe file; only for TimesLIST.
	Offset time.Duration `json:"offset_ns"`
	// Measured tells a measured offset from an assumed zero.
	Measured bool `json:"measured"`
}

// String says the clock in a few words.
func (c Clock) String() string {
	if c.Source != TimesLIST {
		return "times from " + string(c.Source) + " (UTC)"
	}
	if !c.Measured {
		return "times from LIST; the server's clock offset could not be measured, assumed 0"
	}
	return "times from LIST; the server's clock is " + c.Offset.String() + " off UTC (measured)"
}

// Precision is how close two times that are equal can differ by the
// source's rounding.
func (c Clock) Precision() time.Duration {
	switch c.Source {
	case TimesLIST:
		return time.Minute
	case TimesMDTM:
		return time.Second
	}
	return 0
}

// RemoteScan is a scanned server tree.
type RemoteScan struct {
	Tree Tree
	// Clock says where the times came from.
	Clock Clock
	// Refused are names the server sent that could lead outside the local
	// folder; nothing is done with them.
	Refused []*client.NameError
}

// ScanOptions tune ScanRemote.
type ScanOptions struct {
	Filter Filter
	// Workers is how many folders are listed at once; 0 means the pool's size.
	Workers int
	// NeedTime, if set, says whether a file's exact time must be asked
	// for (TimesMDTM). Nil asks for every file.
	NeedTime func(rel string, listed Entry) bool
	// Offset, when Known, is a LIST-only server's clock offset found
	// before: no probe file is uploaded.
	Offset      time.Duration
	OffsetKnown bool
}

// ScanRemote lists root and every folder under it over pool, several at
// once, and fills in modification times as the server allows (see Clock).
func ScanRemote(ctx context.Context, pool *client.Pool, root string, o ScanOptions) (*RemoteScan, error) {
	workers := o.Workers
	if workers <= 0 {
		workers = pool.Size()
	}
	rs := &RemoteScan{Tree: Tree{}}
	var precise, mdtm bool
	if err := pool.Do(ctx, func(s *client.Session) error {
		precise, mdtm = s.ListsPreciseTimes(), s.HasMDTM()
		return nil
	}); err != nil {
		return nil, err
	}
	switch {
	case precise:
		rs.Clock.Source = TimesMLSD
	case mdtm:
		rs.Clock.Source = TimesMDTM
	default:
		rs.Clock = Clock{Source: TimesLIST, Offset: o.Offset, Measured: o.OffsetKnown}
		if !o.OffsetKnown {
			if off, err := MeasureOffset(ctx, pool, root); err == nil {
				rs.Clock.Offset, rs.Clock.Measured = off, true
			}
		}
	}
	var mu sync.Mutex
	var firstErr error
	level := []string{""}
	for len(level) > 0 && firstErr == nil {
		var next []string
		var wg sync.WaitGroup
		sem := make(chan struct{}, workers)
		for _, dir := range level {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				remote := root
				if dir != "" {
					remote = path.Join(root, dir)
				}
				var entries []client.Entry
				var refused []*client.NameError
				err := pool.Do(ctx, func(s *client.Session) (err error) {
					entries, refused, err = s.ListChecked(ctx, remote)
					return err
				})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if firstErr == nil {
						firstErr = fmt.Errorf("list %s: %w", remote, err)
					}
					return
				}
				rs.Refused = append(rs.Refused, refused...)
				for _, e := range entries {
					if ignored(e.Name) {
						continue
					}
					rel := e.Name
					if dir != "" {
						rel = dir + "/" + e.Name
					}
					isDir := e.Type == "dir"
					if !o.Filter.Keeps(rel, isDir) {
						continue
					}
					if isDir {
						rs.Tree[rel] = Entry{Dir: true}
						next = append(next, rel)
						continue
					}
					t := e.Time.UTC()
					if rs.Clock.Source == TimesLIST && !t.IsZero() {
						t = t.Add(-rs.Clock.Offset)
					}
					rs.Tree[rel] = Entry{Size: int64(e.Size), ModTime: t}
				}
			}()
		}
		wg.Wait()
		level = next
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if rs.Clock.Source == TimesMDTM {
		if err := fillTimes(ctx, pool, root, rs.Tree, workers, o.NeedTime); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// fillTimes asks MDTM for the files need selects, in batches spread over
// the pool's connections (one pooled session per batch).
func fillTimes(ctx context.Context, pool *client.Pool, root string, t Tree, workers int, need func(string, Entry) bool) error {
	var todo []string
	for _, p := range t.Paths() {
		if e := t[p]; !e.Dir && (need == nil || need(p, e)) {
			todo = append(todo, p)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	times := make([]time.Time, len(todo))
	err := onSessions(ctx, pool, workers, len(todo), func(s *client.Session, i int) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		tm, err := s.ModTime(ctx, path.Join(root, todo[i]))
		if err != nil {
			if s.Broken() || ctx.Err() != nil {
				return err
			}
			return nil // gone meanwhile: the listing's time stays
		}
		times[i] = tm.UTC()
		return nil
	})
	if err != nil {
		return fmt.Errorf("MDTM: %w", err)
	}
	for i, p := range todo {
		if !times[i].IsZero() {
			e := t[p]
			e.ModTime, e.Listed = times[i], e.ModTime
			t[p] = e
		}
	}
	return nil
}

// onSessions shares n items among at most workers pooled sessions at
// once: session w takes items w, w+workers, … in order and stops at the
// first error each returns. It returns the first error in session order.
func onSessions(ctx context.Context, pool *client.Pool, workers, n int, each func(s *client.Session, i int) error) error {
	workers = min(workers, n)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			errs[w] = pool.Do(ctx, func(s *client.Session) error {
				for i := w; i < n; i += workers {
					if err := each(s, i); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// MeasureOffset finds how far a LIST-only server's listed times are ahead
// of UTC: it uploads an empty probe file into dir, lists dir, and deletes
// the probe. The offset is rounded to the minute (LIST's precision).
func MeasureOffset(ctx context.Context, pool *client.Pool, dir string) (time.Duration, error) {
	name := probePrefix + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	p := path.Join(dir, name)
	var off time.Duration
	err := pool.Do(ctx, func(s *client.Session) error {
		before := time.Now().UTC()
		if _, err := s.Upload(ctx, p, bytes.NewReader(nil), 0, make([]byte, client.MinBufferSize), nil); err != nil {
			return fmt.Errorf("clock probe: %w", err)
		}
		defer s.Delete(ctx, p)
		entries, err := s.List(dir)
		if err != nil {
			return fmt.Errorf("clock probe: %w", err)
		}
		for _, e := range entries {
			if e.Name == name {
				off = e.Time.UTC().Sub(before.Truncate(time.Minute)).Round(time.Minute)
				return nil
			}
		}
		return fmt.Errorf("clock probe: %s was not listed", name)
	})
	return off, err
}
