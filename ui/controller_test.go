package ui

import (
	"context"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"time"

	"lockbox/client"
	"lockbox/client/transfer"
)

// These tests drive the controller alone: no app, no window, no canvas.

// newTestController is a controller whose discarded pools are recorded
// instead of closed (the pools in these tests never connected).
func newTestController() (*controller, *[]*client.Pool) {
	c := newController()
	var closed []*client.Pool
	c.closePool = func(p *client.Pool) { closed = append(closed, p) }
	return c, &closed
}

func done(ctx context.Context) bool { return ctx.Err() != nil }

func TestControllerDiscardsStaleResults(t *testing.T) {
	for _, tc := range []struct {
		name      string
		pool      bool // the stale attempt connected
		wantClose int
	}{
		{"stale connection", true, 1},
		{"stale failure", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, closed := newTestController()
			old := c.begin("old.example.test")
			cur := c.begin("new.example.test")
			stale := connectResult{attempt: old}
			if tc.pool {
				stale.pool = &client.Pool{}
			}
			if c.accept(stale) {
				t.Fatal("a result of an earlier attempt was accepted")
			}
			if len(*closed) != tc.wantClose || (tc.pool && (*closed)[0] != stale.pool) {
				t.Errorf("closed pools %v, want %d (the stale one)", *closed, tc.wantClose)
			}
			if !done(old.ctx) {
				t.Error("the stale attempt's context is still alive")
			}
			if !c.accept(connectResult{attempt: cur, pool: &client.Pool{}}) {
				t.Error("the current attempt's result was refused")
			}
			if done(cur.ctx) || len(*closed) != tc.wantClose {
				t.Errorf("accepting the current result ended it (ctx done %v) or closed its pool (%d closed)", done(cur.ctx), len(*closed))
			}
			if c.dialed != "new.example.test" || !c.current(cur.gen) || c.current(old.gen) {
				t.Errorf("dialed %q, current(new) %v, current(old) %v", c.dialed, c.current(cur.gen), c.current(old.gen))
			}
		})
	}
}

func TestControllerCancel(t *testing.T) {
	for _, tc := range []struct {
		name          string
		setup         func(c *controller) context.Context
		wantCancelled bool
	}{
		{"nothing running", func(c *controller) context.Context { return nil }, false},
		{"running attempt", func(c *controller) context.Context { return c.begin("h").ctx }, true},
		{"ended attempt", func(c *controller) context.Context { at := c.begin("h"); c.end(); return at.ctx }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestController()
			ctx := tc.setup(c)
			if got := c.cancel(); got != tc.wantCancelled {
				t.Errorf("cancel() = %v, want %v", got, tc.wantCancelled)
			}
			if c.cancelled != tc.wantCancelled {
				t.Errorf("cancelled = %v, want %v", c.cancelled, tc.wantCancelled)
			}
			if tc.wantCancelled && !done(ctx) {
				t.Error("the attempt's context was not cancelled")
			}
		})
	}
}

func TestControllerNewAttemptForgetsCancel(t *testing.T) {
	c, _ := newTestController()
	c.begin("h")
	c.cancel()
	c.end()
	at := c.begin("h")
	if c.cancelled || !c.running || done(at.ctx) {
		t.Errorf("after a new begin: cancelled %v, running %v, ctx done %v", c.cancelled, c.running, done(at.ctx))
	}
	c.shutdown()
	if !done(at.ctx) {
		t.Error("shutdown left the running attempt alive")
	}
}

func TestControllerJobIDsOfTwoConnectionsDoNotCollide(t *testing.T) {
	c, _ := newTestController()
	first := c.newConnection(connectResult{attempt: c.begin("a")})
	c.use(first)
	firstIDs := map[int]int{} // transfer-list number -> queue number
	for _, qid := range []int{1, 2, jobIDsPerConnection} {
		id := first.idBase + qid
		got, ok := c.queueID(id)
		if !ok || got != qid {
			t.Fatalf("first connection: queueID(%d) = %d, %v; want %d", id, got, ok, qid)
		}
		firstIDs[id] = qid
	}

	second := c.newConnection(connectResult{attempt: c.begin("b")})
	if c.drop() != first || c.conn != nil {
		t.Fatal("drop did not return and forget the first connection")
	}
	c.use(second)
	for id := range firstIDs {
		if qid, ok := c.queueID(id); ok {
			t.Errorf("transfer-list number %d of the first connection maps to job %d of the second", id, qid)
		}
	}
	if got, ok := c.queueID(second.idBase + 1); !ok || got != 1 {
		t.Errorf("second connection's job 1: queueID = %d, %v", got, ok)
	}
	for _, id := range []int{0, -1, second.idBase, second.idBase + jobIDsPerConnection + 1} {
		if _, ok := c.queueID(id); ok {
			t.Errorf("queueID(%d) is outside the current connection's span but was mapped", id)
		}
	}
	https := c.nextHTTPS()
	if _, ok := c.queueID(https); ok || https <= second.idBase+jobIDsPerConnection {
		t.Errorf("HTTPS job %d falls among the FTP jobs", https)
	}
	if next := c.nextHTTPS(); next != https+1 {
		t.Errorf("HTTPS jobs numbered %d then %d", https, next)
	}
}

func TestControllerHTTPSCancelAndRetry(t *testing.T) {
	c, _ := newTestController()
	calls := map[string]int{}
	a, b := c.nextHTTPS(), c.nextHTTPS()
	c.trackHTTPS(a, func() { calls["cancel a"]++ }, func() { calls["retry a"]++ })
	c.trackHTTPS(b, func() { calls["cancel b"]++ }, func() { calls["retry b"]++ })
	// A retry registers the job again; the new functions replace the old.
	c.trackHTTPS(b, func() { calls["cancel b2"]++ }, func() { calls["retry b2"]++ })
	// An FTP connection is current: its span must not swallow HTTPS numbers.
	c.use(c.newConnection(connectResult{attempt: c.begin("ftp")}))

	for _, tc := range []struct {
		name string
		act  func()
		want string
	}{
		{"cancel a", func() { c.cancelJob(a) }, "cancel a"},
		{"retry a", func() { c.retryJob(a) }, "retry a"},
		{"cancel b after its retry", func() { c.cancelJob(b) }, "cancel b2"},
		{"retry b after its retry", func() { c.retryJob(b) }, "retry b2"},
		{"unknown job", func() { c.cancelJob(b + 1); c.retryJob(b + 1) }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clear(calls)
			tc.act()
			want := map[string]int{}
			if tc.want != "" {
				want[tc.want] = 1
			}
			if len(calls) != len(want) || calls[tc.want] != want[tc.want] {
				t.Errorf("calls %v, want %v", calls, want)
			}
		})
	}
}

func TestControllerQueueClock(t *testing.T) {
	c, _ := newTestController()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c.queueBusy(true, t0)                     // the first job starts
	c.queueBusy(false, t0.Add(3*time.Second)) // more progress while busy
	if got := c.queueTook(t0.Add(12 * time.Second)); got != 12*time.Second {
		t.Errorf("queueTook = %v, want 12s from the first progress of a busy run", got)
	}
	c.queueBusy(true, t0.Add(time.Minute)) // idle again, then a new run
	if got := c.queueTook(t0.Add(time.Minute + time.Second)); got != time.Second {
		t.Errorf("queueTook = %v, want 1s from the new run's start", got)
	}
}

func TestControllerWithoutConnection(t *testing.T) {
	c, _ := newTestController()
	// None of these may reach for a queue that is not there.
	c.cancelJob(1)
	c.retryJob(1)
	c.cancelAll()
	if n := c.activeJobs(); n != 0 {
		t.Errorf("activeJobs = %d with no connection", n)
	}
	if c.drop() != nil {
		t.Error("drop returned a connection that was never used")
	}
}

func TestControllerRoutesFTPJobsToTheQueue(t *testing.T) {
	c, _ := newTestController()
	c.use(c.newConnection(connectResult{attempt: c.begin("old")})) // an earlier connection, so idBase is not 0
	conn := c.newConnection(connectResult{attempt: c.begin("ftp")})
	// The queue is never started: its jobs stay queued, no pool is used.
	q, err := transfer.NewQueue(&client.Pool{}, transfer.QueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	conn.queue = q
	c.use(conn)
	for _, name := range []string{"a", "b"} {
		q.Add(transfer.JobSpec{Kind: transfer.KindDownload, Remote: "/" + name, Local: name})
	}
	httpsCancelled := 0
	c.trackHTTPS(c.nextHTTPS(), func() { httpsCancelled++ }, func() {})

	for _, tc := range []struct {
		name       string
		act        func()
		wantActive int
	}{
		{"both queued", func() {}, 2},
		{"cancel the first", func() { c.cancelJob(conn.idBase + 1) }, 1},
		{"retry it", func() { c.retryJob(conn.idBase + 1) }, 2},
		{"a number of the earlier connection", func() { c.cancelJob(1) }, 2},
		{"cancel all", func() { c.cancelAll() }, 0},
	} {
		tc.act()
		if got := c.activeJobs(); got != tc.wantActive {
			t.Errorf("%s: %d jobs active, want %d", tc.name, got, tc.wantActive)
		}
	}
	if httpsCancelled != 0 {
		t.Errorf("an FTP job's cancel reached the HTTPS download (%d times)", httpsCancelled)
	}
}

// The controller must stay testable without a canvas: no Fyne in it.
func TestControllerImportsNoFyne(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "controller.go", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(path, "fyne.io/") {
			t.Errorf("controller.go imports %s", path)
		}
	}
}
