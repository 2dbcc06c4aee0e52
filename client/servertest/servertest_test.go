//go:build linux

package servertest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"lockbox/client/certgen"
)

// ftpConn is a minimal raw FTP control connection: just enough to check
// the harness, deliberately not an FTP client.
type ftpConn struct {
	t    testing.TB
	raw  net.Conn
	conn net.Conn // raw, or the TLS connection over it
	tp   *textproto.Conn
}

// ftpTarget is any of the FTP servers (*Vsftpd, *ProFTPD, *PureFTPd):
// the raw helpers below use only the address, the served root and the
// credentials.
type ftpTarget interface{ ftp() *FTPServer }

func (s *FTPServer) ftp() *FTPServer { return s }

// dialFTP connects to srv; with implicit it starts TLS at once using tc.
func dialFTP(t testing.TB, srv ftpTarget, implicit bool, tc *tls.Config) (*ftpConn, error) {
	t.Helper()
	s := srv.ftp()
	raw, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", s.Addr, err)
	}
	if err := raw.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		raw.Close()
		return nil, err
	}
	c := &ftpConn{t: t, raw: raw, conn: raw, tp: textproto.NewConn(raw)}
	t.Cleanup(func() { c.raw.Close() })
	if implicit {
		if err := c.handshake(tc); err != nil {
			return nil, err
		}
	}
	if _, err := c.read(220); err != nil {
		return nil, fmt.Errorf("banner: %w", err)
	}
	return c, nil
}

func (c *ftpConn) handshake(tc *tls.Config) error {
	tconn := tls.Client(c.raw, tc)
	if err := tconn.Handshake(); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	c.conn = tconn
	c.tp = textproto.NewConn(tconn)
	return nil
}

func (c *ftpConn) read(code int) (string, error) {
	_, msg, err := c.tp.ReadResponse(code)
	return msg, err
}

// cmd sends a command and reads a reply that must have the given code.
func (c *ftpConn) cmd(code int, format string, args ...any) (string, error) {
	if err := c.tp.PrintfLine(format, args...); err != nil {
		return "", fmt.Errorf("send %q: %w", format, err)
	}
	msg, err := c.read(code)
	if err != nil {
		return msg, fmt.Errorf("%s: %w", strings.Fields(format)[0], err)
	}
	return msg, nil
}

func (c *ftpConn) must(code int, format string, args ...any) string {
	c.t.Helper()
	msg, err := c.cmd(code, format, args...)
	if err != nil {
		c.t.Fatal(err)
	}
	return msg
}

// authTLS upgrades an explicit connection.
func (c *ftpConn) authTLS(tc *tls.Config) error {
	if _, err := c.cmd(234, "AUTH TLS"); err != nil {
		return err
	}
	return c.handshake(tc)
}

// explicit connects to s and upgrades with AUTH TLS using tc; either
// failing fails the test.
func explicit(t *testing.T, s ftpTarget, tc *tls.Config) *ftpConn {
	t.Helper()
	c, err := dialFTP(t, s, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.authTLS(tc); err != nil {
		t.Fatal(err)
	}
	return c
}

// explicitAt is explicit with clientTLS capped at maxV: it checks maxV
// was negotiated and returns the connection and its configuration, to
// pass on to checkSession.
func explicitAt(t *testing.T, s ftpTarget, maxV uint16) (*ftpConn, *tls.Config) {
	t.Helper()
	tc := clientTLS()
	tc.MaxVersion = maxV
	c := explicit(t, s, tc)
	st := c.state()
	if st.Version != maxV {
		t.Errorf("negotiated %s, want %s", tls.VersionName(st.Version), tls.VersionName(maxV))
	}
	t.Logf("control: %s %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	return c, tc
}

// protectedLogin is explicit followed by a login, PBSZ 0 and PROT P: the
// connection is ready for a protected data command.
func protectedLogin(t *testing.T, s ftpTarget, tc *tls.Config) *ftpConn {
	t.Helper()
	c := explicit(t, s, tc)
	if err := c.login(s); err != nil {
		t.Fatal(err)
	}
	c.must(200, "PBSZ 0")
	c.must(200, "PROT P")
	return c
}

// loginRefused checks that s refuses a login over AUTH TLS with tc, the
// client described by what: the handshake fails (TLS 1.2) or the first
// read after it does (TLS 1.3 checks the client certificate after
// Finished).
func loginRefused(t *testing.T, s ftpTarget, tc *tls.Config, what string) {
	t.Helper()
	c, err := dialFTP(t, s, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = c.authTLS(tc)
	if err == nil {
		err = c.login(s)
	}
	if err == nil {
		t.Fatalf("logged in %s", what)
	}
	t.Logf("refused %s: %v", what, err)
}

// refusesTLS13 checks that s, started with TLS12Only, refuses AUTH TLS
// from a TLS 1.3-only client.
func refusesTLS13(t *testing.T, s ftpTarget) {
	t.Helper()
	c, err := dialFTP(t, s, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = c.authTLS(&tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13})
	if err == nil {
		t.Fatalf("TLS 1.3-only client connected to a TLS12Only server with %s", tls.VersionName(c.state().Version))
	}
	t.Logf("TLS 1.3-only client refused as expected: %v", err)
}

func (c *ftpConn) login(srv ftpTarget) error {
	s := srv.ftp()
	if _, err := c.cmd(331, "USER %s", s.User); err != nil {
		return err
	}
	_, err := c.cmd(230, "PASS %s", s.Password)
	return err
}

func (c *ftpConn) state() tls.ConnectionState {
	tconn, ok := c.conn.(*tls.Conn)
	if !ok {
		c.t.Fatal("control connection is not TLS")
	}
	return tconn.ConnectionState()
}

// transfer runs one protected data command (RETR/STOR/LIST) over EPSV,
// with tc for the data TLS connection. For STOR, upload is sent.
func (c *ftpConn) transfer(tc *tls.Config, command string, upload []byte) (data []byte, resumed bool, err error) {
	msg, err := c.cmd(229, "EPSV")
	if err != nil {
		return nil, false, err
	}
	i, j := strings.Index(msg, "(|||"), strings.LastIndex(msg, "|)")
	if i < 0 || j < i {
		return nil, false, fmt.Errorf("EPSV reply %q", msg)
	}
	port, err := strconv.Atoi(msg[i+4 : j])
	if err != nil {
		return nil, false, fmt.Errorf("EPSV reply %q: %w", msg, err)
	}
	raw, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 5*time.Second)
	if err != nil {
		return nil, false, fmt.Errorf("data dial: %w", err)
	}
	defer raw.Close()
	if err := raw.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		return nil, false, err
	}
	if _, err := c.cmd(150, "%s", command); err != nil {
		return nil, false, err
	}
	dc := tls.Client(raw, tc)
	if err := dc.Handshake(); err != nil {
		return nil, false, fmt.Errorf("data TLS handshake: %w", err)
	}
	resumed = dc.ConnectionState().DidResume
	var ioErr error
	if upload != nil {
		if _, ioErr = dc.Write(upload); ioErr == nil {
			ioErr = dc.Close()
		}
	} else {
		data, ioErr = io.ReadAll(dc)
		// vsftpd waits for the client's close_notify (or TCP close) after
		// its own before it sends 226: close before reading the reply.
		if cerr := dc.Close(); ioErr == nil {
			ioErr = cerr
		}
	}
	if _, err := c.read(226); err != nil {
		return data, resumed, fmt.Errorf("%s completion: %w (data: %v)", command, err, ioErr)
	}
	return data, resumed, ioErr
}

// clientTLS is a client config sharing a session cache between the control
// and data connections, as FTPS with require_ssl_reuse needs: the cache key
// is ServerName, which is the same for both (the address is not: the
// ports differ).
func clientTLS() *tls.Config {
	return &tls.Config{
		InsecureSkipVerify: true, // the harness test checks FTP, not PKI
		ServerName:         "127.0.0.1",
		ClientSessionCache: tls.NewLRUClientSessionCache(8),
	}
}

var testFiles = map[string][]byte{
	"hello.txt":          []byte("hello from vsftpd\n"),
	"sub/dir/nested.bin": bytes.Repeat([]byte{0, 1, 2, 0xff}, 50000),
}

// checkSession logs in, retrieves both files twice and uploads one,
// checking every data connection resumed the control session.
func checkSession(t *testing.T, srv ftpTarget, c *ftpConn, tc *tls.Config) {
	t.Helper()
	checkSessionResuming(t, srv, c, tc, true)
}

// checkSessionResuming is checkSession for a server whose data
// connections resume the control session exactly when wantResumed.
func checkSessionResuming(t *testing.T, srv ftpTarget, c *ftpConn, tc *tls.Config, wantResumed bool) {
	t.Helper()
	s := srv.ftp()
	if err := c.login(s); err != nil {
		t.Fatalf("login: %v", err)
	}
	if msg := c.must(257, "PWD"); !strings.HasPrefix(msg, `"/"`) {
		t.Fatalf("PWD = %q, want the chroot root", msg)
	}
	c.must(200, "PBSZ 0")
	c.must(200, "PROT P")
	c.must(200, "TYPE I")
	for range 2 {
		for name, want := range testFiles {
			got, resumed, err := c.transfer(tc, "RETR "+name, nil)
			if err != nil {
				t.Fatalf("RETR %s: %v", name, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("RETR %s: got %d bytes, want %d", name, len(got), len(want))
			}
			if resumed != wantResumed {
				t.Errorf("RETR %s: data connection resumed the TLS session: %v, want %v", name, resumed, wantResumed)
			}
		}
	}
	up := []byte("uploaded by the servertest harness test\n")
	if _, _, err := c.transfer(tc, "STOR sub/up.txt", up); err != nil {
		t.Fatalf("STOR: %v", err)
	}
	p := filepath.Join(s.Root, "sub", "up.txt")
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, up) {
		t.Fatalf("uploaded file: %q, %v", got, err)
	}
	if fi, err := os.Stat(p); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == 0 {
			t.Errorf("uploaded file is owned by root, want %s", s.User)
		}
	}
	c.must(221, "QUIT")
}

func TestVsftpdExplicit(t *testing.T) {
	t.Parallel()
	s := StartVsftpd(t, VsftpdConfig{Files: testFiles})
	for _, maxV := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(maxV), func(t *testing.T) {
			c, tc := explicitAt(t, s, maxV)
			checkSession(t, s, c, tc)
		})
	}
}

func TestVsftpdTLS12Only(t *testing.T) {
	t.Parallel()
	s := StartVsftpd(t, VsftpdConfig{TLS12Only: true, Files: testFiles})
	tc := clientTLS()
	c := explicit(t, s, tc)
	if v := c.state().Version; v != tls.VersionTLS12 {
		t.Errorf("TLS12Only server negotiated %s with a TLS 1.3-capable client", tls.VersionName(v))
	}
	checkSession(t, s, c, tc)
	refusesTLS13(t, s)
}

func TestVsftpdOldTLSRefused(t *testing.T) {
	t.Parallel()
	s := StartVsftpd(t, VsftpdConfig{})
	c, err := dialFTP(t, s, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	//nolint:gosec // deliberately old: OpenSSL 3 must refuse it.
	err = c.authTLS(&tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
	if err == nil {
		t.Fatalf("server accepted %s", tls.VersionName(c.state().Version))
	}
	t.Logf("TLS 1.0/1.1 client refused: %v", err)
}

func TestVsftpdImplicit(t *testing.T) {
	t.Parallel()
	s := StartVsftpd(t, VsftpdConfig{Implicit: true, Files: testFiles})
	tc := clientTLS()
	c, err := dialFTP(t, s, true, tc)
	if err != nil {
		t.Fatal(err)
	}
	st := c.state()
	t.Logf("implicit control: %s %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	checkSession(t, s, c, tc)
}

func TestVsftpdClientCert(t *testing.T) {
	t.Parallel()
	s := StartVsftpd(t, VsftpdConfig{RequireClientCert: true, Files: testFiles})
	if s.CACert == nil || s.ClientCert == nil {
		t.Fatal("RequireClientCert server without CACert/ClientCert")
	}
	if err := s.ClientCert.Cert.CheckSignatureFrom(s.CACert.Cert); err != nil {
		t.Fatalf("ClientCert not signed by CACert: %v", err)
	}
	for _, maxV := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(maxV), func(t *testing.T) {
			tc := clientTLS()
			tc.MaxVersion = maxV
			tc.Certificates = []tls.Certificate{s.ClientCert.TLS()}
			c := explicit(t, s, tc)
			checkSession(t, s, c, tc)

			loginRefused(t, s, &tls.Config{InsecureSkipVerify: true, MaxVersion: maxV}, "without a client certificate")
			otherCA := certgen.Must(t, certgen.Spec{CommonName: "Other CA", IsCA: true}, nil)
			stranger := certgen.Must(t, certgen.Spec{CommonName: "stranger", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, otherCA)
			loginRefused(t, s, &tls.Config{InsecureSkipVerify: true, MaxVersion: maxV, Certificates: []tls.Certificate{stranger.TLS()}},
				"with a client certificate from an unknown CA")
		})
	}
}

func TestVsftpdRefusals(t *testing.T) {
	t.Parallel()
	s := StartVsftpd(t, VsftpdConfig{Files: testFiles})

	// Plaintext login is refused (force_local_logins_ssl).
	c, err := dialFTP(t, s, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if msg, err := c.cmd(530, "USER %s", s.User); err != nil {
		t.Fatalf("plaintext USER: %v", err)
	} else {
		t.Logf("plaintext USER: 530 %s", msg)
	}

	// Wrong password.
	c = explicit(t, s, clientTLS())
	c.must(331, "USER %s", s.User)
	c.must(530, "PASS %s", s.Password+"x")

	// A data connection that does not resume the control session is
	// refused (require_ssl_reuse=YES).
	c = protectedLogin(t, s, clientTLS())
	_, _, err = c.transfer(&tls.Config{InsecureSkipVerify: true}, "RETR hello.txt", nil)
	var perr *textproto.Error
	if !errors.As(err, &perr) || perr.Code != 522 {
		t.Fatalf("data connection without session reuse: %v, want a 522 reply", err)
	}
	t.Logf("no session reuse: %v", err)
}

func TestVsftpdParallelServers(t *testing.T) {
	t.Parallel()
	for i := range 4 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			s := StartVsftpd(t, VsftpdConfig{Files: testFiles})
			tc := clientTLS()
			checkSession(t, s, explicit(t, s, tc), tc)
		})
	}
}

// TestVsftpdCurl cross-checks the harness with curl, an independent
// client. curl is optional: without it the test skips, even in CI.
func TestVsftpdCurl(t *testing.T) {
	t.Parallel()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed; the Go raw checks still cover the harness")
	}
	run := func(args ...string) (string, error) {
		out, err := exec.Command(curl, append([]string{"-sS", "--max-time", "20"}, args...)...).CombinedOutput()
		return string(out), err
	}
	explicit := StartVsftpd(t, VsftpdConfig{Files: testFiles})
	implicit := StartVsftpd(t, VsftpdConfig{Implicit: true, Files: testFiles})
	certSrv := StartVsftpd(t, VsftpdConfig{RequireClientCert: true, Files: testFiles})
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"explicit", []string{"--ssl-reqd", "-k", "--user", explicit.User + ":" + explicit.Password, "ftp://" + explicit.Addr + "/hello.txt"}},
		{"explicit-tls12", []string{"--ssl-reqd", "-k", "--tls-max", "1.2", "--user", explicit.User + ":" + explicit.Password, "ftp://" + explicit.Addr + "/hello.txt"}},
		{"implicit", []string{"-k", "--user", implicit.User + ":" + implicit.Password, "ftps://" + implicit.Addr + "/hello.txt"}},
	} {
		out, err := run(tc.args...)
		if err != nil || out != string(testFiles["hello.txt"]) {
			t.Errorf("curl %s: %v: %q", tc.name, err, out)
		}
	}
	certFile, keyFile, err := certSrv.ClientCert.WriteFiles(t.TempDir(), "client")
	if err != nil {
		t.Fatal(err)
	}
	url := "ftp://" + certSrv.Addr + "/hello.txt"
	userpass := certSrv.User + ":" + certSrv.Password
	if out, err := run("--ssl-reqd", "-k", "--cert", certFile, "--key", keyFile, "--user", userpass, url); err != nil || out != string(testFiles["hello.txt"]) {
		t.Errorf("curl with client cert: %v: %q", err, out)
	}
	if out, err := run("--ssl-reqd", "-k", "--user", userpass, url); err == nil {
		t.Errorf("curl without client cert succeeded: %q", out)
	} else {
		t.Logf("curl without client cert refused: %s", strings.TrimSpace(out))
	}
}

func TestRequireBinary(t *testing.T) {
	t.Setenv("CI", "false")
	var sub *testing.T
	t.Run("missing", func(t *testing.T) {
		sub = t
		RequireBinary(t, "lockbox-servertest-no-such-binary")
		t.Error("RequireBinary returned for a missing binary")
	})
	if !sub.Skipped() {
		t.Error("missing binary outside CI: want a skip")
	}
	if p := RequireBinary(t, "sh"); !filepath.IsAbs(p) {
		t.Errorf("RequireBinary(sh) = %q, want an absolute path", p)
	}
}

func TestVsftpdConfigExtra(t *testing.T) {
	s := &Vsftpd{FTPServer{Root: "/r", dir: "/d", nonce: "n", LogPath: "/d/l"}}
	conf, err := s.config(VsftpdConfig{Extra: map[string]string{"ftpd_banner": "custom", "max_clients": "5"}}, 20000)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(conf, "ftpd_banner=") != 1 || !strings.Contains(conf, "ftpd_banner=custom\n") || !strings.Contains(conf, "max_clients=5\n") {
		t.Errorf("Extra not applied once each:\n%s", conf)
	}
	for _, bad := range []map[string]string{{"listen_port": "21"}, {"a=b": "c"}, {"x": "1\nlisten=NO"}} {
		if _, err := s.config(VsftpdConfig{Extra: bad}, 20000); err == nil {
			t.Errorf("Extra %v accepted", bad)
		}
	}
}

// TestVsftpdBanner checks the nonce reaches the banner, which readiness
// relies on, and that a server whose banner Extra overrides still starts.
func TestVsftpdBanner(t *testing.T) {
	t.Parallel()
	s := StartVsftpd(t, VsftpdConfig{})
	if err := probeFTP(s.Addr, false, nil, s.nonce); err != nil {
		t.Fatal(err)
	}
	if err := probeFTP(s.Addr, false, nil, "not-the-nonce"); err == nil {
		t.Error("probe accepted a banner without its nonce")
	}
	custom := StartVsftpd(t, VsftpdConfig{Extra: map[string]string{"ftpd_banner": "custom banner"}})
	if err := probeFTP(custom.Addr, false, nil, "custom banner"); err != nil {
		t.Fatal(err)
	}
}
