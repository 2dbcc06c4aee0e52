package transfer

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// JobKind is what a transfer job does.
type JobKind string

// The kinds of transfer jobs.
const (
	KindDownload  JobKind = "download"
	KindUpload    JobKind = "upload"
	KindMkdir     JobKind = "mkdir"
	KindDelete    JobKind = "delete"
	KindRemoveDir JobKind = "rmdir"
	KindRename    JobKind = "rename"
)

// JobState is where a job is in its life.
type JobState string

// The states of a job. A job skipped by the existing-files policy is Done
// with Progress.Skipped set.
const (
	StateQueued    JobState = "queued"
	StateRunning   JobState = "running"
	StateDone      JobState = "done"
	StateFailed    JobState = "failed"
	StateCancelled JobState = "cancelled"
)

// Finished reports whether the state is final (until a retry).
func (s JobState) Finished() bool {
	return s == StateDone || s == StateFailed || s == StateCancelled
}

// Progress is a snapshot of one job, as handed to a queue's observer.
type Progress struct {
	ID     int
	Kind   JobKind
	Remote string
	// Local is the local path (for downloads relative to the queue's folder).
	Local string
	State JobState
	// Done is the position reached in the file (a resumed transfer starts
	// at its offset); Total is the file's size, -1 when unknown.
	Done, Total int64
	// Moved is what this job carried over the network so far.
	Moved int64
	// Speed is in bytes per second, a moving average over the last two
	// seconds; ETA is -1 when unknown.
	Speed float64
	ETA   time.Duration
	// Skipped says the existing-files policy left the file alone.
	Skipped bool
	// Note is a remark, e.g. that a modification time was not kept.
	Note string
	// Err is why the job failed.
	Err error
}

// meterSamples spans the moving average: 21 samples 100 ms apart are two
// seconds.
const meterSamples = 21

// Meter measures the speed of a transfer as a moving average over its
// latest samples. It allocates nothing. The zero value is ready.
type Meter struct {
	at      [meterSamples]int64 // UnixNano
	bytes   [meterSamples]int64
	n, next int
}

// Add records that done bytes were reached at now and returns the speed in
// bytes per second over the window of samples (0 until two samples span
// some time).
func (m *Meter) Add(now time.Time, done int64) float64 {
	m.at[m.next], m.bytes[m.next] = now.UnixNano(), done
	m.next = (m.next + 1) % meterSamples
	if m.n < meterSamples {
		m.n++
	}
	newest := (m.next + meterSamples - 1) % meterSamples
	oldest := (m.next + meterSamples - m.n) % meterSamples
	dt := m.at[newest] - m.at[oldest]
	if dt <= 0 {
		return 0
	}
	return float64(m.bytes[newest]-m.bytes[oldest]) * 1e9 / float64(dt)
}

// Reset forgets every sample.
func (m *Meter) Reset() { *m = Meter{} }

// eta estimates the time left; -1 when it cannot.
func eta(done, total int64, speed float64) time.Duration {
	if total < 0 || speed <= 0 {
		return -1
	}
	if done >= total {
		return 0
	}
	return time.Duration(float64(total-done) / speed * float64(time.Second))
}

// Job is one entry of a transfer queue.
type Job struct {
	id   int
	spec JobSpec

	done  atomic.Int64
	moved atomic.Int64
	total atomic.Int64

	mu       sync.Mutex
	state    JobState
	err      error
	skipped  bool
	note     string
	cancel   context.CancelFunc
	stopped  bool // Cancel was asked for
	meter    Meter
	speed    float64
	started  time.Time
	finished time.Time
}

func newJob(id int, spec JobSpec) *Job {
	j := &Job{id: id, spec: spec, state: StateQueued}
	j.total.Store(-1)
	if spec.Size >= 0 && (spec.Kind == KindDownload || spec.Kind == KindUpload) {
		j.total.Store(spec.Size)
	}
	return j
}

// begin marks j running from now, stopped by cancel (nil: no Cancel); a
// retried job starts afresh. A queue calls it under its lock, so that
// Cancel never finds a job taken off the queue but not yet running.
func (j *Job) begin(cancel context.CancelFunc) {
	j.mu.Lock()
	j.state, j.err, j.skipped, j.note = StateRunning, nil, false, ""
	j.cancel, j.stopped = cancel, false
	j.meter.Reset()
	j.speed, j.started = 0, time.Now()
	j.done.Store(0)
	j.moved.Store(0)
	j.mu.Unlock()
}

// finish records how j's run ended: done without err; cancelled when
// Cancel stopped it or ctxDone (its error prefixed "cancelled: " if
// sayCancelled); else failed.
func (j *Job) finish(err error, ctxDone, sayCancelled bool) {
	j.mu.Lock()
	switch {
	case err == nil:
		j.state = StateDone
	case j.stopped || ctxDone:
		if sayCancelled {
			err = fmt.Errorf("cancelled: %w", err)
		}
		j.state, j.err = StateCancelled, err
	default:
		j.state, j.err = StateFailed, err
	}
	j.cancel, j.finished = nil, time.Now()
	j.mu.Unlock()
}

// ID identifies the job within its queue.
func (j *Job) ID() int { return j.id }

// add counts n more bytes carried: the per-chunk cost of progress.
func (j *Job) add(n int64) {
	j.done.Add(n)
	j.moved.Add(n)
}

// sample feeds the meter (from the progress ticker only).
func (j *Job) sample(now time.Time) {
	done := j.done.Load()
	j.mu.Lock()
	j.speed = j.meter.Add(now, done)
	j.mu.Unlock()
}

// Progress returns a snapshot of the job.
func (j *Job) Progress() Progress {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := Progress{
		ID: j.id, Kind: j.spec.Kind, Remote: j.spec.Remote, Local: j.spec.Local,
		State: j.state, Done: j.done.Load(), Total: j.total.Load(), Moved: j.moved.Load(),
		Speed: j.speed, Skipped: j.skipped, Note: j.note, Err: j.err,
	}
	if j.spec.Kind == KindRename {
		p.Local = j.spec.NewName
	}
	p.ETA = -1
	if p.State == StateRunning {
		p.ETA = eta(p.Done, p.Total, p.Speed)
	}
	return p
}

// progressTicker reports the byte progress of running jobs to an observer
// on a ticker: at most once per interval per job, whatever the chunk size.
// Observer calls are serialised.
type progressTicker struct {
	interval time.Duration
	obs      func(Progress)

	obsMu sync.Mutex

	mu      sync.Mutex
	running map[*Job]struct{}

	stop chan struct{}
	wg   sync.WaitGroup
}

func newProgressTicker(interval time.Duration, obs func(Progress)) *progressTicker {
	if interval < 100*time.Millisecond {
		interval = 100 * time.Millisecond
	}
	t := &progressTicker{interval: interval, obs: obs, running: map[*Job]struct{}{}, stop: make(chan struct{})}
	t.wg.Add(1)
	go t.loop()
	return t
}

func (t *progressTicker) loop() {
	defer t.wg.Done()
	tick := time.NewTicker(t.interval)
	defer tick.Stop()
	var jobs []*Job
	for {
		select {
		case <-t.stop:
			return
		case now := <-tick.C:
			jobs = jobs[:0]
			t.mu.Lock()
			for j := range t.running {
				jobs = append(jobs, j)
			}
			t.mu.Unlock()
			for _, j := range jobs {
				j.sample(now)
				t.emitJob(j, true)
			}
		}
	}
}

// emitJob hands a snapshot of j to the observer, one call at a time. The
// snapshot is taken under the observer's lock, so the observer never sees
// a job go back to an older state; onlyRunning skips a job that finished.
func (t *progressTicker) emitJob(j *Job, onlyRunning bool) {
	if t.obs == nil {
		return
	}
	t.obsMu.Lock()
	defer t.obsMu.Unlock()
	p := j.Progress()
	if onlyRunning && p.State != StateRunning {
		return
	}
	t.obs(p)
}

// runJob is the life of one running job, queued FTP or HTTPS alike: it
// reports j (marked running by begin) to the observer, ticks its progress
// while run runs, then records and reports how it ended (see finish; ctx
// is the context whose end makes a failure a cancellation).
func (t *progressTicker) runJob(ctx context.Context, j *Job, sayCancelled bool, run func() error) error {
	t.startJob(j)
	t.emitJob(j, false)
	err := run()
	t.endJob(j)
	j.finish(err, ctx.Err() != nil, sayCancelled)
	t.emitJob(j, false)
	return err
}

func (t *progressTicker) startJob(j *Job) {
	t.mu.Lock()
	t.running[j] = struct{}{}
	t.mu.Unlock()
}

func (t *progressTicker) endJob(j *Job) {
	t.mu.Lock()
	delete(t.running, j)
	t.mu.Unlock()
}

func (t *progressTicker) close() {
	close(t.stop)
	t.wg.Wait()
}

func (j *Job) setSkipped(note string) {
	j.mu.Lock()
	j.skipped, j.note = true, note
	j.mu.Unlock()
}

func (j *Job) setNote(note string) {
	j.mu.Lock()
	j.note = note
	j.mu.Unlock()
}
