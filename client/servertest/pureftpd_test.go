//go:build linux

package servertest

import (
	"crypto/tls"
	"testing"
)

// pureSession is checkSession for Pure-FTPd, which issues no TLS 1.3
// session tickets (measured with 1.0.50 on OpenSSL 3.0: no
// NewSessionTicket after a TLS 1.3 handshake) and does not require data
// connections to resume: a Go client's data connections resume under TLS
// 1.2 only (should they resume under TLS 1.3, Pure-FTPd now issues
// tickets: use checkSession). Under TLS 1.2 it is checkSession itself.
func pureSession(t *testing.T, s *PureFTPd, c *ftpConn, tc *tls.Config) {
	t.Helper()
	checkSessionResuming(t, s, c, tc, c.state().Version == tls.VersionTLS12)
}

func TestPureFTPdExplicit(t *testing.T) {
	t.Parallel()
	s := StartPureFTPd(t, PureFTPdConfig{Files: testFiles})
	for _, maxV := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(maxV), func(t *testing.T) {
			c, tc := explicitAt(t, s, maxV)
			pureSession(t, s, c, tc)
		})
	}
}

func TestPureFTPdTLS12Only(t *testing.T) {
	t.Parallel()
	s := StartPureFTPd(t, PureFTPdConfig{TLS12Only: true, Files: testFiles})
	tc := clientTLS()
	c := explicit(t, s, tc)
	if v := c.state().Version; v != tls.VersionTLS12 {
		t.Errorf("TLS12Only server negotiated %s", tls.VersionName(v))
	}
	pureSession(t, s, c, tc)
	refusesTLS13(t, s)
}

func TestPureFTPdClientCert(t *testing.T) {
	t.Parallel()
	s := StartPureFTPd(t, PureFTPdConfig{RequireClientCert: true, Files: testFiles})
	if s.ClientCert == nil || s.ClientCert.Cert.CheckSignatureFrom(s.CACert.Cert) != nil {
		t.Fatal("RequireClientCert server without a client certificate signed by CACert")
	}
	for _, maxV := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(maxV), func(t *testing.T) {
			tc := clientTLS()
			tc.MaxVersion = maxV
			tc.Certificates = []tls.Certificate{s.ClientCert.TLS()}
			c := explicit(t, s, tc)
			// The client CA rides along after the server's certificate
			// (see PureFTPdConfig.RequireClientCert).
			certs := c.state().PeerCertificates
			if len(certs) != 2 || !certs[0].Equal(s.ServerCert.Cert) || !certs[1].Equal(s.CACert.Cert) {
				t.Errorf("server sent %d certificates, want its own then the client CA", len(certs))
			}
			pureSession(t, s, c, tc)
			loginRefused(t, s, &tls.Config{InsecureSkipVerify: true, MaxVersion: maxV}, "without a client certificate")
		})
	}
}

// TestPureFTPdBanner checks the nonce reaches the banner, which is what
// readiness relies on.
func TestPureFTPdBanner(t *testing.T) {
	t.Parallel()
	s := StartPureFTPd(t, PureFTPdConfig{})
	if err := probeFTP(s.Addr, false, nil, s.nonce); err != nil {
		t.Fatal(err)
	}
	if err := probeFTP(s.Addr, false, nil, "not-the-nonce"); err == nil {
		t.Error("probe accepted a banner without its nonce")
	}
}
