//go:build linux

package servertest

import (
	"crypto/tls"
	"errors"
	"net/textproto"
	"testing"
)

// rawExplicit connects to s and upgrades with AUTH TLS using tc.
func rawExplicit(t *testing.T, s ftpTarget, tc *tls.Config) (*ftpConn, error) {
	t.Helper()
	c, err := dialFTP(t, s, false, nil)
	if err != nil {
		return nil, err
	}
	return c, c.authTLS(tc)
}

func TestProFTPDExplicit(t *testing.T) {
	t.Parallel()
	s := StartProFTPD(t, ProFTPDConfig{Files: testFiles})
	for _, maxV := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(maxV), func(t *testing.T) {
			tc := clientTLS()
			tc.MaxVersion = maxV
			c, err := rawExplicit(t, s, tc)
			if err != nil {
				t.Fatal(err)
			}
			st := c.state()
			if st.Version != maxV {
				t.Errorf("negotiated %s, want %s", tls.VersionName(st.Version), tls.VersionName(maxV))
			}
			t.Logf("control: %s %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
			checkSession(t, s, c, tc)
		})
	}
}

func TestProFTPDImplicit(t *testing.T) {
	t.Parallel()
	s := StartProFTPD(t, ProFTPDConfig{Implicit: true, Files: testFiles})
	tc := clientTLS()
	c, err := dialFTP(t, s, true, tc)
	if err != nil {
		t.Fatal(err)
	}
	checkSession(t, s, c, tc)
}

func TestProFTPDTLS12Only(t *testing.T) {
	t.Parallel()
	s := StartProFTPD(t, ProFTPDConfig{TLS12Only: true, SessionTickets: true, Files: testFiles})
	tc := clientTLS()
	c, err := rawExplicit(t, s, tc)
	if err != nil {
		t.Fatal(err)
	}
	if v := c.state().Version; v != tls.VersionTLS12 {
		t.Errorf("TLS12Only server negotiated %s", tls.VersionName(v))
	}
	checkSession(t, s, c, tc)
	if _, err := rawExplicit(t, s, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13}); err == nil {
		t.Fatal("TLS 1.3-only client connected to a TLS12Only server")
	}
}

// TestProFTPDTLS12OnlyNoTickets documents the limit described at
// ProFTPDConfig.TLS12Only: without session tickets a Go client cannot
// resume, and ProFTPD refuses its data connections.
func TestProFTPDTLS12OnlyNoTickets(t *testing.T) {
	t.Parallel()
	s := StartProFTPD(t, ProFTPDConfig{TLS12Only: true, Files: testFiles})
	tc := clientTLS()
	c, err := rawExplicit(t, s, tc)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.login(s); err != nil {
		t.Fatal(err)
	}
	c.must(200, "PBSZ 0")
	c.must(200, "PROT P")
	_, _, err = c.transfer(tc, "RETR hello.txt", nil)
	var perr *textproto.Error
	if !errors.As(err, &perr) || perr.Code != 425 {
		t.Fatalf("TLS 1.2 data connection without tickets: %v, want a 425 refusal", err)
	}
	t.Logf("refused as documented: %v", err)
}

func TestProFTPDClientCert(t *testing.T) {
	t.Parallel()
	s := StartProFTPD(t, ProFTPDConfig{RequireClientCert: true, Files: testFiles})
	if s.ClientCert == nil || s.ClientCert.Cert.CheckSignatureFrom(s.CACert.Cert) != nil {
		t.Fatal("RequireClientCert server without a client certificate signed by CACert")
	}
	for _, maxV := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(maxV), func(t *testing.T) {
			tc := clientTLS()
			tc.MaxVersion = maxV
			tc.Certificates = []tls.Certificate{s.ClientCert.TLS()}
			c, err := rawExplicit(t, s, tc)
			if err != nil {
				t.Fatal(err)
			}
			checkSession(t, s, c, tc)

			// Without a certificate: the handshake fails (TLS 1.2) or the
			// first read after it (TLS 1.3).
			c2, err := rawExplicit(t, s, &tls.Config{InsecureSkipVerify: true, MaxVersion: maxV})
			if err == nil {
				err = c2.login(s)
			}
			if err == nil {
				t.Fatal("logged in without a client certificate")
			}
			t.Logf("no client certificate: %v", err)
		})
	}
}

// TestProFTPDRequiresSessionReuse checks the point of ProFTPD's default
// TLSOptions: a data connection with a fresh TLS session is refused.
func TestProFTPDRequiresSessionReuse(t *testing.T) {
	t.Parallel()
	s := StartProFTPD(t, ProFTPDConfig{Files: testFiles})
	c, err := rawExplicit(t, s, clientTLS())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.login(s); err != nil {
		t.Fatal(err)
	}
	c.must(200, "PBSZ 0")
	c.must(200, "PROT P")
	_, _, err = c.transfer(&tls.Config{InsecureSkipVerify: true}, "RETR hello.txt", nil)
	var perr *textproto.Error
	if err == nil || (errors.As(err, &perr) && perr.Code < 400) {
		t.Fatalf("data connection without session reuse: %v, want a refusal", err)
	}
	t.Logf("no session reuse: %v", err)
}
