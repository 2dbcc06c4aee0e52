//go:build linux

package main

import (
	"crypto/sha256"
	"encoding/base64"
	"net"
	"strings"
	"testing"
	"time"

	"lockbox/client/certgen"
	"lockbox/client/servertest"
	"lockbox/client/trust"
)

// TestCLIInspectTLSAndFingerprint runs inspect against openssl s_server
// -www, which never answers HEAD: https:// with --timeout 30s still exits
// 0, with the unanswered HEAD shown as a step (it did not wait for the
// answer); tls:// shows the chain; an expired certificate exits 3; and
// --fingerprint trusts exactly the certificate it names.
func TestCLIInspectTLSAndFingerprint(t *testing.T) {
	t.Setenv("LOCKBOX_CONFIG_DIR", t.TempDir())
	for _, k := range []string{"all_proxy", "ALL_PROXY", "https_proxy", "HTTPS_PROXY"} {
		t.Setenv(k, "")
	}
	root := certgen.Must(t, certgen.Spec{CommonName: "CLI TLS Test Root", IsCA: true}, nil)
	ip := []net.IP{net.IPv4(127, 0, 0, 1)}
	leaf := certgen.Must(t, certgen.Spec{CommonName: "127.0.0.1", DNSNames: []string{"localhost"}, IPs: ip}, root)
	expired := certgen.Must(t, certgen.Spec{CommonName: "127.0.0.1", IPs: ip, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)}, root)
	self := certgen.Must(t, certgen.Spec{CommonName: "self.example", DNSNames: []string{"self.example"}}, nil)
	caFile := writeFile(t, t.TempDir(), "root.pem", root.CertPEM())
	valid := servertest.StartSServer(t, servertest.SServerConfig{ServerCert: leaf})
	old := servertest.StartSServer(t, servertest.SServerConfig{ServerCert: expired})
	selfSigned := servertest.StartSServer(t, servertest.SServerConfig{ServerCert: self})

	fp := trust.Fingerprint(self.Cert.Raw)
	sum := sha256.Sum256(self.Cert.Raw)
	b64 := "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
	other := trust.Fingerprint(leaf.Cert.Raw)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"https, valid chain, HEAD never answered", []string{"inspect", "--ca", caFile, "--timeout", "30s", "https://" + valid.Addr + "/"}, 0,
			[]string{"handshake_done", "no answer within 2s", "Result: trusted (verified)"}, nil},
		{"tls://, valid chain", []string{"inspect", "--ca", caFile, "--timeout", "30s", "tls://" + valid.Addr}, 0,
			[]string{"handshake_done", "Level 1", "CLI TLS Test Root", "Result: trusted (verified)"}, nil},
		{"tls://, --servername checks another name", []string{"inspect", "--ca", caFile, "--servername", "other.example", "tls://" + valid.Addr}, 3,
			[]string{"wrong host name"}, nil},
		{"tls://, expired", []string{"inspect", "--ca", caFile, "tls://" + old.Addr}, 3, []string{"expired"}, []string{"certificate not trusted"}},
		{"https://, expired", []string{"inspect", "--ca", caFile, "https://" + old.Addr + "/"}, 3, []string{"expired"}, nil},
		{"tls:// without a port", []string{"inspect", "tls://127.0.0.1"}, 2, nil, []string{"tls:// needs a port"}},
		{"ls refuses tls://", []string{"ls", "tls://" + valid.Addr}, 2, nil, []string{"for inspect"}},
		{"fingerprint hex with colons", []string{"inspect", "--fingerprint", "SHA256:" + trust.FormatFingerprint(fp), "tls://" + selfSigned.Addr}, 0,
			[]string{"expected_fingerprint", "Result: trusted (pinned)"}, nil},
		{"fingerprint base64, second of two", []string{"inspect", "--fingerprint", other, "--fingerprint", b64, "tls://" + selfSigned.Addr}, 0,
			[]string{"Result: trusted (pinned)"}, nil},
		{"fingerprint mismatch", []string{"inspect", "--fingerprint", other, "tls://" + selfSigned.Addr}, 3,
			[]string{trust.FormatFingerprint(fp), trust.FormatFingerprint(other), "not the one expected"}, []string{"not the expected fingerprint"}},
		{"fingerprint mismatch beats a verified chain", []string{"inspect", "--ca", caFile, "--fingerprint", fp, "tls://" + valid.Addr}, 3,
			[]string{"not the one expected"}, nil},
		{"bad fingerprint", []string{"inspect", "--fingerprint", "abcd", "tls://" + selfSigned.Addr}, 2, nil, []string{"--fingerprint"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.args...)
			r.check(t, tt.code, tt.stdout, tt.stderr)
			if strings.HasPrefix(tt.args[len(tt.args)-1], "tls://") && strings.Contains(r.stdout, "http_response") {
				t.Errorf("tls:// sent HTTP:\n%s", r.stdout)
			}
		})
	}
}
