package transfer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"lockbox/client"
)

// JobSpec describes a job to queue.
type JobSpec struct {
	Kind JobKind
	// Remote is the server path (for a rename, the old one).
	Remote string
	// Local is the local file: for downloads a relative path inside the
	// queue's LocalRoot (or the job's own LocalRoot), for uploads any path
	// to read.
	Local string
	// LocalRoot, for a download, is the folder Local is inside, in place of
	// the queue's LocalRoot: a window downloads into whichever folder its
	// local pane shows. Nothing is written outside it either.
	LocalRoot string
	// NewName is a rename's new server path.
	NewName string
	// Size and ModTime are what a listing said (HasSize tells a known
	// size from none); the server's SIZE and MDTM answers take precedence.
	Size    int64
	HasSize bool
	ModTime time.Time
	// Replace says the target is known to differ from the source (a
	// folder synchronisation decided so): a download still resumes its
	// part file but never keeps an existing target for its size, and an
	// upload sends the whole file over the server's.
	Replace bool
	// Verify checks this job's file with the server's hash even when the
	// queue's Verify is off.
	Verify bool
}

// QueueOptions configure a Queue.
type QueueOptions struct {
	// LocalRoot is the folder downloads are written into; nothing is ever
	// written outside it. Needed for downloads only.
	LocalRoot string
	// Exists is the existing-files policy; "" means ExistsResume.
	Exists ExistsPolicy
	// BufferSize is each worker's buffer, client.MinBufferSize to
	// client.MaxBufferSize; 0 means client.DefaultBufferSize.
	BufferSize int
	// Observer receives a job's snapshot when its state changes and, while
	// it runs, its byte progress at most once per ProgressInterval (at
	// least 100 ms: ten times a second). Calls are never concurrent.
	Observer func(Progress)
	// ProgressInterval is the time between progress reports; 0 means 100 ms.
	ProgressInterval time.Duration
	// IgnoreTimes turns off keeping modification times (os.Chtimes after a
	// download, MFMT after an upload).
	IgnoreTimes bool
	// Verify asks the server for each transferred file's hash (HASH or an
	// X-command, see client.Session.VerifyFile) and compares it with the
	// local file: a mismatch fails the job (a download keeps its part
	// file); a server with no hash command gets a "not verified" note.
	Verify bool
}

// Failure is a job that did not complete.
type Failure struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// Summary totals a queue's work.
type Summary struct {
	// Files is how many files were transferred (not skipped).
	Files int `json:"files"`
	// Skipped is how many the existing-files policy left alone.
	Skipped int `json:"skipped"`
	// Bytes is what was carried over the network.
	Bytes int64 `json:"bytes"`
	// Seconds is the time from Start to the last job's end.
	Seconds float64 `json:"seconds"`
	// Failed lists the jobs that failed or were cancelled.
	Failed []Failure `json:"failed"`
}

// Queue runs transfer jobs over a Pool, one worker per pooled connection.
// Downloads are written to NAME.lockbox-part beside their target and
// renamed only when complete and of the server's size; every local write
// goes through an os.Root on LocalRoot, so no name can lead outside it.
type Queue struct {
	pool   *client.Pool
	opts   QueueOptions
	root   *os.Root
	ticker *progressTicker

	mu        sync.Mutex
	cond      *sync.Cond
	jobs      []*Job
	pending   []*Job
	adding    int // jobs queued but not yet handed to the workers
	active    int
	closed    bool
	cancel    context.CancelFunc
	startedAt time.Time
	lastEnd   time.Time
	wg        sync.WaitGroup
}

// NewQueue prepares a queue over pool (creating LocalRoot if needed). Call
// Start to run it and Close when done.
func NewQueue(pool *client.Pool, opts QueueOptions) (*Queue, error) {
	var err error
	if opts.Exists, err = ParseExistsPolicy(string(opts.Exists)); err != nil {
		return nil, err
	}
	if opts.BufferSize, err = checkBuffer("queue", opts.BufferSize); err != nil {
		return nil, err
	}
	q := &Queue{pool: pool, opts: opts}
	q.cond = sync.NewCond(&q.mu)
	if opts.LocalRoot != "" {
		if q.root, err = openRoot(opts.LocalRoot); err != nil {
			return nil, fmt.Errorf("queue: local folder: %w", err)
		}
	}
	q.ticker = newProgressTicker(opts.ProgressInterval, opts.Observer)
	return q, nil
}

// checkBuffer returns the buffer size n asks for (0: the default), or an
// error prefixed with what if it is out of bounds.
func checkBuffer(what string, n int) (int, error) {
	if n == 0 {
		n = client.DefaultBufferSize
	}
	if n < client.MinBufferSize || n > client.MaxBufferSize {
		return 0, fmt.Errorf("%s: buffer of %d bytes; use %d to %d", what, n, client.MinBufferSize, client.MaxBufferSize)
	}
	return n, nil
}

// Add queues a job and returns it.
func (q *Queue) Add(spec JobSpec) *Job {
	q.mu.Lock()
	j := newJob(len(q.jobs)+1, spec)
	q.jobs = append(q.jobs, j)
	q.adding++
	q.mu.Unlock()
	q.publish(j)
	return j
}

// publish reports a queued job to the observer, then hands it to the
// workers: so the observer always sees "queued" before "running".
func (q *Queue) publish(j *Job) {
	q.ticker.emitJob(j, false)
	q.mu.Lock()
	q.adding--
	j.mu.Lock()
	if j.state == StateQueued { // not cancelled meanwhile
		q.pending = append(q.pending, j)
	}
	j.mu.Unlock()
	q.cond.Broadcast()
	q.mu.Unlock()
}

// addFailed records a job that failed before it could be queued (a name
// the server should not have sent).
func (q *Queue) addFailed(spec JobSpec, err error) *Job {
	q.mu.Lock()
	j := newJob(len(q.jobs)+1, spec)
	j.state, j.err = StateFailed, err
	q.jobs = append(q.jobs, j)
	q.mu.Unlock()
	q.ticker.emitJob(j, false)
	return j
}

// Start starts one worker per pooled connection; ctx ending cancels every job.
func (q *Queue) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	q.mu.Lock()
	q.cancel = cancel
	q.startedAt = time.Now()
	q.mu.Unlock()
	for i := 0; i < q.pool.Size(); i++ {
		q.wg.Add(1)
		go q.worker(ctx)
	}
}

func (q *Queue) worker(ctx context.Context) {
	defer q.wg.Done()
	buf := make([]byte, q.opts.BufferSize) // the worker's only buffer
	for {
		q.mu.Lock()
		for len(q.pending) == 0 && !q.closed {
			q.cond.Wait()
		}
		if q.closed {
			q.mu.Unlock()
			return
		}
		j := q.pending[0]
		q.pending = q.pending[1:]
		q.active++
		jctx, cancel := context.WithCancel(ctx)
		j.begin(cancel)
		q.mu.Unlock()

		q.ticker.runJob(ctx, j, true, func() error { return q.run(jctx, j, buf) })
		cancel()

		q.mu.Lock()
		q.active--
		q.lastEnd = time.Now()
		q.cond.Broadcast()
		q.mu.Unlock()
	}
}

// Wait returns when no job is queued or running (or ctx ends).
func (q *Queue) Wait(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		q.mu.Lock()
		q.cond.Broadcast()
		q.mu.Unlock()
	})
	defer stop()
	q.mu.Lock()
	defer q.mu.Unlock()
	for (len(q.pending) > 0 || q.active > 0 || q.adding > 0) && ctx.Err() == nil && !q.closed {
		q.cond.Wait()
	}
	return ctx.Err()
}

// Cancel cancels one job: a queued one is taken off the queue, a running
// one is cut off (a download keeps its .lockbox-part file for a resume). It
// reports whether the job was queued or running.
func (q *Queue) Cancel(id int) bool {
	q.mu.Lock()
	j := q.job(id)
	if j == nil {
		q.mu.Unlock()
		return false
	}
	j.mu.Lock()
	was := j.state
	switch j.state {
	case StateQueued:
		j.state, j.stopped, j.err = StateCancelled, true, errors.New("cancelled before it started")
		for i, p := range q.pending {
			if p == j {
				q.pending = append(q.pending[:i], q.pending[i+1:]...)
				break
			}
		}
		q.cond.Broadcast()
	case StateRunning:
		j.stopped = true
		j.cancel()
	}
	j.mu.Unlock()
	q.mu.Unlock()
	if was == StateQueued {
		q.ticker.emitJob(j, false)
	}
	return was == StateQueued || was == StateRunning
}

// CancelAll cancels every queued and running job.
func (q *Queue) CancelAll() {
	q.mu.Lock()
	ids := make([]int, 0, len(q.jobs))
	for _, j := range q.jobs {
		ids = append(ids, j.id)
	}
	q.mu.Unlock()
	for _, id := range ids {
		q.Cancel(id)
	}
}

// Retry queues a failed or cancelled job again; a download resumes from
// its .lockbox-part file.
func (q *Queue) Retry(id int) bool {
	q.mu.Lock()
	j := q.job(id)
	if j == nil {
		q.mu.Unlock()
		return false
	}
	j.mu.Lock()
	ok := j.state == StateFailed || j.state == StateCancelled
	if ok {
		j.state, j.err, j.stopped = StateQueued, nil, false
		q.adding++
	}
	j.mu.Unlock()
	q.mu.Unlock()
	if ok {
		q.publish(j)
	}
	return ok
}

func (q *Queue) job(id int) *Job {
	if id < 1 || id > len(q.jobs) {
		return nil
	}
	return q.jobs[id-1]
}

// Jobs returns a snapshot of every job, in the order they were added.
func (q *Queue) Jobs() []Progress {
	q.mu.Lock()
	jobs := append([]*Job(nil), q.jobs...)
	q.mu.Unlock()
	out := make([]Progress, len(jobs))
	for i, j := range jobs {
		out[i] = j.Progress()
	}
	return out
}

// Summary totals the jobs so far.
func (q *Queue) Summary() Summary {
	q.mu.Lock()
	end := q.lastEnd
	if q.active > 0 || end.IsZero() {
		end = time.Now()
	}
	var secs float64
	if !q.startedAt.IsZero() {
		secs = end.Sub(q.startedAt).Seconds()
	}
	q.mu.Unlock()
	s := Summary{Seconds: secs, Failed: []Failure{}}
	for _, p := range q.Jobs() {
		s.Bytes += p.Moved
		switch {
		case p.State == StateDone && p.Skipped:
			s.Skipped++
		case p.State == StateDone && (p.Kind == KindDownload || p.Kind == KindUpload):
			s.Files++
		case p.State == StateFailed || p.State == StateCancelled:
			where := p.Remote
			if p.Kind == KindUpload {
				where = p.Local
			}
			msg := "failed"
			if p.Err != nil {
				msg = p.Err.Error()
			}
			s.Failed = append(s.Failed, Failure{Path: where, Error: msg})
		}
	}
	return s
}

// Close cancels what still runs, stops the workers and the progress
// reports, and closes the local folder.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	cancel := q.cancel
	q.cond.Broadcast()
	q.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	q.wg.Wait()
	q.ticker.close()
	if q.root != nil {
		return q.root.Close()
	}
	return nil
}
