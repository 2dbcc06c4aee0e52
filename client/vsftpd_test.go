//go:build linux

package client

import (
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"lockbox/client/identity"
	"lockbox/client/servertest"
)

// These tests run against a real vsftpd started on a free loopback port,
// with its default require_ssl_reuse=YES: every data connection must resume
// the control connection's TLS session or vsftpd answers 522.

func vsftpdLogin(t *testing.T, srv *servertest.Vsftpd, scheme string, opts Options) (*Session, *Report) {
	t.Helper()
	tg := mustTarget(t, scheme+"://"+srv.User+"@"+srv.Addr+"/")
	tg.Password = srv.Password
	sess, report, err := Connect(bg, tg, opts)
	if err != nil {
		t.Fatalf("connect: %v\nvsftpd log: %s", err, srv.LogPath)
	}
	t.Cleanup(func() { sess.Close() })
	return sess, report
}

func TestVsftpdListWithSessionReuse(t *testing.T) {
	p := newPKI(t)
	tests := []struct {
		name      string
		cfg       servertest.VsftpdConfig
		scheme    string
		max       uint16
		wantTLS   string
		wantTrust Trust
	}{
		{"explicit TLS 1.3", servertest.VsftpdConfig{}, "ftpes", 0, "TLS 1.3", TrustVerified},
		{"explicit TLS 1.2", servertest.VsftpdConfig{}, "ftpes", tls.VersionTLS12, "TLS 1.2", TrustVerified},
		{"implicit TLS 1.3", servertest.VsftpdConfig{Implicit: true}, "ftps", 0, "TLS 1.3", TrustVerified},
		{"implicit TLS 1.2", servertest.VsftpdConfig{Implicit: true}, "ftps", tls.VersionTLS12, "TLS 1.2", TrustVerified},
		{"server capped at TLS 1.2", servertest.VsftpdConfig{TLS12Only: true}, "ftpes", 0, "TLS 1.2", TrustVerified},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.ServerCert, tc.cfg.ServerChain = p.Leaf, nil
			tc.cfg.ServerChain = append(tc.cfg.ServerChain, p.Inter)
			tc.cfg.Files = map[string][]byte{"readme.txt": []byte("hello from vsftpd\n"), "pub/data.bin": {1, 2, 3}}
			srv := servertest.StartVsftpd(t, tc.cfg)
			sess, report := vsftpdLogin(t, srv, tc.scheme, Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, MaxVersion: tc.max})
			if report.TLS == nil || report.TLS.Version != tc.wantTLS || report.Trust != tc.wantTrust {
				t.Fatalf("TLS %+v, trust %s", report.TLS, report.Trust)
			}
			for round, dir := range []string{"/", "/pub"} {
				entries, err := sess.List(dir)
				if err != nil {
					t.Fatalf("list %s: %v", dir, err)
				}
				var got []string
				for _, e := range entries {
					got = append(got, e.Name)
				}
				want := map[string]string{"/": "pub,readme.txt", "/pub": "data.bin"}[dir]
				if strings.Join(got, ",") != want {
					t.Errorf("list %s = %v, want %s", dir, got, want)
				}
				conn := "data " + string(rune('1'+round))
				done, ok := find(sess.Report().Steps, conn, "handshake_done")
				if !ok || !strings.Contains(done.Summary, "resumed: yes") {
					t.Errorf("data connection %d: %q (found %v)", round+1, done.Summary, ok)
				}
				// vsftpd asks for P-256; data connections offer it first.
				if _, hrr := find(sess.Report().Steps, conn, "hello_retry_request"); hrr {
					t.Errorf("%s needed a HelloRetryRequest", conn)
				}
			}
		})
	}
}

func TestVsftpdInspectSelfSigned(t *testing.T) {
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{})
	for _, scheme := range []string{"ftpes"} {
		report, err := Inspect(bg, mustTarget(t, scheme+"://"+srv.Addr), Options{Pins: pinStore(t)})
		if !IsTrustFailure(err) {
			t.Fatalf("err = %v", err)
		}
		if got := strings.Join(codes(report.Problems), ","); got != "self_signed" {
			t.Errorf("problems = %s", got)
		}
		if !containsInOrder(names(report.Steps, "control"), "recv:ftp_banner", "send:auth_tls", "recv:auth_tls", "send:client_hello", "recv:server_hello", "recv:certificate", "info:verification", "info:trust_decision") {
			t.Errorf("steps = %v", names(report.Steps, "control"))
		}
	}
}

func TestVsftpdClientCertificate(t *testing.T) {
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{RequireClientCert: true})
	roots := rootsOf(srv.ServerCert)
	certFile, keyFile, err := srv.ClientCert.WriteFiles(t.TempDir(), "client")
	if err != nil {
		t.Fatal(err)
	}
	id, err := identity.LoadPEM(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, max := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(max), func(t *testing.T) {
			opts := Options{ExtraRoots: roots, NoSystemRoots: true, MaxVersion: max, ServerName: srv.ServerCert.Cert.DNSNames[0]}

			tg := mustTarget(t, "ftpes://"+srv.User+"@"+srv.Addr+"/")
			tg.Password = srv.Password
			_, report, err := Connect(bg, tg, opts)
			var cr *ClientCertRequiredError
			if !errors.As(err, &cr) || !strings.Contains(err.Error(), "requires a client certificate") {
				t.Fatalf("without identity: err = %v", err)
			}
			if !report.ClientCertificate.Requested || report.ClientCertificate.Sent != nil {
				t.Errorf("client certificate = %+v", report.ClientCertificate)
			}

			opts.Identity = id
			sess, report := vsftpdLogin(t, srv, "ftpes", opts)
			if report.ClientCertificate.Sent == nil {
				t.Fatal("no client certificate recorded as sent")
			}
			if _, err := sess.List("/"); err != nil {
				t.Fatalf("list with identity: %v", err)
			}
		})
	}
}
