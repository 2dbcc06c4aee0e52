package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"lockbox/client"
	"lockbox/client/trace"
	"lockbox/client/transfer"
	"lockbox/ui/units"
)

const transferUsageText = `Usage:
  lockbox get [flags] URL [-o PATH]   download a file (https:// too), or with -r a folder tree
  lockbox put [flags] LOCAL URL       upload a file, or with -r a folder's contents into URL
  lockbox rm [flags] URL              delete a file (-r: a folder and everything in it)
  lockbox mkdir [flags] URL           create a folder
  lockbox mv [flags] URL NEWNAME      rename; NEWNAME without "/" stays in the same folder

get writes NAME.lockbox-part beside the target and renames it only when it is complete and
its size is the server's. get -r puts the folder's contents into -o (default: a folder named
after it). put into an existing folder (or a URL ending in "/") keeps the local name.

--exists says what happens to a target that already exists:
  resume     (default) continue .lockbox-part files (FTP REST, HTTP Range) and partial
             uploads; leave a target of the same size alone; replace one of another size
  overwrite  transfer again and replace      skip    leave any existing target alone
  rename     keep it and write "name (1).ext"

Prints the first connection's handshake as it happens, progress on a terminal's standard
error, and a summary line; --json prints {"files", "bytes", "seconds", "failed": [...]}.
Exit codes: 0 done, 1 a transfer or connection failed, 2 usage, 3 certificate not trusted
(or a data connection showed another certificate than the control connection).

Flags:
`

// transferFlags are the flags the transfer sub-commands add.
type transferFlags struct {
	out       string
	recursive bool
	parallel  int
	exists    string
	verify    bool
}

// transferResult is what --json prints.
type transferResult struct {
	Files   int                `json:"files"`
	Bytes   int64              `json:"bytes"`
	Seconds float64            `json:"seconds"`
	Failed  []transfer.Failure `json:"failed"`
	Skipped int                `json:"skipped"`
	Error   string             `json:"error,omitempty"`
}

// runTransferCLI runs get, put, rm, mkdir or mv and returns the exit code.
func runTransferCLI(cmd string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var f cliFlags
	var tf transferFlags
	fs := newFlagSet(&f, stderr)
	fs.StringVar(&tf.out, "o", "", "get: write to `PATH` (a file, or an existing folder; with -r the folder for the tree)")
	fs.BoolVar(&tf.recursive, "r", false, "get, put, rm: the whole folder tree")
	fs.IntVar(&tf.parallel, "parallel", client.DefaultPoolSize, fmt.Sprintf("transfer over `N` connections at once (1-%d)", client.MaxPoolSize))
	fs.BoolVar(&tf.verify, "verify", false, "get, put: check each file's hash with the server (HASH, XSHA256, XSHA1, XMD5 or XCRC); a mismatch fails it")
	fs.StringVar(&tf.exists, "exists", string(transfer.ExistsResume), "existing targets: overwrite, skip, resume or rename")
	setUsage(fs, transferUsageText)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseExit(err)
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "lockbox %s: %s\n", cmd, fmt.Sprintf(format, a...))
		return exitUsage
	}
	want := map[string]int{"get": 1, "put": 2, "rm": 1, "mkdir": 1, "mv": 2}[cmd]
	if len(pos) != want {
		return usage("need %d argument(s), got %d (see lockbox %s -h)", want, len(pos), cmd)
	}
	if tf.parallel < 1 || tf.parallel > client.MaxPoolSize {
		return usage("--parallel must be 1 to %d", client.MaxPoolSize)
	}
	policy, err := transfer.ParseExistsPolicy(tf.exists)
	if err != nil {
		return usage("--exists: %v", err)
	}
	if tf.out != "" && cmd != "get" {
		return usage("-o is for get only")
	}
	if tf.recursive && cmd != "get" && cmd != "put" && cmd != "rm" {
		return usage("-r is for get, put and rm")
	}
	rawURL := pos[0]
	if cmd == "put" {
		rawURL = pos[1]
	}
	target, err := client.ParseURL(rawURL)
	if err != nil {
		return usage("%v", err)
	}
	if target.Scheme == client.TLS {
		return usage("tls:// URLs are for inspect only")
	}
	if target.Scheme == client.HTTPS && (cmd != "get" || tf.recursive) {
		return usage("https:// URLs can only be fetched with get (no -r)")
	}
	if cmd == "put" {
		if _, err := os.Stat(pos[0]); err != nil {
			return usage("%v", err)
		}
	}
	opts, err := f.options(target, os.Getenv, stderr)
	if err != nil {
		return optionsFailed(cmd, err, stderr)
	}
	if err := askPassword(&target, stdin, stderr); err != nil {
		return usage("%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	// The first connection's handshake and login are printed as they
	// happen; after that only what the engine concludes went wrong on any
	// connection (a data connection's failed handshake or changed
	// certificate): refused commands are reported with their job.
	var connected atomic.Bool
	if !f.json {
		printer := stepPrinter(stdout)
		var mu sync.Mutex // each pooled connection reports on its own goroutine
		opts.Observer = trace.ObserverFunc(func(s trace.Step) {
			before := !connected.Load() && (s.Conn == "control" || s.Conn == "https")
			if before || s.Failed && s.Dir == trace.Info {
				mu.Lock()
				printer.Step(s)
				mu.Unlock()
			}
		})
	}
	bars := newProgressBars(stderr)
	t := &transferRun{cmd: cmd, pos: pos, target: target, opts: opts, flags: tf, policy: policy, bars: bars, stderr: stderr}
	var res transferResult
	var code int
	if target.Scheme == client.HTTPS {
		res, code = t.https(ctx)
	} else {
		res, code = t.ftp(ctx, &connected, f.json, stdout)
	}
	bars.clear()
	for _, fl := range res.Failed {
		fmt.Fprintf(stderr, "lockbox %s: %s: %s\n", cmd, fl.Path, fl.Error)
	}
	if f.json {
		writeJSON(stdout, res)
	} else if res.Error == "" {
		mbps := 0.0
		if res.Seconds > 0 {
			mbps = float64(res.Bytes) / res.Seconds / 1e6
		}
		fmt.Fprintf(stdout, "%d file(s), %d bytes in %.2f s (%.1f MB/s); %d skipped, %d failed\n",
			res.Files, res.Bytes, res.Seconds, mbps, res.Skipped, len(res.Failed))
	}
	return code
}

// transferRun is one transfer command being carried out.
type transferRun struct {
	cmd    string
	pos    []string
	target client.Target
	opts   client.Options
	flags  transferFlags
	policy transfer.ExistsPolicy
	bars   *progressBars
	stderr io.Writer
}

// localTarget splits get's destination into the folder that confines the
// writes and the file's name in it.
func (t *transferRun) localTarget(remote string) (root, name string, err error) {
	base := path.Base(remote)
	if err := client.CheckName(base); err != nil {
		return "", "", fmt.Errorf("the URL names no file to save (%q: %v); give -o", base, err)
	}
	out := t.flags.out
	switch {
	case out == "":
		return ".", base, nil
	case strings.HasSuffix(out, string(filepath.Separator)) || strings.HasSuffix(out, "/"):
		return out, base, nil
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return out, base, nil
	}
	return filepath.Dir(out), filepath.Base(out), nil
}

func (t *transferRun) https(ctx context.Context) (transferResult, int) {
	root, name, err := t.localTarget(t.target.Path)
	if err != nil {
		fmt.Fprintf(t.stderr, "lockbox get: %v\n", err)
		return transferResult{Failed: []transfer.Failure{}, Error: err.Error()}, exitUsage
	}
	start := time.Now()
	_, pr, err := transfer.GetHTTPS(ctx, t.target, t.opts, transfer.HTTPSGetOptions{
		LocalRoot: root, Local: name, Exists: t.policy, Observer: t.bars.observe,
	})
	res := transferResult{Bytes: pr.Moved, Seconds: time.Since(start).Seconds(), Failed: []transfer.Failure{}}
	switch {
	case err != nil:
		res.Failed = append(res.Failed, transfer.Failure{Path: t.target.String(), Error: withAdvice(err)})
		if client.IsTrustFailure(err) {
			return res, exitUntrusted
		}
		return res, exitFailure
	case pr.Skipped:
		res.Skipped = 1
	default:
		res.Files = 1
	}
	return res, exitOK
}

func (t *transferRun) ftp(ctx context.Context, connected *atomic.Bool, asJSON bool, stdout io.Writer) (transferResult, int) {
	res := transferResult{Failed: []transfer.Failure{}}
	pool, report, err := client.OpenPool(ctx, t.target, t.opts, client.PoolOptions{Size: t.flags.parallel})
	connected.Store(true)
	if err != nil {
		res.Error = withAdvice(err)
		if !asJSON && report != nil {
			printReport(stdout, report, dialedName(t.target, t.opts))
		}
		fmt.Fprintf(t.stderr, "lockbox %s: %s\n", t.cmd, res.Error)
		if client.IsTrustFailure(err) {
			return res, exitUntrusted
		}
		return res, exitFailure
	}
	defer pool.Close()

	qo := transfer.QueueOptions{Exists: t.policy, Observer: t.bars.observe, Verify: t.flags.verify}
	remote := t.target.RemotePath("") // relative to the login folder unless %2F (RFC 1738)
	if remote == "" {
		remote = "."
	}
	var local string
	switch {
	case t.cmd == "get" && t.flags.recursive:
		qo.LocalRoot = t.flags.out
		if qo.LocalRoot == "" {
			qo.LocalRoot = path.Base(strings.TrimSuffix(remote, "/"))
			if client.CheckName(qo.LocalRoot) != nil {
				qo.LocalRoot = "."
			}
		}
	case t.cmd == "get":
		if qo.LocalRoot, local, err = t.localTarget(remote); err != nil {
			res.Error = err.Error()
			fmt.Fprintf(t.stderr, "lockbox get: %v\n", err)
			return res, exitUsage
		}
	}
	q, err := transfer.NewQueue(pool, qo)
	if err != nil {
		res.Error = err.Error()
		fmt.Fprintf(t.stderr, "lockbox %s: %v\n", t.cmd, err)
		return res, exitFailure
	}
	q.Start(ctx)
	defer q.Close()

	if err := t.enqueue(ctx, pool, q, remote, local); err != nil {
		res.Error = withAdvice(err)
		fmt.Fprintf(t.stderr, "lockbox %s: %s\n", t.cmd, res.Error)
	}
	q.Wait(ctx)
	if ctx.Err() != nil {
		q.CancelAll()
		q.Wait(context.Background())
	}
	s := q.Summary()
	res.Files, res.Bytes, res.Seconds, res.Failed, res.Skipped = s.Files, s.Bytes, s.Seconds, s.Failed, s.Skipped
	code := exitOK
	if len(s.Failed) > 0 || res.Error != "" {
		code = exitFailure
	}
	advice := map[string]string{} // a failed job's message → the same with its flag advice
	for _, p := range q.Jobs() {
		if p.Err != nil && client.IsTrustFailure(p.Err) {
			code = exitUntrusted
		}
		if p.Err != nil {
			advice[p.Err.Error()] = withAdvice(p.Err)
		}
	}
	for i, fl := range res.Failed {
		if a, ok := advice[fl.Error]; ok {
			res.Failed[i].Error = a
		}
	}
	return res, code
}

// enqueue queues the command's jobs (and for rm -r waits between levels).
func (t *transferRun) enqueue(ctx context.Context, pool *client.Pool, q *transfer.Queue, remote, local string) error {
	switch t.cmd {
	case "get":
		if t.flags.recursive {
			_, err := q.DownloadTree(ctx, remote, "")
			return err
		}
		q.Add(transfer.JobSpec{Kind: transfer.KindDownload, Remote: remote, Local: local})
	case "put":
		src := t.pos[0]
		if t.flags.recursive {
			return q.UploadTree(ctx, src, remote)
		}
		into := strings.HasSuffix(remote, "/") || remote == "."
		if !into {
			err := pool.Do(ctx, func(s *client.Session) (err error) { into, err = s.IsDir(ctx, remote); return err })
			if err != nil {
				return err
			}
		}
		if into {
			remote = path.Join(remote, filepath.Base(src))
		}
		q.Add(transfer.JobSpec{Kind: transfer.KindUpload, Local: src, Remote: remote})
	case "rm":
		if t.flags.recursive {
			return t.removeTree(ctx, pool, q, remote)
		}
		q.Add(transfer.JobSpec{Kind: transfer.KindDelete, Remote: remote})
	case "mkdir":
		q.Add(transfer.JobSpec{Kind: transfer.KindMkdir, Remote: remote})
	case "mv":
		to := t.pos[1]
		if !strings.Contains(to, "/") {
			to = path.Join(path.Dir(remote), to)
		}
		q.Add(transfer.JobSpec{Kind: transfer.KindRename, Remote: remote, NewName: to})
	}
	return nil
}

// removeTree deletes every file under dir in parallel, then the folders,
// deepest first, then dir itself.
func (t *transferRun) removeTree(ctx context.Context, pool *client.Pool, q *transfer.Queue, dir string) error {
	var tree *client.Tree
	err := pool.Do(ctx, func(s *client.Session) (err error) { tree, err = s.ListRecursive(ctx, dir); return err })
	if err != nil {
		return err
	}
	if len(tree.Refused) > 0 {
		return fmt.Errorf("%s holds names Lockbox refuses (%v); nothing was deleted", dir, tree.Refused[0])
	}
	for _, f := range tree.Files {
		q.Add(transfer.JobSpec{Kind: transfer.KindDelete, Remote: path.Join(dir, f.Path)})
	}
	q.Wait(ctx)
	dirs := append([]client.RemoteFile(nil), tree.Dirs...)
	sort.Slice(dirs, func(i, j int) bool { return strings.Count(dirs[i].Path, "/") > strings.Count(dirs[j].Path, "/") })
	for _, d := range dirs {
		q.Add(transfer.JobSpec{Kind: transfer.KindRemoveDir, Remote: path.Join(dir, d.Path)})
		q.Wait(ctx)
	}
	q.Add(transfer.JobSpec{Kind: transfer.KindRemoveDir, Remote: dir})
	return nil
}

// progressBars draws one status line on a terminal's standard error: bytes,
// speed and time left over the running jobs. Elsewhere it draws nothing.
type progressBars struct {
	w    io.Writer
	on   bool
	jobs map[int]transfer.Progress
	last time.Time
	drew bool
}

func newProgressBars(stderr io.Writer) *progressBars {
	f, ok := stderr.(*os.File)
	return &progressBars{w: stderr, on: ok && term.IsTerminal(int(f.Fd())), jobs: map[int]transfer.Progress{}}
}

// observe takes a job's progress (calls are never concurrent) and redraws
// at most ten times a second.
func (b *progressBars) observe(p transfer.Progress) {
	if !b.on {
		return
	}
	b.jobs[p.ID] = p
	if now := time.Now(); now.Sub(b.last) >= 100*time.Millisecond || p.State.Finished() {
		b.last = now
		b.draw()
	}
}

func (b *progressBars) draw() {
	var done, total int64
	var speed float64
	var files, finished int
	var running []string
	for _, p := range b.jobs {
		if p.Kind != transfer.KindDownload && p.Kind != transfer.KindUpload {
			continue
		}
		files++
		if p.State.Finished() {
			finished++
		}
		done += p.Done
		if p.Total > 0 {
			total += p.Total
		}
		if p.State == transfer.StateRunning {
			speed += p.Speed
			running = append(running, path.Base(p.Remote))
		}
	}
	sort.Strings(running)
	line := fmt.Sprintf("[%d/%d] %s", finished, files, units.Bytes(done))
	if total > 0 {
		line += fmt.Sprintf(" of %s (%d%%)", units.Bytes(total), done*100/total)
	}
	line += "  " + units.Speed(speed)
	if total > 0 && speed > 0 && total > done {
		line += "  ETA " + (time.Duration(float64(total-done)/speed) * time.Second).Round(time.Second).String()
	}
	if len(running) > 0 {
		line += "  " + strings.Join(running, ", ")
	}
	if len(line) > 110 {
		line = line[:107] + "..."
	}
	fmt.Fprintf(b.w, "\r\x1b[K%s", line)
	b.drew = true
}

// clear removes the status line.
func (b *progressBars) clear() {
	if b.drew {
		fmt.Fprint(b.w, "\r\x1b[K")
	}
}
