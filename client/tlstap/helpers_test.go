package tlstap

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"lockbox/client/certgen"
	"lockbox/client/trace"
)

// safetyDeadline only stops a broken test from hanging; nothing waits on it.
const safetyDeadline = 30 * time.Second

// pki is the set of certificates the real handshakes use.
type pki struct {
	ca, leaf, clientCA, client *certgen.Cert
	roots, clientRoots         *x509.CertPool
}

func newPKI(t testing.TB) *pki {
	t.Helper()
	p := &pki{}
	p.ca = certgen.Must(t, certgen.Spec{CommonName: "Lockbox Test CA", IsCA: true}, nil)
	p.leaf = certgen.Must(t, certgen.Spec{CommonName: "lockbox.test", DNSNames: []string{"lockbox.test"}}, p.ca)
	p.clientCA = certgen.Must(t, certgen.Spec{CommonName: "Lockbox Client CA", IsCA: true}, nil)
	p.client = certgen.Must(t, certgen.Spec{
		CommonName:  "alice",
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, p.clientCA)
	p.roots = x509.NewCertPool()
	p.roots.AddCert(p.ca.Cert)
	p.clientRoots = x509.NewCertPool()
	p.clientRoots.AddCert(p.clientCA.Cert)
	return p
}

func (p *pki) serverConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{p.leaf.TLS(p.ca)}, NextProtos: []string{"ftp"}}
}

func (p *pki) clientConfig() *tls.Config {
	return &tls.Config{RootCAs: p.roots, ServerName: "lockbox.test", NextProtos: []string{"ftp"}}
}

// startServer serves TLS on loopback, one connection at a time, writing
// "ok\n" after each successful handshake so that the client reads (and so
// stores) any TLS 1.3 session ticket.
func startServer(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.SetDeadline(time.Now().Add(safetyDeadline))
			tc := tls.Server(c, cfg)
			if tc.Handshake() == nil {
				_, _ = tc.Write([]byte("ok\n"))
			}
			tc.Close()
		}
	}()
	return ln.Addr().String()
}

// event is one chunk of bytes the tap saw.
type event struct {
	dir  trace.Dir
	data []byte
}

// recConn records every chunk passing through it, in order.
type recConn struct {
	net.Conn
	mu     sync.Mutex
	events []event
}

func (r *recConn) add(dir trace.Dir, p []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event{dir, append([]byte(nil), p...)})
}

func (r *recConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	if n > 0 {
		r.add(trace.Recv, p[:n])
	}
	return n, err
}

func (r *recConn) Write(p []byte) (int, error) {
	n, err := r.Conn.Write(p)
	if n > 0 {
		r.add(trace.Send, p[:n])
	}
	return n, err
}

// result is what one tapped client handshake produced.
type result struct {
	steps  []trace.Step
	facts  Facts
	events []event
	state  tls.ConnectionState
	err    error
	// passthrough reports that both directions stopped being parsed.
	passthrough bool
}

// dialTapped runs one client handshake through a tap and reads the server's
// "ok\n".
func dialTapped(t testing.TB, addr string, cfg *tls.Config) result {
	t.Helper()
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	_ = raw.SetDeadline(time.Now().Add(safetyDeadline))
	rc := &recConn{Conn: raw}
	rec := trace.NewRecorder(nil)
	tap := New(rc, rec.Conn("control"))
	tc := tls.Client(tap, cfg)
	herr := tc.Handshake()
	if herr == nil {
		buf := make([]byte, 3)
		if _, err := io.ReadFull(tc, buf); err != nil {
			t.Fatalf("read after handshake: %v", err)
		}
	}
	tc.Close()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return result{steps: rec.Steps(), facts: tap.Facts(), events: rc.events, state: tc.ConnectionState(), err: herr,
		passthrough: tap.in.done.Load() && tap.out.done.Load()}
}

// stepNames renders steps as "send client_hello", with "!" marking failures.
func stepNames(steps []trace.Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = string(s.Dir) + " " + s.Name
		if s.Failed {
			out[i] += "!"
		}
	}
	return out
}

// scriptConn is a net.Conn whose Reads return queued bytes and whose Writes
// are collected; it lets a recorded transcript be replayed through a tap.
type scriptConn struct {
	in      []byte
	out     []byte
	readErr error // returned together with the last queued bytes
}

func (s *scriptConn) Read(p []byte) (int, error) {
	if len(s.in) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.in)
	s.in = s.in[n:]
	if len(s.in) == 0 && s.readErr != nil {
		return n, s.readErr
	}
	return n, nil
}

func (s *scriptConn) Write(p []byte) (int, error) {
	s.out = append(s.out, p...)
	return len(p), nil
}

func (s *scriptConn) Close() error                     { return nil }
func (s *scriptConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
func (s *scriptConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
func (s *scriptConn) SetDeadline(time.Time) error      { return nil }
func (s *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (s *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// replay pushes events through a fresh tap, chunk bytes per Read or Write
// (0 means whole events), and returns the steps and what passed through.
func replay(t testing.TB, events []event, chunk int) (steps []trace.Step, sent, received []byte) {
	t.Helper()
	sc := &scriptConn{}
	rec := trace.NewRecorder(nil)
	tap := New(sc, rec.Conn("control"))
	for _, ev := range events {
		size := chunk
		if size <= 0 {
			size = max(len(ev.data), 1)
		}
		if ev.dir == trace.Send {
			for p := ev.data; len(p) > 0; {
				n := min(size, len(p))
				if _, err := tap.Write(p[:n]); err != nil {
					t.Fatalf("write: %v", err)
				}
				p = p[n:]
			}
			continue
		}
		sc.in = ev.data
		buf := make([]byte, size)
		for len(sc.in) > 0 {
			n, err := tap.Read(buf)
			if err != nil && !errors.Is(err, io.EOF) {
				t.Fatalf("read: %v", err)
			}
			received = append(received, buf[:n]...)
		}
	}
	return rec.Steps(), sc.out, received
}
