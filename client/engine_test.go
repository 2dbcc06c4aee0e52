package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"lockbox/client/certgen"
	"lockbox/client/identity"
	"lockbox/client/trace"
	"lockbox/client/verify"
)

func codes(ps []verify.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func TestInspectTrustOutcomes(t *testing.T) {
	p := newPKI(t)
	self := selfSigned(t)
	tests := []struct {
		name       string
		scheme     string
		chain      []*certgen.Cert
		roots      []*x509.Certificate
		wantTrust  Trust
		wantCodes  []string
		wantErrTLS bool
	}{
		{"explicit, CA-issued chain", "ftpes", []*certgen.Cert{p.Leaf, p.Inter}, rootsOf(p.Root), TrustVerified, nil, false},
		{"implicit, CA-issued chain", "ftps", []*certgen.Cert{p.Leaf, p.Inter}, rootsOf(p.Root), TrustVerified, nil, false},
		{"explicit, self-signed", "ftpes", []*certgen.Cert{self}, nil, TrustUntrusted, []string{"self_signed"}, true},
		{"explicit, missing intermediate", "ftpes", []*certgen.Cert{p.Leaf}, rootsOf(p.Root), TrustUntrusted, []string{"incomplete_chain"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startDemo(t, tc.scheme == "ftps", serverTLS(tc.chain...))
			report, err := Inspect(bg, mustTarget(t, tc.scheme+"://"+srv.Addr), Options{ExtraRoots: tc.roots, NoSystemRoots: true, Pins: pinStore(t)})
			if tc.wantErrTLS != IsTrustFailure(err) || (!tc.wantErrTLS && err != nil) {
				t.Fatalf("err = %v, want trust failure %v", err, tc.wantErrTLS)
			}
			if report.Trust != tc.wantTrust || report.Trusted != (tc.wantTrust == TrustVerified) {
				t.Errorf("trust = %s/%v, want %s", report.Trust, report.Trusted, tc.wantTrust)
			}
			if got := strings.Join(codes(report.Problems), ","); got != strings.Join(tc.wantCodes, ",") {
				t.Errorf("problems = %s, want %v", got, tc.wantCodes)
			}
			if len(report.Chain) == 0 || report.Chain[0].Subject != tc.chain[0].Cert.Subject.String() {
				t.Errorf("chain not reported: %+v", report.Chain)
			}
			steps := names(report.Steps, "control")
			want := []string{"send:tcp_connect", "recv:ftp_banner", "send:auth_tls", "recv:auth_tls", "send:client_hello", "recv:server_hello", "recv:encrypted_flight", "recv:certificate", "info:verification"}
			if tc.scheme == "ftps" {
				want = []string{"send:tcp_connect", "send:client_hello", "recv:server_hello", "recv:certificate", "info:verification", "info:handshake_done", "recv:ftp_banner"}
			}
			if !containsInOrder(steps, want...) {
				t.Errorf("steps %v\ndo not contain in order %v", steps, want)
			}
			for _, s := range report.Steps {
				if s.Explain == "" {
					t.Errorf("step %s has no explanation", s.Name)
				}
			}
		})
	}
}

// The observer must see each step while the connection is still going on,
// not in a batch at the end.
func TestStepsArriveLive(t *testing.T) {
	srv := startDemo(t, false, serverTLS(selfSigned(t)))
	var returned atomic.Bool
	var sawLive atomic.Bool
	obs := trace.ObserverFunc(func(s trace.Step) {
		if s.Name == "server_hello" && !returned.Load() {
			sawLive.Store(true)
		}
	})
	decided := false
	_, err := Inspect(bg, mustTarget(t, "ftpes://"+srv.Addr), Options{Observer: obs, Pins: pinStore(t),
		Decide: func(_ context.Context, d Decision) Choice {
			decided = true
			if len(d.Report.Steps) == 0 || len(d.Report.Chain) != 1 {
				t.Errorf("decision shows %d steps and %d certificates", len(d.Report.Steps), len(d.Report.Chain))
			}
			return Reject
		}})
	returned.Store(true)
	if !IsTrustFailure(err) || !decided {
		t.Fatalf("err = %v, decided = %v", err, decided)
	}
	if !sawLive.Load() {
		t.Error("server_hello was not delivered before Inspect returned")
	}
}

func TestPinAcceptReuseAndChange(t *testing.T) {
	pins := pinStore(t)
	first := selfSigned(t)
	srv := startDemo(t, false, serverTLS(first))
	target := mustTarget(t, "ftpes://"+srv.Addr)

	always := func(context.Context, Decision) Choice { return AcceptAlways }
	report, err := Inspect(bg, target, Options{Pins: pins, Decide: always})
	if err != nil || report.Trust != TrustPinned || !report.Trusted {
		t.Fatalf("accept: err=%v trust=%s", err, report.Trust)
	}
	if _, ok := pins.Lookup(target.Address()); !ok {
		t.Fatal("certificate was not pinned")
	}

	report, err = Inspect(bg, target, Options{Pins: pins})
	if err != nil || report.Trust != TrustPinned {
		t.Fatalf("reuse: err=%v trust=%s", err, report.Trust)
	}

	// The server now shows another self-signed certificate: a changed pin.
	srv2 := startDemo(t, false, serverTLS(selfSigned(t)))
	pin, _ := pins.Lookup(target.Address())
	pin.HostPort = srv2.Addr
	if err := pins.Add(pin); err != nil {
		t.Fatal(err)
	}
	report, err = Inspect(bg, mustTarget(t, "ftpes://"+srv2.Addr), Options{Pins: pins})
	if !IsTrustFailure(err) || report.Trust != TrustPinChanged || report.PinChange == nil {
		t.Fatalf("change: err=%v trust=%s change=%v", err, report.Trust, report.PinChange)
	}
	if report.PinChange.SameKey || report.PinChange.LikelyRenewal || !strings.Contains(strings.Join(codes(report.Problems), ","), "pin_mismatch") {
		t.Errorf("pin change = %+v, problems %v", report.PinChange, codes(report.Problems))
	}
}

// goftp's server leaves implicit sessions without PROT P support, so
// implicit FTPS logins are covered against vsftpd (vsftpd_test.go).
func TestConnectLoginListOverResumedDataConnections(t *testing.T) {
	for _, scheme := range []string{"ftpes"} {
		for _, maxV := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
			t.Run(scheme+" "+tls.VersionName(maxV), func(t *testing.T) {
				p := newPKI(t)
				srv := startDemo(t, scheme == "ftps", serverTLS(p.Leaf, p.Inter))
				var log stepLog
				tg := mustTarget(t, scheme+"://alice@"+srv.Addr+"/")
				tg.Password = "s3cret-Pa55"
				sess, report, err := Connect(bg, tg, Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, MaxVersion: maxV, Observer: &log})
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				defer sess.Close()
				if report.TLS == nil || report.TLS.Version != tls.VersionName(maxV) {
					t.Errorf("TLS = %+v", report.TLS)
				}
				entries, err := sess.List("/")
				if err != nil {
					t.Fatalf("list: %v", err)
				}
				var got []string
				for _, e := range entries {
					got = append(got, e.Type+":"+e.Name)
				}
				if strings.Join(got, ",") != "file:hello.txt,dir:sub" {
					t.Errorf("listing = %v", got)
				}
				steps := sess.Report().Steps
				// Data protection is agreed before the user name, once.
				ctl := names(steps, "control")
				if !containsInOrder(ctl, "send:pbsz", "send:prot", "recv:prot", "send:user", "recv:user", "send:pass", "recv:pass") ||
					strings.Count(strings.Join(ctl, ","), "send:prot") != 1 {
					t.Errorf("control steps %v", ctl)
				}
				pass, _ := find(steps, "control", "pass")
				if pass.Summary != "PASS ****" {
					t.Errorf("PASS step shows %q", pass.Summary)
				}
				done, ok := find(steps, "data 1", "handshake_done")
				if !ok {
					t.Fatalf("no data connection handshake in %v", names(steps, "data 1"))
				}
				if !strings.Contains(done.Summary, "resumed: yes") {
					t.Errorf("data connection did not resume the control session: %s", done.Summary)
				}
				js, _ := json.Marshal(sess.Report())
				assertNoSecret(t, "report JSON", "s3cret-Pa55", string(js))
			})
		}
	}
}

func TestLoginFailureNamesStepAndReply(t *testing.T) {
	p := newPKI(t)
	srv := startDemo(t, false, serverTLS(p.Leaf, p.Inter))
	tg := mustTarget(t, "ftpes://alice@"+srv.Addr)
	tg.Password = "wrong-password"
	_, report, err := Connect(bg, tg, Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true})
	var se *StepError
	if !errors.As(err, &se) || se.Step != "login" || !strings.HasPrefix(se.Reply, "530") {
		t.Fatalf("err = %#v", err)
	}
	assertNoSecret(t, "error", "wrong-password", err.Error(), report.Error)
}

func TestClientCertificateRequired(t *testing.T) {
	p := newPKI(t)
	clientCA := certgen.Must(t, certgen.Spec{CommonName: "Lockbox Client CA", IsCA: true}, nil)
	alice := certgen.Must(t, certgen.Spec{CommonName: "alice", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, clientCA)
	pool := x509.NewCertPool()
	pool.AddCert(clientCA.Cert)
	cfg := serverTLS(p.Leaf, p.Inter)
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	cfg.ClientCAs = pool

	dir := t.TempDir()
	certFile, keyFile, err := alice.WriteFiles(dir, "alice")
	if err != nil {
		t.Fatal(err)
	}
	id, err := identity.LoadPEM(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			srv := startDemo(t, false, cfg)
			opts := Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, MaxVersion: v}
			report, err := Inspect(bg, mustTarget(t, "ftpes://"+srv.Addr), opts)
			var cr *ClientCertRequiredError
			if !errors.As(err, &cr) {
				t.Fatalf("without identity: err = %v", err)
			}
			if !report.ClientCertificate.Requested || report.ClientCertificate.Sent != nil ||
				len(report.ClientCertificate.AcceptableCAs) != 1 || !strings.Contains(report.ClientCertificate.AcceptableCAs[0], "Lockbox Client CA") {
				t.Errorf("client certificate info = %+v", report.ClientCertificate)
			}
			if !strings.Contains(err.Error(), "requires a client certificate") {
				t.Errorf("message does not say a certificate was required: %v", err)
			}

			opts.Identity = id
			report, err = Inspect(bg, mustTarget(t, "ftpes://"+srv.Addr), opts)
			if err != nil {
				t.Fatalf("with identity: %v", err)
			}
			if report.ClientCertificate.Sent == nil || !strings.Contains(*report.ClientCertificate.Sent, "alice") {
				t.Errorf("sent = %v", report.ClientCertificate.Sent)
			}
		})
	}
}

// A person deciding on a certificate may take longer than the network
// timeout; that time must not count as the server being silent.
func TestDecisionTimeIsNotATimeout(t *testing.T) {
	srv := startDemo(t, false, serverTLS(selfSigned(t)))
	const timeout = 50 * time.Millisecond
	report, err := Inspect(bg, mustTarget(t, "ftpes://"+srv.Addr), Options{Timeout: timeout, Pins: pinStore(t),
		Decide: func(context.Context, Decision) Choice {
			<-time.After(4 * timeout) // a slow human, not synchronisation
			return AcceptOnce
		}})
	if err != nil {
		t.Fatalf("a slow decision failed the connection: %v", err)
	}
	if report.Trust != TrustAcceptedOnce || !report.Trusted {
		t.Errorf("trust = %s", report.Trust)
	}
}

func TestPlainFTPWithConsent(t *testing.T) {
	srv := startDemo(t, false, nil)
	tg := mustTarget(t, "ftp://alice@"+srv.Addr+"/")
	tg.Password = "s3cret-Pa55"
	sess, report, err := Connect(bg, tg, Options{AllowPlaintext: true})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer sess.Close()
	if report.TLS != nil || report.Trusted {
		t.Errorf("plain FTP reported as TLS %+v / trusted %v", report.TLS, report.Trusted)
	}
	entries, err := sess.List("/")
	if err != nil || len(entries) != 2 {
		t.Fatalf("list = %v, %v", entries, err)
	}
	if _, ok := find(sess.Report().Steps, "control", "auth_tls"); ok {
		t.Error("plain FTP sent AUTH TLS")
	}
}

func TestChangeDirAndCurrentDir(t *testing.T) {
	p := newPKI(t)
	srv := startDemo(t, false, serverTLS(p.Leaf, p.Inter))
	tg := mustTarget(t, "ftpes://alice@"+srv.Addr)
	tg.Password = "s3cret-Pa55"
	sess, _, err := Connect(bg, tg, Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.ChangeDir("/sub"); err != nil {
		t.Fatal(err)
	}
	dir, err := sess.CurrentDir()
	if err != nil || dir != "/sub" {
		t.Fatalf("pwd = %q, %v", dir, err)
	}
	entries, err := sess.List("")
	if err != nil || len(entries) != 1 || entries[0].Name != "inner.bin" {
		t.Errorf("list of the current directory = %v, %v", entries, err)
	}
	var se *StepError
	if err := sess.ChangeDir("/no-such-dir"); !errors.As(err, &se) || se.Step != "cwd" || !strings.HasPrefix(se.Reply, "550") {
		t.Errorf("cwd to a missing directory: %v", err)
	}
}

// Cancelling the context ends a connection that waits on a silent server
// at once, long before the timeout, and says it was cancelled.
func TestCancelEndsASilentWait(t *testing.T) {
	srv := startScripted(t, "", nil)
	ctx, cancel := context.WithCancel(bg)
	obs := trace.ObserverFunc(func(s trace.Step) {
		if s.Name == "tcp_connect" {
			cancel() // the user presses Cancel while the server says nothing
		}
	})
	_, err := Inspect(ctx, mustTarget(t, "ftpes://"+srv.ln.Addr().String()), Options{Timeout: time.Hour, Observer: obs})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
