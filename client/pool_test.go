package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lockbox/client/internal/certgen"
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
	srv := startDemo(t, false, serverTLS(p.leaf, p.inter))
	noop := make(chan struct{}, 1)
	obs := trace.ObserverFunc(func(s trace.Step) {
		if s.Name == "noop" && s.Dir == trace.Recv && !s.Failed {
			select {
			case noop <- struct{}{}:
			default:
			}
		}
	})
	opts := Options{ExtraRoots: rootsOf(p.root), NoSystemRoots: true, Observer: obs}
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
	srv := startDemo(t, false, serverTLS(p.leaf, p.inter))
	opts := Options{ExtraRoots: rootsOf(p.root), NoSystemRoots: true}
	var connects atomic.Int32
	pool := openTestPool(t, demoTarget(t, srv.Addr), opts, PoolOptions{Size: 1, KeepAlive: -1}, func(*Session) { connects.Add(1) })
	s, err := pool.Acquire(bg)
	if err != nil {
		t.Fatal(err)
	}
	s.ctl.raw.Close() // the server (or a NAT box) dropped the idle connection
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

// Parallel jobs of every kind over a pool of 4 (run with -race).
func TestQueueParallelJobsOnDemo(t *testing.T) {
	p := newPKI(t)
	srv := startDemo(t, false, serverTLS(p.leaf, p.inter))
	opts := Options{ExtraRoots: rootsOf(p.root), NoSystemRoots: true}
	pool := openTestPool(t, demoTarget(t, srv.Addr), opts, PoolOptions{Size: 4}, nil)
	local := t.TempDir()
	want := map[string][]byte{}
	for i := 0; i < 12; i++ {
		name := filepath.Join(local, "u"+string(rune('a'+i))+".bin")
		want[filepath.Base(name)] = randomBytes(i*7919, uint64(i))
		if err := os.WriteFile(name, want[filepath.Base(name)], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	states := map[int][]JobState{}
	q := newTestQueue(t, pool, QueueOptions{LocalRoot: filepath.Join(local, "back"), Observer: func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		if s := states[p.ID]; len(s) == 0 || s[len(s)-1] != p.State {
			states[p.ID] = append(s, p.State)
		}
	}})
	if err := pool.Do(bg, func(s *Session) error { return s.MakeDir(bg, "/up") }); err != nil {
		t.Fatal(err)
	}
	for name := range want {
		q.Add(JobSpec{Kind: KindUpload, Local: filepath.Join(local, name), Remote: "/up/" + name})
	}
	q.Wait(bg)
	for name := range want {
		q.Add(JobSpec{Kind: KindDownload, Remote: "/up/" + name, Local: name})
	}
	q.Add(JobSpec{Kind: KindMkdir, Remote: "/made"})
	q.Wait(bg)
	q.Add(JobSpec{Kind: KindRename, Remote: "/up/ua.bin", NewName: "/made/moved.bin"})
	q.Add(JobSpec{Kind: KindDelete, Remote: "/up/ub.bin"})
	q.Wait(bg)
	q.Add(JobSpec{Kind: KindDelete, Remote: "/made/moved.bin"})
	q.Wait(bg)
	q.Add(JobSpec{Kind: KindRemoveDir, Remote: "/made"})
	q.Wait(bg)
	if s := q.Summary(); len(s.Failed) != 0 || s.Files != 2*len(want) {
		t.Fatalf("summary %+v", s)
	}
	got, _ := readTree(t, filepath.Join(local, "back"))
	sameTree(t, "downloaded", want, got)
	mu.Lock()
	defer mu.Unlock()
	for id, s := range states {
		if strings.Join(stateNames(s), ",") != "queued,running,done" {
			t.Errorf("job %d went through %v", id, s)
		}
	}
	var list []Entry
	pool.Do(bg, func(s *Session) (err error) { list, err = s.List("/"); return err })
	for _, e := range list {
		if e.Name == "made" {
			t.Error("/made was not removed")
		}
	}
}

func stateNames(s []JobState) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}

// A data connection that shows another certificate than the control
// connection is refused, and the transfer with it: nothing is written.
func TestTransferRefusedWhenDataCertificateDiffers(t *testing.T) {
	p := newPKI(t)
	other := certgen.Must(t, certgen.Spec{CommonName: "127.0.0.1 (interceptor)", IPs: p.leaf.Cert.IPAddresses}, p.inter)
	var handshakes atomic.Int32
	controlCert, dataCert := p.leaf.TLS(p.inter), other.TLS(p.inter)
	cfg := &tls.Config{
		// No tickets: every data connection makes a full handshake and so
		// shows a certificate, which is the interceptor's.
		SessionTicketsDisabled: true,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			if handshakes.Add(1) == 1 {
				return &controlCert, nil
			}
			return &dataCert, nil
		},
	}
	srv := startDemo(t, false, cfg)
	var log stepLog
	opts := Options{ExtraRoots: rootsOf(p.root), NoSystemRoots: true, Observer: &log}
	pool := openTestPool(t, demoTarget(t, srv.Addr), opts, PoolOptions{Size: 1, KeepAlive: -1}, nil)
	parent := t.TempDir()
	q := newTestQueue(t, pool, QueueOptions{LocalRoot: filepath.Join(parent, "dl")})
	job := q.Add(JobSpec{Kind: KindDownload, Remote: "/hello.txt", Local: "hello.txt"})
	q.Wait(bg)
	pr := job.Progress()
	var ie *InterceptionError
	if pr.State != StateFailed || !IsTrustFailure(pr.Err) || !errors.As(pr.Err, &ie) {
		t.Fatalf("state %s, err %v", pr.State, pr.Err)
	}
	got, dirs := readTree(t, parent)
	if len(got) != 0 || strings.Join(dirs, ",") != "dl" {
		t.Errorf("files written: %v, folders %v", got, dirs)
	}
	changed := false
	for _, st := range log.steps {
		if st.Name == "certificate_changed" && st.Failed && strings.HasPrefix(st.Conn, "data") {
			changed = true
		}
	}
	if !changed {
		t.Error("no certificate_changed step on the data connection")
	}

	up := filepath.Join(t.TempDir(), "up.txt")
	os.WriteFile(up, []byte("secret data\n"), 0o644)
	job = q.Add(JobSpec{Kind: KindUpload, Local: up, Remote: "/up.txt"})
	q.Wait(bg)
	if pr := job.Progress(); pr.State != StateFailed || !IsTrustFailure(pr.Err) {
		t.Fatalf("upload: state %s, err %v", pr.State, pr.Err)
	}
}

// A queue with no folder of its own downloads each job into the folder the
// job names (as the window does, into whatever its local pane shows), and
// a job whose name climbs out of that folder writes nothing.
func TestQueueJobLocalRoot(t *testing.T) {
	p := newPKI(t)
	srv := startDemo(t, false, serverTLS(p.leaf, p.inter))
	opts := Options{ExtraRoots: rootsOf(p.root), NoSystemRoots: true}
	pool := openTestPool(t, demoTarget(t, srv.Addr), opts, PoolOptions{Size: 2}, nil)
	q := newTestQueue(t, pool, QueueOptions{})
	src := t.TempDir()
	body := randomBytes(70_001, 3)
	if err := os.WriteFile(filepath.Join(src, "f.bin"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := pool.Do(bg, func(s *Session) error { return s.MakeDir(bg, "/tree") }); err != nil {
		t.Fatal(err)
	}
	q.Add(JobSpec{Kind: KindUpload, Local: filepath.Join(src, "f.bin"), Remote: "/tree/f.bin"})
	q.Wait(bg)

	a, b := t.TempDir(), t.TempDir()
	q.Add(JobSpec{Kind: KindDownload, Remote: "/tree/f.bin", Local: "f.bin", LocalRoot: a})
	q.Add(JobSpec{Kind: KindDownload, Remote: "/tree/f.bin", Local: "../escape.bin", LocalRoot: b})
	q.Wait(bg)
	if _, err := q.DownloadTreeInto(bg, "/tree", b, "copy"); err != nil {
		t.Fatal(err)
	}
	q.Wait(bg)
	for _, p := range []string{filepath.Join(a, "f.bin"), filepath.Join(b, "copy", "f.bin")} {
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("%s: %d bytes, %v", p, len(got), err)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(b), "escape.bin")); err == nil {
		t.Error("a job wrote outside its folder")
	}
	if s := q.Summary(); len(s.Failed) != 1 || !strings.Contains(s.Failed[0].Error, "not inside") {
		t.Errorf("failed jobs: %+v", s.Failed)
	}
	if err := (&Queue{}).download(bg, nil, newJob(1, JobSpec{Kind: KindDownload, Local: "x"}), nil); err == nil {
		t.Error("a download with no folder at all was accepted")
	}
}
