//go:build linux

package client

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"lockbox/client/certgen"
	"lockbox/client/identity"
	"lockbox/client/servertest"
)

// TestInspectEndsAtHandshake runs inspect against openssl s_server -www,
// which never answers HEAD. With a 30 s timeout, a verified chain must
// still succeed under a context that ends long before: proof that inspect
// did not wait for an HTTP answer. tls:// speaks no HTTP at all.
func TestInspectEndsAtHandshake(t *testing.T) {
	p := newPKI(t)
	expired := certgen.Must(t, certgen.Spec{CommonName: "127.0.0.1", IPs: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}, p.Inter)
	valid := servertest.StartSServer(t, servertest.SServerConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}})
	old := servertest.StartSServer(t, servertest.SServerConfig{ServerCert: expired, ServerChain: []*certgen.Cert{p.Inter}})
	clientOnly := servertest.StartSServer(t, servertest.SServerConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}, RequireClientCert: true})
	dir := t.TempDir()
	certFile, keyFile, err := clientOnly.ClientCert.WriteFiles(dir, "client")
	if err != nil {
		t.Fatal(err)
	}
	id, err := identity.LoadPEM(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		url       string
		id        *identity.Identity
		max       uint16
		wantTrust bool
		wantErr   Reason
		failed    bool
		steps     []string // in order on the connection
	}{
		{"https, valid chain, no answer to HEAD", "https://" + valid.Addr + "/", nil, 0, true, ReasonNone, false, []string{"tcp_connect", "client_hello", "verification", "handshake_done", "http_response"}},
		{"tls://, valid chain", "tls://" + valid.Addr, nil, 0, true, ReasonNone, false, []string{"tcp_connect", "client_hello", "verification", "handshake_done"}},
		{"tls://, expired", "tls://" + old.Addr, nil, 0, false, ReasonNone, true, []string{"verification", "handshake_failed"}},
		{"https, expired", "https://" + old.Addr + "/", nil, 0, false, ReasonNone, true, []string{"verification", "handshake_failed"}},
		{"tls:// client certificate sent", "tls://" + clientOnly.Addr, id, 0, true, ReasonNone, false, []string{"certificate_request", "handshake_done"}},
		{"https client certificate sent", "https://" + clientOnly.Addr + "/", id, 0, true, ReasonNone, false, []string{"certificate_request", "handshake_done"}},
		{"tls:// client certificate missing, TLS 1.3", "tls://" + clientOnly.Addr, nil, 0, true, ReasonClientCertRequired, true, []string{"certificate_request", "handshake_done"}},
		{"tls:// client certificate missing, TLS 1.2", "tls://" + clientOnly.Addr, nil, tls.VersionTLS12, true, ReasonClientCertRequired, true, []string{"certificate_request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(bg, 20*time.Second) // well under Timeout
			defer cancel()
			opts := Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, Timeout: 30 * time.Second, Identity: tt.id, MaxVersion: tt.max}
			report, err := Inspect(ctx, mustTarget(t, tt.url), opts)
			if ctx.Err() != nil {
				t.Fatalf("inspect waited until the test's bound: %v", err)
			}
			if (err != nil) != tt.failed {
				t.Fatalf("err %v, want failure %v", err, tt.failed)
			}
			if got := ReasonOf(err); got != tt.wantErr {
				t.Errorf("reason %v, want %v (%v)", got, tt.wantErr, err)
			}
			if tt.wantErr == ReasonNone && report.Trusted != tt.wantTrust {
				t.Errorf("trusted %v, want %v (%s)", report.Trusted, tt.wantTrust, report.Trust)
			}
			if len(report.Chain) < 2 || !strings.Contains(report.Chain[1].Subject, "Intermediate") {
				t.Errorf("chain %+v, want the leaf and the intermediate at least", report.Chain)
			}
			conn := "tls"
			if strings.HasPrefix(tt.url, "https") {
				conn = "https"
			}
			var names []string
			for _, s := range report.Steps {
				if s.Conn == conn {
					names = append(names, s.Name)
				}
			}
			if !containsInOrder(names, tt.steps...) {
				t.Errorf("steps %v, want %v in order", names, tt.steps)
			}
			if conn == "tls" {
				if _, ok := find(report.Steps, conn, "http_response"); ok {
					t.Error("tls:// sent HTTP")
				}
			}
		})
	}
}
