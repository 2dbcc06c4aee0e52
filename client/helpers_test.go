package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"lockbox/client/demo"
	"lockbox/client/internal/certgen"
	"lockbox/client/trace"
	"lockbox/client/trust"
)

// pki is a small certificate authority for tests: root → intermediate → leaf.
type pki struct {
	root, inter, leaf *certgen.Cert
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	root := certgen.Must(t, certgen.Spec{CommonName: "Lockbox Test Root", IsCA: true}, nil)
	inter := certgen.Must(t, certgen.Spec{CommonName: "Lockbox Test Intermediate", IsCA: true}, root)
	leaf := certgen.Must(t, certgen.Spec{CommonName: "127.0.0.1", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"}}, inter)
	return &pki{root: root, inter: inter, leaf: leaf}
}

// selfSigned makes a self-signed server certificate for 127.0.0.1.
func selfSigned(t *testing.T) *certgen.Cert {
	t.Helper()
	return certgen.Must(t, certgen.Spec{CommonName: "127.0.0.1", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}, nil)
}

// startDemo starts the in-process FTPS server with the given certificate
// chain and a served folder holding a few files.
func startDemo(t *testing.T, implicit bool, cfg *tls.Config) *demo.Server {
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
	srv, err := demo.Start(demo.Config{Root: root, User: "alice", Password: "s3cret-Pa55", TLS: cfg, Implicit: implicit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func serverTLS(chain ...*certgen.Cert) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{chain[0].TLS(chain[1:]...)}}
}

// serveHTTPS serves h over TLS on loopback with the certificate chain
// (leaf first) until the test ends.
func serveHTTPS(t *testing.T, h http.Handler, chain ...*certgen.Cert) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(h)
	ts.TLS = serverTLS(chain...)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

func mustTarget(t *testing.T, raw string) Target {
	t.Helper()
	tg, err := ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// pinStore opens an empty pin store in a temporary folder.
func pinStore(t *testing.T) *trust.Store {
	t.Helper()
	s, err := trust.Open(filepath.Join(t.TempDir(), "pins.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stepLog collects steps from an observer for assertions.
type stepLog struct {
	mu    sync.Mutex
	steps []trace.Step
}

func (l *stepLog) Step(s trace.Step) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.steps = append(l.steps, s)
}

// names returns "conn:dir:name" of every step of the given connection ("" = all).
func names(steps []trace.Step, conn string) []string {
	var out []string
	for _, s := range steps {
		if conn == "" || s.Conn == conn {
			out = append(out, s.Dir.String()+":"+s.Name)
		}
	}
	return out
}

func containsInOrder(have []string, want ...string) bool {
	i := 0
	for _, h := range have {
		if i < len(want) && h == want[i] {
			i++
		}
	}
	return i == len(want)
}

func rootsOf(certs ...*certgen.Cert) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range certs {
		out = append(out, c.Cert)
	}
	return out
}

func assertNoSecret(t *testing.T, where string, secret string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, secret) {
			t.Errorf("%s contains the password: %q", where, s)
		}
	}
}

var bg = context.Background()
