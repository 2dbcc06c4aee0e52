//go:build linux

package client

import (
	"bytes"
	"crypto/tls"
	"os"
	"path/filepath"
	"testing"

	"lockbox/client/internal/enginetest"
	"lockbox/client/servertest"
	"lockbox/client/trace"
)

// Active mode against ProFTPD and Pure-FTPd (vsftpd: TestVsftpdActiveMode),
// under TLS 1.2 and 1.3: list, download and upload, byte for byte, and no
// passive command sent.
func TestActiveModeInterop(t *testing.T) {
	p := newPKI(t)
	servers := []struct {
		name  string
		start func(t *testing.T) interopServer
	}{
		{"ProFTPD", func(t *testing.T) interopServer { return proftpdInterop(servertest.ProFTPDConfig{})(t, p) }},
		{"Pure-FTPd", func(t *testing.T) interopServer { return pureftpdInterop(false)(t, p) }},
	}
	up := enginetest.RandomBytes(2<<20+5, 17)
	for _, sv := range servers {
		t.Run(sv.name, func(t *testing.T) {
			srv := sv.start(t)
			for _, v := range interopVersions {
				t.Run(tls.VersionName(v), func(t *testing.T) {
					opts := interopOptions(p, v, nil)
					opts.Mode = ModeActive
					tg := mustTarget(t, "ftpes://"+srv.user+"@"+srv.addr+"/")
					tg.Password = srv.password
					sess, _, err := Connect(bg, tg, opts)
					if err != nil {
						t.Fatalf("connect: %v", err)
					}
					defer sess.Close()
					entries, err := sess.List("/pub")
					if err != nil || len(entries) != 1 || entries[0].Name != "data.bin" {
						t.Fatalf("list = %+v, %v%s", entries, err, stepDump(sess.Report().Steps))
					}
					var out bytes.Buffer
					if _, err := sess.Download(bg, "/pub/data.bin", 0, &out, nil, nil); err != nil || !bytes.Equal(out.Bytes(), interopFiles["pub/data.bin"]) {
						t.Fatalf("download: %v%s", err, stepDump(sess.Report().Steps))
					}
					name := "/up-" + tls.VersionName(v)[4:] + ".bin"
					if _, err := sess.Upload(bg, name, bytes.NewReader(up), 0, nil, nil); err != nil {
						t.Fatalf("upload: %v%s", err, stepDump(sess.Report().Steps))
					}
					if got, err := os.ReadFile(filepath.Join(srv.root, name)); err != nil || !bytes.Equal(got, up) {
						t.Fatalf("uploaded file differs (%v)", err)
					}
					steps := sess.Report().Steps
					for _, st := range steps {
						if st.Conn == "control" && (st.Name == "epsv" || st.Name == "pasv") {
							t.Errorf("passive command in active mode: %+v", st)
						}
					}
					for _, conn := range []string{"data 1", "data 2", "data 3"} {
						if st, ok := trace.Find(steps, conn, "tcp_accept"); !ok || st.Failed {
							t.Errorf("%s: no accepted connection%s", conn, stepDump(steps))
						}
					}
				})
			}
		})
	}
}
