// Package enginetest holds what the engine's tests in several packages
// share: a small certificate authority, the in-process demo server, HTTPS
// test servers, an empty pin store and a step log. Only tests import it.
package enginetest

import (
	"crypto/tls"
	"crypto/x509"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"lockbox/client/certgen"
	"lockbox/client/demo"
	"lockbox/client/trace"
	"lockbox/client/trust"
)

// PKI is a small certificate authority for tests: root → intermediate → leaf.
type PKI struct {
	Root, Inter, Leaf *certgen.Cert
}

// NewPKI makes a root, an intermediate and a leaf for 127.0.0.1 and
// localhost.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	root := certgen.Must(t, certgen.Spec{CommonName: "Lockbox Test Root", IsCA: true}, nil)
	inter := certgen.Must(t, certgen.Spec{CommonName: "Lockbox Test Intermediate", IsCA: true}, root)
	leaf := certgen.Must(t, certgen.Spec{CommonName: "127.0.0.1", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"}}, inter)
	return &PKI{Root: root, Inter: inter, Leaf: leaf}
}

// SelfSigned makes a self-signed server certificate for 127.0.0.1.
func SelfSigned(t testing.TB) *certgen.Cert {
	t.Helper()
	return certgen.Must(t, certgen.Spec{CommonName: "127.0.0.1", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}, nil)
}

// DemoUser and DemoPassword log in to StartDemo's server.
const (
	DemoUser     = "alice"
	DemoPassword = "s3cret-Pa55"
)

// StartDemo starts the in-process FTPS server with the given certificate
// chain and a served folder holding a few files.
func StartDemo(t testing.TB, implicit bool, cfg *tls.Config) *demo.Server {
	t.Helper()
	root := t.TempDir()
	for name, body := range map[string]string{"hello.txt": "hello, lockbox\n", "sub/inner.bin": "\x00\x01\x02"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := demo.Start(demo.Config{Root: root, User: DemoUser, Password: DemoPassword, TLS: cfg, Implicit: implicit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// ServerTLS serves the certificate chain, leaf first.
func ServerTLS(chain ...*certgen.Cert) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{chain[0].TLS(chain[1:]...)}}
}

// ServeHTTPS serves h over TLS on loopback with the certificate chain
// (leaf first) until the test ends.
func ServeHTTPS(t testing.TB, h http.Handler, chain ...*certgen.Cert) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(h)
	ts.TLS = ServerTLS(chain...)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

// PinStore opens an empty pin store in a temporary folder.
func PinStore(t testing.TB) *trust.Store {
	t.Helper()
	s, err := trust.Open(filepath.Join(t.TempDir(), "pins.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// RootsOf returns the certificates, as extra roots to trust.
func RootsOf(certs ...*certgen.Cert) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range certs {
		out = append(out, c.Cert)
	}
	return out
}

// StepLog collects steps from an observer for assertions.
type StepLog struct {
	mu    sync.Mutex
	steps []trace.Step
}

// Step records s.
func (l *StepLog) Step(s trace.Step) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.steps = append(l.steps, s)
}

// Steps returns a copy of the steps so far.
func (l *StepLog) Steps() []trace.Step {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]trace.Step(nil), l.steps...)
}

// RandomBytes returns n reproducible pseudo-random bytes.
func RandomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 1}))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// Names returns "conn:dir:name" of every step of the given connection ("" = all).
func Names(steps []trace.Step, conn string) []string {
	var out []string
	for _, s := range steps {
		if conn == "" || s.Conn == conn {
			out = append(out, s.Dir.String()+":"+s.Name)
		}
	}
	return out
}
