//go:build linux

package servertest

import (
	"crypto/tls"
	"errors"
	"net/textproto"
	"testing"
)

func TestProFTPDExplicit(t *testing.T) {
	t.Parallel()
	s := StartProFTPD(t, ProFTPDConfig{Files: testFiles})
	for _, maxV := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(maxV), func(t *testing.T) {
			c, tc := explicitAt(t, s, maxV)
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
	c := explicit(t, s, tc)
	if v := c.state().Version; v != tls.VersionTLS12 {
		t.Errorf("TLS12Only server negotiated %s", tls.VersionName(v))
	}
	checkSession(t, s, c, tc)
	refusesTLS13(t, s)
}

// TestProFTPDTLS12OnlyNoTickets documents the limit described at
// ProFTPDConfig.TLS12Only: without session tickets a Go client cannot
// resume, and ProFTPD refuses its data connections.
func TestProFTPDTLS12OnlyNoTickets(t *testing.T) {
	t.Parallel()
	s := StartProFTPD(t, ProFTPDConfig{TLS12Only: true, Files: testFiles})
	tc := clientTLS()
	c := protectedLogin(t, s, tc)
	_, _, err := c.transfer(tc, "RETR hello.txt", nil)
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
			checkSession(t, s, explicit(t, s, tc), tc)
			loginRefused(t, s, &tls.Config{InsecureSkipVerify: true, MaxVersion: maxV}, "without a client certificate")
		})
	}
}

// TestProFTPDRequiresSessionReuse checks the point of ProFTPD's default
// TLSOptions: a data connection with a fresh TLS session is refused.
func TestProFTPDRequiresSessionReuse(t *testing.T) {
	t.Parallel()
	s := StartProFTPD(t, ProFTPDConfig{Files: testFiles})
	c := protectedLogin(t, s, clientTLS())
	_, _, err := c.transfer(&tls.Config{InsecureSkipVerify: true}, "RETR hello.txt", nil)
	var perr *textproto.Error
	if err == nil || (errors.As(err, &perr) && perr.Code < 400) {
		t.Fatalf("data connection without session reuse: %v, want a refusal", err)
	}
	t.Logf("no session reuse: %v", err)
}
