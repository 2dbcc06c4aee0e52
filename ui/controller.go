package ui

import (
	"context"
	"time"

	"lockbox/client"
	"lockbox/client/transfer"
)

// controller holds the window's connection state: which attempt is the
// current one, whether it runs or was cancelled, the connected site, and
// how transfer-list numbers map to the FTP queue and the HTTPS downloads.
// It knows no widget, so that its rules can be tested without a canvas;
// the window asks it and then draws. Like the widgets, it is only used on
// the UI goroutine.
type controller struct {
	gen       int                // number of the current (or last) attempt
	dialed    string             // host of the current (or last) attempt's URL
	site      string             // saved site of the current attempt, "" for a bare URL
	running   bool               // an inspection or connection attempt is under way
	cancelled bool               // the user cancelled the running attempt
	stop      context.CancelFunc // cancels the running attempt

	conn        *connection // the connected site, if any
	connections int         // connections made, numbering their jobs in the transfer list
	queueStart  time.Time   // when the queue last went from idle to busy

	httpsJobs   int                        // HTTPS downloads started, numbering them in the transfer list
	httpsCancel map[int]context.CancelFunc // cancels HTTPS download id
	httpsRetry  map[int]func()             // runs HTTPS download id again

	// closePool closes a pool nobody will use, off the UI goroutine (QUIT
	// may wait on the network).
	closePool func(*client.Pool)
}

func newController() *controller {
	return &controller{
		httpsCancel: map[int]context.CancelFunc{},
		httpsRetry:  map[int]func(){},
		closePool:   func(p *client.Pool) { go p.Close() },
	}
}

// connection is one logged-in FTP site: its pool of control connections
// (each with its own TLS session cache, one trust decision for all), its
// transfer queue, and the report of its first handshake.
type connection struct {
	target client.Target
	prefs  connectPrefs
	pool   *client.Pool
	queue  *transfer.Queue
	report *client.Report
	ctx    context.Context
	stop   context.CancelFunc
	// idBase is added to the queue's job numbers in the transfer list, so
	// that the jobs of successive connections never share a number.
	idBase int
}

// close ends the connection's transfers and sessions. It may block on the
// network, so it runs off the UI goroutine.
func (c *connection) close() {
	c.stop()
	if c.queue != nil {
		c.queue.CancelAll()
		c.queue.Close()
	}
	c.pool.Close()
}

// attempt is one inspection or connection attempt: its number, and the
// context that ends it.
type attempt struct {
	gen  int
	ctx  context.Context
	stop context.CancelFunc
}

// connectResult is what a connection attempt hands back to the UI
// goroutine: the attempt, what it was for, and what the engine returned.
type connectResult struct {
	attempt
	target client.Target
	prefs  connectPrefs
	pool   *client.Pool // nil on failure
	report *client.Report
	dir    string // the remote folder to show first
	err    error
}

// begin starts a new attempt at host; every earlier one is stale from now on.
func (c *controller) begin(host string) attempt {
	c.gen++
	c.dialed = host
	ctx, stop := context.WithCancel(context.Background())
	c.stop = stop
	c.running = true
	c.cancelled = false
	return attempt{gen: c.gen, ctx: ctx, stop: stop}
}

// end marks the running attempt over, whatever its outcome.
func (c *controller) end() {
	c.running = false
	c.stop = nil
}

// current says whether attempt gen is still the one the window shows; the
// results, questions and steps of a stale one are dropped.
func (c *controller) current(gen int) bool { return gen == c.gen }

// cancel stops the running attempt and remembers that the user asked, so
// that its failure reads "Cancelled."; false when nothing runs.
func (c *controller) cancel() bool {
	if !c.running || c.stop == nil {
		return false
	}
	c.cancelled = true
	c.stop()
	return true
}

// shutdown stops the running attempt, if any, for the window's closing.
func (c *controller) shutdown() {
	if c.stop != nil {
		c.stop()
	}
}

// accept says whether r belongs to the current attempt. A stale result is
// discarded: its pool is closed and its context ended, so that nothing of
// an attempt the user has moved on from stays connected.
func (c *controller) accept(r connectResult) bool {
	if c.current(r.gen) {
		return true
	}
	c.discard(r)
	return false
}

// discard ends a result that will not become the connection.
func (c *controller) discard(r connectResult) {
	if r.pool != nil {
		c.closePool(r.pool)
	}
	r.stop()
}

// newConnection numbers a successful result's connection; it becomes the
// current one only with use, once its queue runs.
func (c *controller) newConnection(r connectResult) *connection {
	c.connections++
	return &connection{target: r.target, prefs: r.prefs, pool: r.pool, report: r.report, ctx: r.ctx, stop: r.stop,
		idBase: (c.connections - 1) * jobIDsPerConnection}
}

// use makes conn the current connection.
func (c *controller) use(conn *connection) { c.conn = conn }

// drop forgets the current connection and returns it (nil if none), for
// the caller to close off the UI goroutine.
func (c *controller) drop() *connection {
	conn := c.conn
	c.conn = nil
	return conn
}

// jobIDsPerConnection is the span of transfer-list numbers a connection's
// queue gets.
const jobIDsPerConnection = 1 << 20

// httpsJobIDs numbers HTTPS downloads apart from the FTP queue's jobs in
// the transfer list.
const httpsJobIDs = 1 << 30

// queueID turns a transfer-list number back into the current queue's job
// number; ok is false for a job of an earlier connection (or HTTPS).
func (c *controller) queueID(id int) (int, bool) {
	conn := c.conn
	if conn == nil || id <= conn.idBase || id > conn.idBase+jobIDsPerConnection {
		return 0, false
	}
	return id - conn.idBase, true
}

// cancelJob cancels transfer-list job id: the current queue's, or an
// HTTPS download.
func (c *controller) cancelJob(id int) {
	if qid, ok := c.queueID(id); ok {
		c.conn.queue.Cancel(qid)
	} else if cancel := c.httpsCancel[id]; cancel != nil {
		cancel()
	}
}

// retryJob runs transfer-list job id again.
func (c *controller) retryJob(id int) {
	if qid, ok := c.queueID(id); ok {
		c.conn.queue.Retry(qid)
	} else if retry := c.httpsRetry[id]; retry != nil {
		retry()
	}
}

// cancelAll cancels every job of the current connection.
func (c *controller) cancelAll() {
	if c.conn != nil {
		c.conn.queue.CancelAll()
	}
}

// activeJobs counts the current connection's queued and running jobs.
func (c *controller) activeJobs() int {
	active := 0
	if c.conn != nil {
		for _, p := range c.conn.queue.Jobs() {
			if p.State == transfer.StateQueued || p.State == transfer.StateRunning {
				active++
			}
		}
	}
	return active
}

// nextHTTPS numbers a new HTTPS download in the transfer list.
func (c *controller) nextHTTPS() int {
	c.httpsJobs++
	return httpsJobIDs + c.httpsJobs
}

// trackHTTPS records how to cancel and retry HTTPS download id, replacing
// what an earlier run of it left.
func (c *controller) trackHTTPS(id int, cancel context.CancelFunc, retry func()) {
	c.httpsCancel[id] = cancel
	c.httpsRetry[id] = retry
}

// queueBusy notes progress at now; idle says whether the transfer list had
// nothing active before it, which starts the clock queueTook reads.
func (c *controller) queueBusy(idle bool, now time.Time) {
	if idle {
		c.queueStart = now
	}
}

// queueTook is how long the queue has been busy at now.
func (c *controller) queueTook(now time.Time) time.Duration { return now.Sub(c.queueStart) }
