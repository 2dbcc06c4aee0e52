//go:build linux

package servertest

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// nginxGet does one raw HTTP/1.1 GET over its own TLS connection and
// returns the status and body.
func nginxGet(t *testing.T, s *Nginx, tc *tls.Config, path string) (int, []byte, error) {
	t.Helper()
	raw, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		return 0, nil, err
	}
	defer raw.Close()
	if err := raw.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		return 0, nil, err
	}
	c := tls.Client(raw, tc)
	if err := c.Handshake(); err != nil {
		return 0, nil, fmt.Errorf("TLS handshake: %w", err)
	}
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path); err != nil {
		return 0, nil, fmt.Errorf("request: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, nil, fmt.Errorf("response: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

func TestNginxStatic(t *testing.T) {
	t.Parallel()
	s := StartNginx(t, NginxConfig{Files: testFiles})
	pool := x509.NewCertPool()
	pool.AddCert(s.ServerCert.Cert)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		code, body, err := nginxGet(t, s, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: v, MaxVersion: v}, "/sub/dir/nested.bin")
		if err != nil || code != 200 || string(body) != string(testFiles["sub/dir/nested.bin"]) {
			t.Fatalf("%s: GET = %d, %d bytes, %v", tls.VersionName(v), code, len(body), err)
		}
	}
	if code, _, err := nginxGet(t, s, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}, "/missing"); err != nil || code != 404 {
		t.Errorf("GET /missing = %d, %v", code, err)
	}
}

func TestNginxClientCert(t *testing.T) {
	t.Parallel()
	s := StartNginx(t, NginxConfig{RequireClientCert: true, Files: testFiles})
	if s.ClientCert == nil || s.ClientCert.Cert.CheckSignatureFrom(s.CACert.Cert) != nil {
		t.Fatal("RequireClientCert server without a client certificate signed by CACert")
	}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			requested := false
			tc := &tls.Config{
				InsecureSkipVerify: true, // this test checks the client side
				MinVersion:         v, MaxVersion: v,
				GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
					requested = true
					return &tls.Certificate{}, nil
				},
			}
			code, _, err := nginxGet(t, s, tc, "/hello.txt")
			if err != nil || code != 400 || !requested {
				t.Fatalf("without a certificate: %d, requested %v, %v; want 400 after a CertificateRequest", code, requested, err)
			}
			tc = &tls.Config{InsecureSkipVerify: true, MinVersion: v, MaxVersion: v, Certificates: []tls.Certificate{s.ClientCert.TLS()}}
			code, body, err := nginxGet(t, s, tc, "/hello.txt")
			if err != nil || code != 200 || string(body) != string(testFiles["hello.txt"]) {
				t.Fatalf("with the client certificate: %d %q, %v", code, body, err)
			}
		})
	}
}

func TestNginxTLS12Only(t *testing.T) {
	t.Parallel()
	s := StartNginx(t, NginxConfig{TLS12Only: true})
	if _, _, err := nginxGet(t, s, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13}, "/"); err == nil {
		t.Fatal("TLS 1.3-only client connected to a TLS12Only nginx")
	}
}
