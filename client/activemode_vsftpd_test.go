package client

import (
	"bytes"
	"crypto/tls"
	"os"
	"path/filepath"
	"testing"

	"lockbox/client/internal/certgen"
	"lockbox/client/internal/enginetest"
	"lockbox/client/internal/servertest"
	"lockbox/client/trace"
)

// activeOnlyVsftpd is vsftpd refusing passive mode: only the server may
// open data connections (and, as by default, only to the client's address,
// from any port, with require_ssl_reuse=YES).
func activeOnlyVsftpd(t *testing.T, cfg servertest.VsftpdConfig) (*servertest.Vsftpd, Options) {
	t.Helper()
	p := newPKI(t)
	cfg.ServerCert, cfg.ServerChain = p.Leaf, []*certgen.Cert{p.Inter}
	if cfg.Extra == nil {
		cfg.Extra = map[string]string{}
	}
	cfg.Extra["pasv_enable"] = "NO"
	cfg.Extra["port_enable"] = "YES"
	cfg.Extra["connect_from_port_20"] = "NO"
	srv := servertest.StartVsftpd(t, cfg)
	return srv, Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true}
}

// Active mode against a vsftpd that refuses passive mode and demands that
// data connections resume the control session: list, download and upload,
// byte for byte, under TLS 1.2 and 1.3.
func TestVsftpdActiveMode(t *testing.T) {
	data := enginetest.RandomBytes(3<<20+17, 13)
	tests := []struct {
		name    string
		max     uint16
		wantTLS string
	}{
		{"TLS 1.3", 0, "TLS 1.3"},
		{"TLS 1.2", tls.VersionTLS12, "TLS 1.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, opts := activeOnlyVsftpd(t, servertest.VsftpdConfig{Files: map[string][]byte{"pub/data.bin": data}})
			opts.Mode, opts.MaxVersion = ModeActive, tc.max
			sess, report := vsftpdLogin(t, srv, "ftpes", opts)
			if report.TLS == nil || report.TLS.Version != tc.wantTLS {
				t.Fatalf("TLS = %+v", report.TLS)
			}
			entries, err := sess.List("/pub")
			if err != nil || len(entries) != 1 || entries[0].Name != "data.bin" || entries[0].Size != uint64(len(data)) {
				t.Fatalf("list = %+v, %v", entries, err)
			}
			var out bytes.Buffer
			if n, err := sess.Download(bg, "/pub/data.bin", 0, &out, nil, nil); err != nil || n != int64(len(data)) || !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("download: n=%d err=%v", n, err)
			}
			if _, err := sess.Upload(bg, "/up.bin", bytes.NewReader(data), 0, nil, nil); err != nil {
				t.Fatalf("upload: %v", err)
			}
			if got, err := os.ReadFile(filepath.Join(srv.Root, "up.bin")); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("uploaded file differs (%v)", err)
			}
			steps := sess.Report().Steps
			for _, name := range []string{"eprt"} {
				if _, ok := trace.Find(steps, "control", name); !ok {
					t.Errorf("no %s step on the control connection", name)
				}
			}
			for _, conn := range []string{"data 1", "data 2", "data 3"} {
				acc, ok := trace.Find(steps, conn, "tcp_accept")
				if !ok || acc.Failed {
					t.Errorf("%s: tcp_accept = %+v, %v", conn, acc, ok)
				}
				hs, ok := trace.Find(steps, conn, "handshake_done")
				if !ok || !bytes.Contains([]byte(hs.Summary), []byte("resumed: yes")) {
					t.Errorf("%s: handshake = %+v, %v", conn, hs, ok)
				}
			}
			for _, st := range steps {
				if st.Failed {
					t.Errorf("failed step: %+v", st)
				}
				if st.Name == "epsv" || st.Name == "pasv" {
					t.Errorf("passive command sent in active mode: %+v", st)
				}
			}
		})
	}
}
