//go:build linux

package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"lockbox/client/certgen"
	"lockbox/client/demo"
	"lockbox/client/identity"
	"lockbox/client/servertest"
)

// startLocalDemo starts the built-in demo, whose second port requires a
// client certificate from the demo client CA.
func startLocalDemo(t *testing.T) (*demo.Local, Target, *identity.Identity) {
	t.Helper()
	l, err := demo.StartLocal()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	tg := mustTarget(t, l.ClientCertURL())
	tg.User, tg.Password, tg.HasPassword = demo.DemoUser, demo.DemoPassword, true
	id, err := identity.LoadPKCS12(l.IdentityPKCS12(), demo.IdentityPassword)
	if err != nil {
		t.Fatal(err)
	}
	return l, tg, id
}

func acceptDemo(context.Context, Decision) Choice { return AcceptOnce }

// chooser records the questions ChooseIdentity is asked and gives answer.
type chooser struct {
	answer *identity.Identity
	mu     sync.Mutex
	reqs   []IdentityRequest
}

func (c *chooser) choose(_ context.Context, r IdentityRequest) *identity.Identity {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = append(c.reqs, r)
	return c.answer
}

func (c *chooser) asked() []IdentityRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]IdentityRequest(nil), c.reqs...)
}

func TestChooseIdentityAskedOncePerPool(t *testing.T) {
	_, tg, id := startLocalDemo(t)
	wantCA := "CN=" + demo.ClientCAName + ",O=Lockbox demo"
	tests := []struct {
		name    string
		version uint16
		answer  *identity.Identity
		wantErr bool
	}{
		{"identity, TLS 1.3", tls.VersionTLS13, id, false},
		{"identity, TLS 1.2", tls.VersionTLS12, id, false},
		{"none, TLS 1.3", tls.VersionTLS13, nil, true},
		{"none, TLS 1.2", tls.VersionTLS12, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch := &chooser{answer: tc.answer}
			opts := Options{Decide: acceptDemo, ChooseIdentity: ch.choose, MaxVersion: tc.version}
			pool, report, err := OpenPool(bg, tg, opts, PoolOptions{Size: 3, KeepAlive: -1})
			reqs := ch.asked()
			if len(reqs) != 1 {
				t.Fatalf("ChooseIdentity asked %d times to open the pool, want once", len(reqs))
			}
			if reqs[0].HostPort != tg.Address() || len(reqs[0].AcceptableCAs) != 1 || reqs[0].AcceptableCAs[0] != wantCA || len(reqs[0].AcceptableCADER) != 1 {
				t.Errorf("request = %+v, want %s listing %q", reqs[0], tg.Address(), wantCA)
			}
			if tc.wantErr {
				var cr *ClientCertRequiredError
				if !errors.As(err, &cr) || len(cr.AcceptableCAs) != 1 || cr.AcceptableCAs[0] != wantCA {
					t.Fatalf("err = %v, want ClientCertRequiredError listing the demo CA", err)
				}
				if report.ClientCertificate.Sent != nil {
					t.Errorf("sent = %s after choosing none", *report.ClientCertificate.Sent)
				}
				if st, ok := find(report.Steps, "control", "client_identity"); !ok || st.Summary != "you chose to send none" {
					t.Errorf("client_identity step = %+v", st)
				}
				return
			}
			if err != nil {
				t.Fatalf("open pool: %v", err)
			}
			defer pool.Close()
			if report.ClientCertificate.Sent == nil || !strings.Contains(*report.ClientCertificate.Sent, demo.ClientIdentityName) {
				t.Errorf("sent = %v", report.ClientCertificate.Sent)
			}
			// Three control connections at once, each with a listing and a
			// download on its own data connections.
			var sessions []*Session
			for i := 0; i < 3; i++ {
				s, err := pool.Acquire(bg)
				if err != nil {
					t.Fatalf("session %d: %v", i+1, err)
				}
				sessions = append(sessions, s)
			}
			for i, s := range sessions {
				if _, err := s.List("/"); err != nil {
					t.Errorf("session %d: list: %v", i+1, err)
				}
				var buf bytes.Buffer
				if _, err := s.Download(bg, "/README.txt", 0, &buf, nil, nil); err != nil || !strings.HasPrefix(buf.String(), "Welcome") {
					t.Errorf("session %d: download %q: %v", i+1, buf.String(), err)
				}
				if r := s.Report(); r.ClientCertificate.Sent == nil {
					t.Errorf("session %d sent no client certificate", i+1)
				}
			}
			for _, s := range sessions {
				pool.Release(s)
			}
			if n := len(ch.asked()); n != 1 || pool.IdentityQuestions() != 1 {
				t.Errorf("ChooseIdentity asked %d times (pool counted %d) for 3 connections, want once", n, pool.IdentityQuestions())
			}
			if st, ok := find(report.Steps, "control", "client_identity"); !ok || !strings.HasPrefix(st.Summary, "you chose CN="+demo.ClientIdentityName) {
				t.Errorf("client_identity step = %+v", st)
			}
		})
	}
}

// A session asks once: data connections that make a full handshake (the
// server here issues no session tickets, so none resumes) present the same
// answer without asking.
func TestChooseIdentityOncePerSession(t *testing.T) {
	p := newPKI(t)
	clientCA := certgen.Must(t, certgen.Spec{CommonName: "Lockbox Client CA", IsCA: true}, nil)
	alice := certgen.Must(t, certgen.Spec{CommonName: "alice", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, clientCA)
	id := loadIdentity(t, alice)
	cas := x509.NewCertPool()
	cas.AddCert(clientCA.Cert)
	cfg := serverTLS(p.Leaf, p.Inter)
	cfg.ClientAuth, cfg.ClientCAs, cfg.SessionTicketsDisabled = tls.RequireAndVerifyClientCert, cas, true
	srv := startDemo(t, false, cfg)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			ch := &chooser{answer: id}
			sess, _, err := Connect(bg, demoTarget(t, srv.Addr), Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true,
				ChooseIdentity: ch.choose, MaxVersion: v})
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			defer sess.Close()
			for _, dir := range []string{"/", "/sub"} {
				if _, err := sess.List(dir); err != nil {
					t.Fatalf("list %s: %v", dir, err)
				}
			}
			if n := len(ch.asked()); n != 1 {
				t.Errorf("ChooseIdentity asked %d times in one session, want once", n)
			}
			for _, conn := range []string{"data 1", "data 2"} {
				st, ok := find(sess.Report().Steps, conn, "client_identity")
				if !ok || st.Summary != "you chose "+id.Subject()+" (your answer for this session)" {
					t.Errorf("%s: client_identity %+v (found %v)", conn, st, ok)
				}
			}
		})
	}
}

func TestConfiguredIdentityIsNotQuestioned(t *testing.T) {
	_, tg, id := startLocalDemo(t)
	ch := &chooser{}
	sess, report, err := Connect(bg, tg, Options{Decide: acceptDemo, Identity: id, ChooseIdentity: ch.choose})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	sess.Close()
	if n := len(ch.asked()); n != 0 || report.ClientCertificate.Sent == nil {
		t.Errorf("asked %d times with an identity configured; sent %v", n, report.ClientCertificate.Sent)
	}
}

// Cancelling while the user chooses ends the connection with the
// cancellation, not as a server's refusal, and without waiting for the
// network timeout.
func TestChooseIdentityCancelled(t *testing.T) {
	_, tg, _ := startLocalDemo(t)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			ctx, cancel := context.WithCancel(bg)
			defer cancel()
			var asked atomic.Int32
			choose := func(ctx context.Context, _ IdentityRequest) *identity.Identity {
				asked.Add(1)
				cancel() // the user closes the window while the question is open
				<-ctx.Done()
				return nil
			}
			_, report, err := Connect(ctx, tg, Options{Decide: acceptDemo, ChooseIdentity: choose, MaxVersion: v})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			var cr *ClientCertRequiredError
			if errors.As(err, &cr) {
				t.Errorf("a cancelled question was reported as the server requiring a certificate: %v", err)
			}
			if asked.Load() != 1 || report.ClientCertificate.Sent != nil {
				t.Errorf("asked %d times, sent %v", asked.Load(), report.ClientCertificate.Sent)
			}
			if st, ok := find(report.Steps, "control", "client_identity"); !ok || !st.Failed {
				t.Errorf("client_identity step = %+v", st)
			}
		})
	}
}

func TestSharedIdentityRemembersAnswers(t *testing.T) {
	a := &identity.Identity{Source: "a"}
	tests := []struct {
		name      string
		answers   []*identity.Identity // what the user answers, in order
		cancelled []bool               // whether each call's context is cancelled
		want      []*identity.Identity
		wantAsked int
	}{
		{"an identity is asked for once", []*identity.Identity{a}, []bool{false, false, false}, []*identity.Identity{a, a, a}, 1},
		{"none is remembered", []*identity.Identity{nil}, []bool{false, false}, []*identity.Identity{nil, nil}, 1},
		{"a cancelled question is asked again", []*identity.Identity{nil, a}, []bool{true, false, false}, []*identity.Identity{nil, a, a}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			next := 0
			si := &sharedIdentity{ask: func(context.Context, IdentityRequest) *identity.Identity {
				id := tc.answers[next]
				next++
				return id
			}}
			for i, cancelled := range tc.cancelled {
				ctx, cancel := context.WithCancel(bg)
				if cancelled {
					cancel()
				}
				if got := si.choose(ctx, IdentityRequest{HostPort: "h:1"}); got != tc.want[i] {
					t.Errorf("call %d = %v, want %v", i+1, got, tc.want[i])
				}
				cancel()
			}
			if si.asked != tc.wantAsked {
				t.Errorf("asked %d times, want %d", si.asked, tc.wantAsked)
			}
		})
	}
}

func TestVsftpdChooseIdentity(t *testing.T) {
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{RequireClientCert: true})
	id := loadIdentity(t, srv.ClientCert)
	tests := []struct {
		name    string
		version uint16
		answer  *identity.Identity
		wantErr bool
	}{
		{"identity, TLS 1.3", tls.VersionTLS13, id, false},
		{"identity, TLS 1.2", tls.VersionTLS12, id, false},
		{"none, TLS 1.3", tls.VersionTLS13, nil, true},
		{"none, TLS 1.2", tls.VersionTLS12, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch := &chooser{answer: tc.answer}
			opts := Options{ExtraRoots: rootsOf(srv.ServerCert), NoSystemRoots: true, MaxVersion: tc.version,
				ServerName: srv.ServerCert.Cert.DNSNames[0], ChooseIdentity: ch.choose}
			tg := mustTarget(t, "ftpes://"+srv.User+"@"+srv.Addr+"/")
			tg.Password = srv.Password
			sess, report, err := Connect(bg, tg, opts)
			if tc.wantErr {
				var cr *ClientCertRequiredError
				if !errors.As(err, &cr) {
					t.Fatalf("err = %v, want ClientCertRequiredError", err)
				}
			} else {
				if err != nil {
					t.Fatalf("connect: %v\nvsftpd log: %s", err, srv.LogPath)
				}
				defer sess.Close()
				if report.ClientCertificate.Sent == nil {
					t.Error("no client certificate recorded as sent")
				}
				for _, dir := range []string{"/", "/"} {
					if _, err := sess.List(dir); err != nil {
						t.Fatalf("list: %v", err)
					}
				}
			}
			reqs := ch.asked()
			if len(reqs) != 1 {
				t.Fatalf("ChooseIdentity asked %d times, want once", len(reqs))
			}
			if len(reqs[0].AcceptableCAs) == 0 || !id.Matches(reqs[0].AcceptableCADER) {
				t.Errorf("request lists %q, which the vsftpd client certificate does not match", reqs[0].AcceptableCAs)
			}
		})
	}
}
