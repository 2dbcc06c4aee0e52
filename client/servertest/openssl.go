//go:build linux

package servertest

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"lockbox/client/certgen"
)

// SServerConfig selects the openssl s_server variant StartSServer runs.
type SServerConfig struct {
	// ServerCert is the server's certificate, followed on the wire by
	// ServerChain. Nil means a generated self-signed certificate for
	// 127.0.0.1 and localhost.
	ServerCert  *certgen.Cert
	ServerChain []*certgen.Cert
	// RequireClientCert makes s_server demand a client certificate
	// (-Verify) signed by a generated CA; SServer.ClientCert is one.
	RequireClientCert bool
}

// SServer is a running "openssl s_server -www": a TLS server that answers
// GET with a status page and never answers HEAD (nor anything else), the
// server that made inspect wait for an HTTP answer until its timeout.
type SServer struct {
	// Addr is "127.0.0.1:PORT".
	Addr string
	// ServerCert is the certificate it presents; CACert and ClientCert as
	// for nginx when a client certificate is required.
	ServerCert, CACert, ClientCert *certgen.Cert
	// LogPath is s_server's output.
	LogPath string
}

// StartSServer starts openssl s_server -www on 127.0.0.1 and stops it in
// t.Cleanup. Without openssl the test is skipped, or fails when CI=true.
func StartSServer(t testing.TB, cfg SServerConfig) *SServer {
	t.Helper()
	bin := RequireBinary(t, "openssl")
	dir, err := os.MkdirTemp("", "lockbox-sserver-")
	removeOnCleanup(t, dir)
	if err != nil {
		t.Fatalf("servertest: preparing s_server: %v", err)
	}
	files, err := writeTLSFiles(dir, cfg.ServerCert, cfg.ServerChain, cfg.RequireClientCert)
	if err != nil {
		t.Fatalf("servertest: preparing s_server: %v", err)
	}
	s := &SServer{ServerCert: files.Server, CACert: files.CA, ClientCert: files.Client, LogPath: filepath.Join(dir, "s_server.out")}
	launch(t, "openssl s_server", func(base int) (*process, error) {
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(base))
		args := []string{"s_server", "-www", "-accept", s.Addr, "-cert", files.Cert, "-key", files.Key}
		if files.Chain != "" {
			args = append(args, "-cert_chain", files.Chain)
		}
		if cfg.RequireClientCert {
			args = append(args, "-Verify", "1", "-CAfile", files.CAFile)
		}
		return runDaemon(daemon{
			name:    "openssl s_server",
			bin:     bin,
			args:    args,
			outPath: s.LogPath,
			// s_server ends when its standard input closes: keep it open.
			outOnStdin: true,
			probe:      func() error { return probeCert(s.Addr, s.ServerCert.Cert, s.ClientCert) },
			busy:       func(out string) bool { return strings.Contains(out, "Address already in use") },
		})
	}, func() string { return tailFiles(s.LogPath) })
	return s
}
