package client

import (
	"context"
	"crypto/x509"
	"sync/atomic"
	"testing"
	"time"

	"lockbox/client/certgen"
	"lockbox/client/internal/testhook"
	"lockbox/client/trace"
)

func demoTarget(t *testing.T, addr string) Target {
	t.Helper()
	tg := mustTarget(t, "ftpes://alice@"+addr+"/")
	tg.Password, tg.HasPassword = "s3cret-Pa55", true
	return tg
}

func TestPoolSharesOneTrustDecision(t *testing.T) {
	tests := []struct {
		name      string
		answer    Choice
		wantErr   bool
		wantTrust Trust
	}{
		{"accept once", AcceptOnce, false, TrustAcceptedOnce},
		{"accept always", AcceptAlways, false, TrustPinned},
		{"reject", Reject, true, TrustUntrusted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startDemo(t, false, serverTLS(selfSigned(t)))
			var asked atomic.Int32
			opts := Options{Pins: pinStore(t), Decide: func(_ context.Context, d Decision) Choice {
				asked.Add(1)
				if len(d.Report.Chain) != 1 {
					t.Errorf("decision shows %d certificates", len(d.Report.Chain))
				}
				return tc.answer
			}}
			pool, report, err := OpenPool(bg, demoTarget(t, srv.Addr), opts, PoolOptions{Size: 3, KeepAlive: -1})
			if tc.wantErr {
				if !IsTrustFailure(err) || report == nil || report.Trusted {
					t.Fatalf("err = %v", err)
				}
				if asked.Load() != 1 {
					t.Errorf("Decide asked %d times", asked.Load())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			if report.Trust != tc.wantTrust {
				t.Errorf("first connection: trust %s", report.Trust)
			}
			// Hold three sessions at once: three control connections.
			var sessions []*Session
			for i := 0; i < 3; i++ {
				s, err := pool.Acquire(bg)
				if err != nil {
					t.Fatalf("session %d: %v", i+1, err)
				}
				sessions = append(sessions, s)
			}
			seen := map[*Session]bool{}
			for i, s := range sessions {
				if seen[s] {
					t.Fatalf("session %d handed out twice", i+1)
				}
				seen[s] = true
				if r := s.Report(); !r.Trusted {
					t.Errorf("session %d: trust %s", i+1, r.Trust)
				}
				if _, err := s.List("/"); err != nil {
					t.Errorf("session %d: list: %v", i+1, err)
				}
			}
			if n := asked.Load(); n != 1 || pool.TrustQuestions() != 1 {
				t.Errorf("Decide asked %d times (pool counted %d) for 3 connections, want once", n, pool.TrustQuestions())
			}
			for _, s := range sessions {
				pool.Release(s)
			}
		})
	}
}

func TestSharedTrustAsksPerCertificate(t *testing.T) {
	a, b := selfSigned(t), selfSigned(t)
	decision := func(c *certgen.Cert, hostPort string) Decision {
		return Decision{HostPort: hostPort, Report: &Report{Certificates: []*x509.Certificate{c.Cert}}}
	}
	tests := []struct {
		name      string
		answers   []Choice // what the user answers, in order
		calls     []Decision
		want      []Choice
		wantAsked int
	}{
		{"same certificate is asked about once", []Choice{AcceptOnce},
			[]Decision{decision(a, "h:1"), decision(a, "h:1"), decision(a, "h:1")}, []Choice{AcceptOnce, AcceptOnce, AcceptOnce}, 1},
		{"another certificate is asked about again", []Choice{AcceptOnce, Reject},
			[]Decision{decision(a, "h:1"), decision(b, "h:1"), decision(a, "h:1")}, []Choice{AcceptOnce, Reject, AcceptOnce}, 2},
		{"a rejection is remembered", []Choice{Reject},
			[]Decision{decision(a, "h:1"), decision(a, "h:1")}, []Choice{Reject, Reject}, 1},
		{"another host is asked about", []Choice{AcceptAlways, AcceptOnce},
			[]Decision{decision(a, "h:1"), decision(a, "h:2")}, []Choice{AcceptAlways, AcceptOnce}, 2},
		{"no certificate is rejected", nil, []Decision{{HostPort: "h:1", Report: &Report{}}}, []Choice{Reject}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			answers := tc.answers
			st := &sharedTrust{ask: func(context.Context, Decision) Choice {
				c := answers[0]
				answers = answers[1:]
				return c
			}}
			for i, d := range tc.calls {
				if got := st.decide(bg, d); got != tc.want[i] {
					t.Errorf("call %d: %v, want %v", i+1, got, tc.want[i])
				}
			}
			if st.asked != tc.wantAsked {
				t.Errorf("asked %d times, want %d", st.asked, tc.wantAsked)
			}
		})
	}
}

func TestPoolKeepAliveSendsNoop(t *testing.T) {
	p := newPKI(t)
	srv := startDemo(t, false, serverTLS(p.Leaf, p.Inter))
	noop := make(chan struct{}, 1)
	obs := trace.ObserverFunc(func(s trace.Step) {
		if s.Name == "noop" && s.Dir == trace.Recv && !s.Failed {
			select {
			case noop <- struct{}{}:
			default:
			}
		}
	})
	opts := Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, Observer: obs}
	pool, _, err := OpenPool(bg, demoTarget(t, srv.Addr), opts, PoolOptions{Size: 1, KeepAlive: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-noop:
	case <-time.After(30 * time.Second): // a safety net, not a measurement
		t.Fatal("no NOOP on the idle connection")
	}
	// Close stops the keep-alive goroutine (it waits for it) and quits.
	if err := pool.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if _, err := pool.Acquire(bg); err == nil {
		t.Error("a closed pool handed out a session")
	}
}

func TestPoolReconnectsDroppedSession(t *testing.T) {
	p := newPKI(t)
	srv := startDemo(t, false, serverTLS(p.Leaf, p.Inter))
	opts := Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true}
	var connects atomic.Int32
	pool := openTestPool(t, demoTarget(t, srv.Addr), opts, PoolOptions{Size: 1, KeepAlive: -1}, func(*Session) { connects.Add(1) })
	s, err := pool.Acquire(bg)
	if err != nil {
		t.Fatal(err)
	}
	s.ctl.Close() // the server (or a NAT box) dropped the idle connection
	pool.Release(s)
	var entries []Entry
	err = pool.Do(bg, func(s *Session) (err error) { entries, err = s.List("/"); return err })
	if err != nil || len(entries) != 2 {
		t.Fatalf("list after the drop: %v (%d entries)", err, len(entries))
	}
	if connects.Load() != 2 {
		t.Errorf("%d connections, want the first and one reconnect", connects.Load())
	}
	// A failure that is not a drop is not retried.
	calls := 0
	err = pool.Do(bg, func(s *Session) error { calls++; return s.Delete(bg, "/no-such-file") })
	if err == nil || calls != 1 {
		t.Errorf("delete of a missing file: %v after %d calls", err, calls)
	}
}

func openTestPool(t *testing.T, tg Target, opts Options, po PoolOptions, connected func(*Session)) *Pool {
	t.Helper()
	p, _, err := openPoolWithHook(bg, tg, opts, po, connected)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// openPoolWithHook is OpenPool with a hook that sees every session, the
// first included.
func openPoolWithHook(ctx context.Context, tg Target, opts Options, po PoolOptions, connected func(*Session)) (*Pool, *Report, error) {
	p, report, err := OpenPool(ctx, tg, opts, po)
	if err == nil && connected != nil {
		testhook.PoolConnected(p, func(s any) { connected(s.(*Session)) })
	}
	return p, report, err
}
