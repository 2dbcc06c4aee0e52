package dirsync

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"lockbox/client"
	"lockbox/client/transfer"
)

// WatchOptions tune Watch.
type WatchOptions struct {
	// Quiet is how long the folder must be quiet (no event, no file
	// growing) before a burst of changes is sent; 0 means 500 ms.
	Quiet time.Duration
	// Ran is told each pass's result (the first is the initial
	// synchronisation); calls are not concurrent.
	Ran func(*Result, error)

	// For tests: tick, when set, stands for the quiet timer (each value
	// sent is "the folder has been quiet for Quiet"), and checked is told
	// what each such moment led to.
	tick    <-chan time.Time
	checked func(settle)
}

// settle is what Watch did when the folder had been quiet for a while.
type settle string

const (
	settleIdle    settle = "idle"    // no change since the last pass
	settleGrowing settle = "growing" // a changed file's size still moved: wait again
	settlePassed  settle = "passed"  // sizes held: a pass ran
)

// Watch keeps the server folder up to date with the local one (WinSCP's
// "keep remote directory up to date"): it synchronises once (direction
// up, c.Plan.Delete as given), then watches c.LocalDir and every folder
// under it and, after each burst of changes, once no file is still
// growing, synchronises again. A renamed or deleted folder is simply no
// longer there at the next pass. It returns when ctx ends (nil) or the
// watcher fails.
func Watch(ctx context.Context, pool *client.Pool, q *transfer.Queue, c Config, o WatchOptions) error {
	c.Plan.Direction = Up
	quiet := o.Quiet
	if quiet <= 0 {
		quiet = 500 * time.Millisecond
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", c.LocalDir, err)
	}
	defer w.Close()
	addTree := func(dir string) {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				w.Add(p) // a folder gone meanwhile is seen at the next pass
			}
			return nil
		})
	}
	addTree(c.LocalDir)
	pass := func() {
		scan, err := CompareTrees(ctx, pool, c)
		var res *Result
		if err == nil {
			res, err = Execute(ctx, pool, q, c, scan, Plan(scan.Comparison, c.Plan))
		}
		if ctx.Err() != nil {
			return
		}
		if o.Ran != nil {
			o.Ran(res, err)
		}
	}
	pass()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	quietC := timer.C
	if o.tick != nil {
		quietC = o.tick
	}
	checked := func(s settle) {
		if o.checked != nil {
			o.checked(s)
		}
	}
	sizes := map[string]int64{} // files touched in this burst, last size seen
	pending := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			return fmt.Errorf("watch %s: %w", c.LocalDir, err)
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					addTree(ev.Name)
				}
			}
			sizes[ev.Name] = -1
			pending = true
			timer.Reset(quiet)
		case <-quietC:
			if !pending {
				checked(settleIdle)
				continue
			}
			growing := false
			for p, last := range sizes {
				st, err := os.Stat(p)
				switch {
				case errors.Is(err, os.ErrNotExist), err == nil && st.IsDir():
					delete(sizes, p)
				case err != nil:
				case st.Size() != last:
					sizes[p], growing = st.Size(), true
				}
			}
			if growing {
				timer.Reset(quiet) // still being written: wait until its size holds
				checked(settleGrowing)
				continue
			}
			clear(sizes)
			pending = false
			pass()
			checked(settlePassed)
		}
	}
}
