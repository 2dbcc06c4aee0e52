package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/textproto"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// PartSuffix is added to a download's name until it is complete and its
// size matches the server's.
const PartSuffix = ".lockbox-part"

// Buffer sizes: each worker of a queue owns one buffer for its whole life.
const (
	DefaultBufferSize = 256 << 10
	MinBufferSize     = 32 << 10
	MaxBufferSize     = 1 << 20
)

// ExistsPolicy says what a transfer does when its target already exists.
type ExistsPolicy string

// The existing-files policies.
const (
	// ExistsResume (the default) continues a download from its
	// .lockbox-part file (REST) and an upload from the server's shorter
	// file (REST+STOR, or APPE); a target that already has the source's
	// size is left alone (skipped); a target of another size is replaced,
	// for downloads only once the new copy is complete.
	ExistsResume ExistsPolicy = "resume"
	// ExistsOverwrite transfers the whole file again and replaces the target.
	ExistsOverwrite ExistsPolicy = "overwrite"
	// ExistsSkip leaves any existing target alone.
	ExistsSkip ExistsPolicy = "skip"
	// ExistsRename keeps the existing target and writes "name (1).ext".
	ExistsRename ExistsPolicy = "rename"
)

// ParseExistsPolicy parses "resume", "overwrite", "skip" or "rename".
func ParseExistsPolicy(s string) (ExistsPolicy, error) {
	switch p := ExistsPolicy(s); p {
	case ExistsResume, ExistsOverwrite, ExistsSkip, ExistsRename:
		return p, nil
	case "":
		return ExistsResume, nil
	}
	return "", fmt.Errorf("existing-files policy %q: use overwrite, skip, resume or rename", s)
}

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
}

// QueueOptions configure a Queue.
type QueueOptions struct {
	// LocalRoot is the folder downloads are written into; nothing is ever
	// written outside it. Needed for downloads only.
	LocalRoot string
	// Exists is the existing-files policy; "" means ExistsResume.
	Exists ExistsPolicy
	// BufferSize is each worker's buffer, MinBufferSize to MaxBufferSize;
	// 0 means DefaultBufferSize.
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
	pool   *Pool
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
func NewQueue(pool *Pool, opts QueueOptions) (*Queue, error) {
	var err error
	if opts.Exists, err = ParseExistsPolicy(string(opts.Exists)); err != nil {
		return nil, err
	}
	if opts.BufferSize == 0 {
		opts.BufferSize = DefaultBufferSize
	}
	if opts.BufferSize < MinBufferSize || opts.BufferSize > MaxBufferSize {
		return nil, fmt.Errorf("queue: buffer of %d bytes; use %d to %d", opts.BufferSize, MinBufferSize, MaxBufferSize)
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

// openRoot creates dir if needed and opens it as the boundary of local writes.
func openRoot(dir string) (*os.Root, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return os.OpenRoot(dir)
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
		j.mu.Lock()
		j.state, j.err, j.skipped, j.note = StateRunning, nil, false, ""
		j.cancel, j.stopped = cancel, false
		j.meter.Reset()
		j.speed, j.started = 0, time.Now()
		j.done.Store(0)
		j.moved.Store(0)
		j.mu.Unlock()
		q.mu.Unlock()

		q.ticker.startJob(j)
		q.ticker.emitJob(j, false)
		err := q.run(jctx, j, buf)
		cancel()
		q.ticker.endJob(j)
		j.mu.Lock()
		switch {
		case err == nil:
			j.state = StateDone
		case j.stopped || ctx.Err() != nil:
			j.state, j.err = StateCancelled, fmt.Errorf("cancelled: %w", err)
		default:
			j.state, j.err = StateFailed, err
		}
		j.cancel, j.finished = nil, time.Now()
		j.mu.Unlock()
		q.ticker.emitJob(j, false)

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

// run runs one job on a pooled session.
func (q *Queue) run(ctx context.Context, j *Job, buf []byte) error {
	sp := j.spec
	return q.pool.Do(ctx, func(s *Session) error {
		switch sp.Kind {
		case KindDownload:
			return q.download(ctx, s, j, buf)
		case KindUpload:
			return q.upload(ctx, s, j, buf)
		case KindMkdir:
			return s.MakeDir(ctx, sp.Remote)
		case KindDelete:
			return s.Delete(ctx, sp.Remote)
		case KindRemoveDir:
			return s.RemoveDir(ctx, sp.Remote)
		case KindRename:
			return s.Rename(ctx, sp.Remote, sp.NewName)
		}
		return fmt.Errorf("unknown job kind %q", sp.Kind)
	})
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

// isMissing reports whether err is the server refusing (a 4xx or 5xx
// reply: "no such file" comes as 550, or 450 from some servers).
func isMissing(err error) bool {
	var perr *textproto.Error
	return errors.As(err, &perr) && perr.Code >= 400
}

// localRel checks a download's local path: relative, and not leading out
// of the queue's folder after filepath.Clean.
func localRel(p string) (string, error) {
	c := filepath.Clean(p)
	if c == "." || filepath.IsAbs(c) || filepath.VolumeName(c) != "" || c == ".." || strings.HasPrefix(c, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("local path %q is not inside the download folder", p)
	}
	return c, nil
}

// download fetches one file into the queue's folder (see ExistsPolicy).
func (q *Queue) download(ctx context.Context, s *Session, j *Job, buf []byte) error {
	root := q.root
	if j.spec.LocalRoot != "" {
		r, err := openRoot(j.spec.LocalRoot)
		if err != nil {
			return fmt.Errorf("download: local folder: %w", err)
		}
		defer r.Close()
		root = r
	}
	if root == nil {
		return errors.New("download: the queue has no local folder")
	}
	target, err := localRel(j.spec.Local)
	if err != nil {
		return err
	}
	remote := j.spec.Remote
	size, hasSize := j.spec.Size, j.spec.HasSize
	if n, err := s.FileSize(ctx, remote); err == nil {
		size, hasSize = n, true
	} else if s.Broken() || ctx.Err() != nil {
		return err
	}
	if hasSize {
		j.total.Store(size)
	}
	mtime := j.spec.ModTime
	if mtime.IsZero() && !q.opts.IgnoreTimes && s.sc.IsGetTimeSupported() {
		if t, err := s.ModTime(ctx, remote); err == nil {
			mtime = t
		} else if s.Broken() || ctx.Err() != nil {
			return err
		}
	}
	d, err := preparePart(root, target, q.opts.Exists, "download "+remote, j)
	if err != nil || d == nil {
		return err
	}
	if hasSize && d.offset > size {
		d.offset = 0 // not this file's beginning
	}
	if skip, err := d.begin(j, size, hasSize); skip || err != nil {
		return err
	}
	n, err, werr := d.fill(j, func(f *partFile) (n int64, err, _ error) {
		if hasSize && d.offset > 0 && d.offset == size {
			// The part file is whole (a crash before the rename, say):
			// fill flushes it to disk before it gets its final name.
			return 0, nil, nil
		}
		if n, err = s.Download(ctx, remote, d.offset, f, buf, j.add); err == nil {
			err = f.open() // here, not in fill, for its error unwrapped
		}
		return n, err, nil
	})
	if err != nil {
		return err
	}
	if werr != nil {
		return fmt.Errorf("%s: %w", d.what, werr)
	}
	return d.commit(j, "retr", n, mtime, q.opts.IgnoreTimes)
}

// upload sends one local file (see ExistsPolicy).
func (q *Queue) upload(ctx context.Context, s *Session, j *Job, buf []byte) error {
	f, err := os.Open(j.spec.Local)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("upload: %s is not a regular file", j.spec.Local)
	}
	size := st.Size()
	j.total.Store(size)
	remote := j.spec.Remote
	rsize, err := s.FileSize(ctx, remote)
	exists := err == nil
	if err != nil && (s.Broken() || ctx.Err() != nil) {
		return err
	}
	var offset int64
	switch q.opts.Exists {
	case ExistsSkip:
		if exists {
			j.setSkipped("the file exists on the server")
			return nil
		}
	case ExistsResume:
		if exists && rsize == size {
			j.setSkipped("the file exists on the server with the same size")
			return nil
		}
		if exists && rsize > 0 && rsize < size {
			offset = rsize
		}
	case ExistsRename:
		orig := remote
		for n := 1; exists; n++ {
			remote = numbered(orig, n)
			_, err := s.FileSize(ctx, remote)
			if err != nil && !isMissing(err) {
				return err
			}
			exists = err == nil
		}
	}
	for {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		j.done.Store(offset)
		if _, err := s.Upload(ctx, remote, f, offset, buf, j.add); err != nil {
			return err
		}
		got, err := s.FileSize(ctx, remote)
		if err != nil && (s.Broken() || ctx.Err() != nil) {
			return err
		}
		if err != nil || got == size {
			break
		}
		if offset == 0 {
			return &StepError{Step: "stor", Err: fmt.Errorf("size mismatch: the server has %d bytes, the local file %d", got, size)}
		}
		// The server did not continue the file (an APPE that replaces, a
		// REST it ignored): send all of it.
		j.setNote(fmt.Sprintf("the server did not resume at byte %d (it then had %d bytes); sent the whole file", offset, got))
		offset = 0
	}
	if !q.opts.IgnoreTimes {
		err := s.SetModTime(ctx, remote, st.ModTime())
		switch {
		case errors.Is(err, ErrUnsupported):
			j.setNote("modification time not kept: the server does not offer MFMT")
		case err != nil && (s.Broken() || ctx.Err() != nil):
			return err
		case err != nil:
			j.setNote("modification time not kept: " + err.Error())
		}
	}
	return nil
}

// DownloadTree lists remoteDir recursively on one pooled session and
// queues every file for download into localDir (relative to LocalRoot;
// "" for LocalRoot itself), creating its folders. Names the server should
// not have sent are recorded as failed jobs and nothing is written for them.
func (q *Queue) DownloadTree(ctx context.Context, remoteDir, localDir string) (*Tree, error) {
	return q.downloadTree(ctx, remoteDir, q.root, "", localDir)
}

// DownloadTreeInto is DownloadTree into localDir relative to localRoot, a
// folder of its own in place of the queue's LocalRoot (see
// JobSpec.LocalRoot).
func (q *Queue) DownloadTreeInto(ctx context.Context, remoteDir, localRoot, localDir string) (*Tree, error) {
	root, err := openRoot(localRoot)
	if err != nil {
		return nil, fmt.Errorf("download: local folder: %w", err)
	}
	defer root.Close()
	return q.downloadTree(ctx, remoteDir, root, localRoot, localDir)
}

func (q *Queue) downloadTree(ctx context.Context, remoteDir string, root *os.Root, rootDir, localDir string) (*Tree, error) {
	if root == nil {
		return nil, errors.New("download: the queue has no local folder")
	}
	base := "."
	if localDir != "" && localDir != "." {
		var err error
		if base, err = localRel(localDir); err != nil {
			return nil, err
		}
	}
	var tree *Tree
	var precise bool
	err := q.pool.Do(ctx, func(s *Session) (err error) {
		tree, err = s.ListRecursive(ctx, remoteDir)
		precise = s.sc.IsTimePreciseInList()
		return err
	})
	if err != nil {
		return tree, err
	}
	for _, ne := range tree.Refused {
		q.addFailed(JobSpec{Kind: KindDownload, Remote: fmt.Sprintf("%s/%q", strings.TrimSuffix(ne.Dir, "/"), ne.Name)}, ne)
	}
	if err := root.MkdirAll(base, 0o755); err != nil {
		return tree, fmt.Errorf("download: %w", err)
	}
	for _, d := range tree.Dirs {
		rel, err := checkRelPath(d.Path)
		if err == nil {
			err = root.MkdirAll(filepath.Join(base, rel), 0o755)
		}
		if err != nil {
			return tree, fmt.Errorf("download: %w", err)
		}
	}
	for _, f := range tree.Files {
		rel, err := checkRelPath(f.Path)
		if err != nil {
			q.addFailed(JobSpec{Kind: KindDownload, Remote: path.Join(remoteDir, f.Path)}, err)
			continue
		}
		spec := JobSpec{Kind: KindDownload, Remote: path.Join(remoteDir, f.Path), Local: filepath.Join(base, rel), LocalRoot: rootDir, Size: int64(f.Size), HasSize: true}
		if precise {
			spec.ModTime = f.Time
		}
		q.Add(spec)
	}
	return tree, nil
}

// UploadTree creates remoteDir and every folder under localDir on the
// server (on one pooled session, parents first), then queues every regular
// file for upload. Local names that are not plain names (CheckName) are
// recorded as failed jobs.
func (q *Queue) UploadTree(ctx context.Context, localDir, remoteDir string) error {
	var dirs, files []string
	err := filepath.WalkDir(localDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(localDir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if cerr := CheckName(d.Name()); cerr != nil {
			q.addFailed(JobSpec{Kind: KindUpload, Local: p, Remote: path.Join(remoteDir, rel)}, &NameError{Dir: filepath.Dir(p), Name: d.Name(), Reason: cerr.Error()})
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			dirs = append(dirs, rel)
		case d.Type().IsRegular():
			files = append(files, rel)
		case d.Type()&fs.ModeSymlink != 0:
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				files = append(files, rel)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	sort.Strings(dirs) // a parent sorts before its children
	err = q.pool.Do(ctx, func(s *Session) error {
		if err := ensureDir(ctx, s, remoteDir); err != nil {
			return err
		}
		for _, d := range dirs {
			if err := ensureDir(ctx, s, path.Join(remoteDir, d)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range files {
		q.Add(JobSpec{Kind: KindUpload, Local: filepath.Join(localDir, filepath.FromSlash(f)), Remote: path.Join(remoteDir, f)})
	}
	return nil
}

// ensureDir creates a remote directory unless it exists.
func ensureDir(ctx context.Context, s *Session, p string) error {
	if p == "" || p == "." || p == "/" {
		return nil
	}
	err := s.MakeDir(ctx, p)
	if err == nil || !isMissing(err) {
		return err
	}
	if ok, derr := s.IsDir(ctx, p); derr != nil || ok {
		return derr
	}
	return err
}
