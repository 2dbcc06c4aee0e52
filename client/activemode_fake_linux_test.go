//go:build linux

package client

import (
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"lockbox/client/certgen"
	"lockbox/client/trace"
)

// unreachablePort returns a loopback port whose connections never
// complete: a listener with a backlog of 0 whose one queued connection is
// never accepted, so the kernel drops further SYNs and a connect waits
// until its deadline.
func unreachablePort(t *testing.T) int {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*unix.SockaddrInet4).Port))
	for range 8 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			var nerr net.Error
			if errors.As(err, &nerr) && nerr.Timeout() {
				return sa.(*unix.SockaddrInet4).Port // the queue is full
			}
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("the kernel kept accepting connections into a full backlog")
	return 0
}

// Auto mode also falls back when the passive port cannot be reached in
// time (a firewall that drops the SYN), not only on a refusal.
func TestAutoFallsBackOnPassiveTimeout(t *testing.T) {
	p := newPKI(t)
	srv := startBadFTP(t, serverTLS(p.Leaf, p.Inter), fakeScript{passivePort: unreachablePort(t)})
	opts := Options{Timeout: 500 * time.Millisecond, ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, Mode: ModeAuto}
	sess, _, err := Connect(bg, mustTarget(t, "ftpes://alice:pw@"+srv.addr()), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	entries, err := sess.List("/")
	if err != nil || len(entries) != 1 || entries[0].Name != "hello.txt" {
		t.Fatalf("list = %+v, %v%s", entries, err, stepDump(sess.Report().Steps))
	}
	steps := sess.Report().Steps
	if st, ok := trace.Find(steps, "data 1", "tcp_connect"); !ok || !st.Failed {
		t.Errorf("the passive attempt: %+v, %v", st, ok)
	}
	if st, ok := trace.Find(steps, "control", "mode_fallback"); !ok || !strings.Contains(st.Summary, "could not be reached") {
		t.Errorf("fallback step: %+v, %v", st, ok)
	}
	if _, ok := trace.Find(steps, "data 2", "tcp_accept"); !ok {
		t.Errorf("no active data connection%s", stepDump(steps))
	}
	// Remembered: the next listing goes straight to active mode.
	if _, err := sess.List("/"); err != nil {
		t.Fatal(err)
	}
	if st, ok := trace.Find(sess.Report().Steps, "data 3", "tcp_accept"); !ok {
		t.Errorf("the second listing did not use active mode: %+v", st)
	}
}

// In active mode too, a data connection that shows another certificate
// than the control connection is refused as a possible interception.
func TestActiveDataCertificateMustMatch(t *testing.T) {
	p := newPKI(t)
	other := certgen.Must(t, certgen.Spec{CommonName: "127.0.0.1 (interceptor)", IPs: p.Leaf.Cert.IPAddresses}, p.Inter)
	controlCert, dataCert := p.Leaf.TLS(p.Inter), other.TLS(p.Inter)
	var handshakes atomic.Int32
	cfg := &tls.Config{
		SessionTicketsDisabled: true, // a full handshake, which shows a certificate
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			if handshakes.Add(1) == 1 {
				return &controlCert, nil
			}
			return &dataCert, nil
		},
	}
	srv := startBadFTP(t, cfg, fakeScript{})
	opts := Options{Timeout: 5 * time.Second, ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, Mode: ModeActive}
	sess, _, err := Connect(bg, mustTarget(t, "ftpes://alice:pw@"+srv.addr()), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	_, err = sess.List("/")
	var ie *InterceptionError
	if !errors.As(err, &ie) || !IsTrustFailure(err) {
		t.Fatalf("list: %v", err)
	}
	steps := sess.Report().Steps
	if _, ok := trace.Find(steps, "data 1", "tcp_accept"); !ok {
		t.Errorf("not an active data connection%s", stepDump(steps))
	}
	if st, ok := trace.Find(steps, "data 1", "certificate_changed"); !ok || !st.Failed {
		t.Errorf("certificate_changed = %+v, %v", st, ok)
	}
}

// A server that never connects back ends the transfer at the deadline with
// a failed tcp_accept step the caller can find in the error (the command
// line advises on NAT from it), and the listener is closed.
func TestActiveServerNeverConnects(t *testing.T) {
	srv := startBadFTP(t, nil, fakeScript{replies: map[string]string{"LIST": "150 here it comes\r\n"}})
	var listening string
	opts := Options{Timeout: 300 * time.Millisecond, AllowPlaintext: true, Mode: ModeActive,
		Observer: trace.ObserverFunc(func(s trace.Step) {
			if s.Name == "tcp_listen" {
				listening = strings.TrimPrefix(s.Summary, "listening on ")
			}
		})}
	sess, _, err := Connect(bg, mustTarget(t, "ftp://alice:pw@"+srv.addr()), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	_, err = sess.List("/")
	t.Logf("list: %v", err)
	if !FailedAt(err, "tcp_accept") {
		t.Fatalf("list: %v, want a tcp_accept step error inside", err)
	}
	if st, ok := trace.Find(sess.Report().Steps, "data 1", "tcp_accept"); !ok || !st.Failed {
		t.Errorf("tcp_accept step = %+v, %v", st, ok)
	}
	if listening == "" {
		t.Fatal("no tcp_listen step")
	}
	if c, err := net.DialTimeout("tcp", listening, time.Second); err == nil {
		c.Close()
		t.Errorf("the listener at %s is still open", listening)
	}
}
