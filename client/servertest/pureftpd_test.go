//go:build linux

package servertest

import (
	"bytes"
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pureSession is checkSession for Pure-FTPd, which issues no TLS 1.3
// session tickets (measured with 1.0.50 on OpenSSL 3.0: no
// NewSessionTicket after a TLS 1.3 handshake) and does not require data
// connections to resume: a Go client's data connections resume under TLS
// 1.2 only. Under TLS 1.2 it is checkSession itself.
func pureSession(t *testing.T, s *PureFTPd, c *ftpConn, tc *tls.Config) {
	t.Helper()
	if c.state().Version == tls.VersionTLS12 {
		checkSession(t, s, c, tc)
		return
	}
	if err := c.login(s); err != nil {
		t.Fatalf("login: %v", err)
	}
	if msg := c.must(257, "PWD"); !strings.HasPrefix(msg, `"/"`) {
		t.Fatalf("PWD = %q, want the chroot root", msg)
	}
	c.must(200, "PBSZ 0")
	c.must(200, "PROT P")
	c.must(200, "TYPE I")
	for name, want := range testFiles {
		got, resumed, err := c.transfer(tc, "RETR "+name, nil)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("RETR %s: %d bytes, %v", name, len(got), err)
		}
		if resumed {
			t.Errorf("RETR %s: resumed under TLS 1.3; Pure-FTPd now issues tickets: use checkSession", name)
		}
	}
	up := []byte("uploaded by the servertest harness test\n")
	if _, _, err := c.transfer(tc, "STOR sub/up.txt", up); err != nil {
		t.Fatalf("STOR: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(s.Root, "sub", "up.txt")); err != nil || !bytes.Equal(got, up) {
		t.Fatalf("uploaded file: %q, %v", got, err)
	}
	c.must(221, "QUIT")
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
