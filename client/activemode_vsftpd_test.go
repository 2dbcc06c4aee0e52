//go:build linux

package client

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockbox/client/certgen"
	"lockbox/client/internal/enginetest"
	"lockbox/client/servertest"
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

// Auto mode tries passive mode, sees it refused, and goes on in active
// mode for the rest of the session; passive mode alone fails with a
// PassiveRefusedError, which is where the "try active mode" advice hangs.
func TestVsftpdPassiveRefused(t *testing.T) {
	data := enginetest.RandomBytes(100<<10, 14)
	srv, opts := activeOnlyVsftpd(t, servertest.VsftpdConfig{Files: map[string][]byte{"a.bin": data}})
	t.Run("auto falls back", func(t *testing.T) {
		opts := opts
		opts.Mode = ModeAuto
		sess, _ := vsftpdLogin(t, srv, "ftpes", opts)
		if _, err := sess.List("/"); err != nil {
			t.Fatalf("list: %v", err)
		}
		var out bytes.Buffer
		if _, err := sess.Download(bg, "/a.bin", 0, &out, nil, nil); err != nil || !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("download: %v", err)
		}
		names := enginetest.Names(sess.Report().Steps, "control")
		var passive, fallback, eprt int
		for _, n := range names {
			_, n, _ = strings.Cut(n, ":")
			switch n {
			case "epsv", "pasv":
				passive++
			case "mode_fallback":
				fallback++
			case "eprt":
				eprt++
			}
		}
		// EPSV and PASV (each sent and answered) once, then EPRT for both
		// data connections.
		if passive != 4 || fallback != 1 || eprt != 4 {
			t.Errorf("control steps %v: %d passive, %d fallback, %d eprt", names, passive, fallback, eprt)
		}
		if sess.Broken() {
			t.Error("session broken after the fallback")
		}
	})
	t.Run("a pool's later sessions start in active mode", func(t *testing.T) {
		opts := opts
		opts.Mode = ModeAuto
		tg := mustTarget(t, "ftpes://"+srv.User+"@"+srv.Addr+"/")
		tg.Password = srv.Password
		pool, _, err := OpenPool(bg, tg, opts, PoolOptions{Size: 2, KeepAlive: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		first, err := pool.Acquire(bg)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Release(first)
		if _, err := first.List("/"); err != nil {
			t.Fatal(err)
		}
		second, err := pool.Acquire(bg) // the first is in use: a new session
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Release(second)
		if second == first {
			t.Fatal("the pool handed out the same session twice")
		}
		if _, err := second.List("/"); err != nil {
			t.Fatal(err)
		}
		for _, n := range enginetest.Names(second.Report().Steps, "control") {
			if strings.HasSuffix(n, ":epsv") || strings.HasSuffix(n, ":pasv") || strings.HasSuffix(n, ":mode_fallback") {
				t.Errorf("the second session tried passive mode again: %s", n)
			}
		}
		if _, ok := trace.Find(second.Report().Steps, "data 1", "tcp_accept"); !ok {
			t.Error("the second session did not list in active mode")
		}
	})
	t.Run("passive fails with the reason", func(t *testing.T) {
		sess, _ := vsftpdLogin(t, srv, "ftpes", opts)
		_, err := sess.List("/")
		var pe *PassiveRefusedError
		var se *StepError
		if !errors.As(err, &pe) || !errors.As(err, &se) || se.Step != "list" || pe.Reply == "" {
			t.Fatalf("list in passive mode: %v", err)
		}
		if sess.Broken() {
			t.Error("a refused PASV broke the session")
		}
	})
}

// A connection to the active-mode listener from another address than the
// server's is refused, and the transfer goes on with the server's.
func TestVsftpdActiveRefusesForeignPeer(t *testing.T) {
	data := enginetest.RandomBytes(64<<10, 15)
	srv, opts := activeOnlyVsftpd(t, servertest.VsftpdConfig{Files: map[string][]byte{"a.bin": data}})
	opts.Mode = ModeActive
	var foreign []net.Conn
	var dialErr error
	opts.Observer = trace.ObserverFunc(func(s trace.Step) {
		if s.Name != "tcp_listen" || len(foreign) > 0 {
			return
		}
		addr, _, _ := strings.Cut(strings.TrimPrefix(s.Summary, "listening on "), ",")
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
		// The connect completes in the listener's backlog, before the
		// server is even told the address: the engine meets it first.
		c, err := d.Dial("tcp", addr)
		if err != nil {
			dialErr = err
			return
		}
		foreign = append(foreign, c)
	})
	sess, _ := vsftpdLogin(t, srv, "ftpes", opts)
	var out bytes.Buffer
	if _, err := sess.Download(bg, "/a.bin", 0, &out, nil, nil); err != nil || !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("download: %v", err)
	}
	if dialErr != nil || len(foreign) != 1 {
		t.Fatalf("foreign connect: %v", dialErr)
	}
	defer foreign[0].Close()
	if n, err := foreign[0].Read(make([]byte, 1)); err == nil {
		t.Errorf("the foreign connection was given %d bytes", n)
	}
	steps := sess.Report().Steps
	ref, ok := trace.Find(steps, "data 1", "tcp_accept_refused")
	if !ok || !strings.Contains(ref.Summary, "127.0.0.2") {
		t.Errorf("refusal step = %+v, %v", ref, ok)
	}
	if acc, ok := trace.Find(steps, "data 1", "tcp_accept"); !ok || !strings.HasPrefix(acc.Summary, "127.0.0.1:") {
		t.Errorf("accept step = %+v, %v", acc, ok)
	}
}

// Over IPv6 (::1) passive mode uses EPSV and active mode EPRT |2|; both
// list and download.
func TestVsftpdIPv6(t *testing.T) {
	data := enginetest.RandomBytes(1<<20+3, 16)
	p := newPKI(t)
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{IPv6: true, ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter},
		Files: map[string][]byte{"a.bin": data}, Extra: map[string]string{"port_enable": "YES", "connect_from_port_20": "NO"}})
	if !strings.HasPrefix(srv.Addr, "[::1]:") {
		t.Fatalf("server address %s", srv.Addr)
	}
	tests := []struct {
		mode     DataMode
		command  string // the control step that opens data connections
		dataStep string // the data connection's first TCP step
	}{
		{ModePassive, "epsv", "tcp_connect"},
		{ModeActive, "eprt", "tcp_accept"},
	}
	for _, tc := range tests {
		t.Run(string(tc.mode), func(t *testing.T) {
			opts := Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, ServerName: "localhost", Mode: tc.mode}
			sess, _ := vsftpdLogin(t, srv, "ftpes", opts)
			entries, err := sess.List("/")
			if err != nil || len(entries) != 1 || entries[0].Name != "a.bin" {
				t.Fatalf("list = %+v, %v", entries, err)
			}
			var out bytes.Buffer
			if _, err := sess.Download(bg, "/a.bin", 0, &out, nil, nil); err != nil || !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("download: %v", err)
			}
			steps := sess.Report().Steps
			cmd, ok := trace.Find(steps, "control", tc.command)
			if !ok {
				t.Fatalf("no %s step", tc.command)
			}
			if tc.mode == ModeActive && !strings.Contains(cmd.Summary, "|2|::1|") {
				t.Errorf("EPRT = %q, want an IPv6 address", cmd.Summary)
			}
			for _, conn := range []string{"data 1", "data 2"} {
				st, ok := trace.Find(steps, conn, tc.dataStep)
				if !ok || !strings.Contains(st.Summary, "[::1]:") {
					t.Errorf("%s %s = %+v, %v", conn, tc.dataStep, st, ok)
				}
			}
		})
	}
}

// URL paths against a vsftpd that does not chroot: "/pub" is pub in the
// login folder, "/%2Ftmp" is /tmp.
func TestVsftpdURLPaths(t *testing.T) {
	marker, err := os.MkdirTemp("/tmp", "lockbox-urlpath-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(marker) })
	if err := os.Chmod(marker, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(marker, "in-tmp.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := newPKI(t)
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter},
		Files: map[string][]byte{"pub/in-home.txt": []byte("y")}, Extra: map[string]string{"chroot_local_user": "NO"}})
	sess, _ := vsftpdLogin(t, srv, "ftpes", Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true})
	home, err := sess.CurrentDir()
	if err != nil || home != srv.Root {
		t.Fatalf("the login folder is %q (%v), want the unchrooted %q", home, err, srv.Root)
	}
	tests := []struct {
		path, want string
	}{
		{"/pub", "in-home.txt"},
		{"/%2Ftmp", filepath.Base(marker)},
		{"//tmp", filepath.Base(marker)},
		{"/%2F" + strings.TrimPrefix(marker, "/"), "in-tmp.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			tg := mustTarget(t, "ftpes://"+srv.User+"@"+srv.Addr+tc.path)
			for _, h := range []string{"", home} {
				entries, err := sess.List(tg.RemotePath(h))
				if err != nil {
					t.Fatalf("list %q: %v", tg.RemotePath(h), err)
				}
				found := false
				for _, e := range entries {
					found = found || e.Name == tc.want
				}
				if !found {
					t.Errorf("list %q lacks %s: %+v", tg.RemotePath(h), tc.want, entries)
				}
			}
		})
	}
}

// Plain FTP in active mode (no TLS handshake to start the accept): an
// empty upload still meets the server's connection, and a refused command
// closes the listener without waiting for a connection that never comes.
func TestVsftpdActivePlainFTP(t *testing.T) {
	srv, opts := activeOnlyVsftpd(t, servertest.VsftpdConfig{Files: map[string][]byte{"a.txt": []byte("plain\n")},
		Extra: map[string]string{"ssl_enable": "NO", "force_local_logins_ssl": "NO", "force_local_data_ssl": "NO"}})
	opts.Mode, opts.AllowPlaintext = ModeActive, true
	sess, _ := vsftpdLogin(t, srv, "ftp", opts)
	tests := []struct {
		name  string
		do    func() error
		check func() bool
	}{
		{"empty upload", func() error { _, err := sess.Upload(bg, "/empty.bin", bytes.NewReader(nil), 0, nil, nil); return err },
			func() bool {
				st, err := os.Stat(filepath.Join(srv.Root, "empty.bin"))
				return err == nil && st.Size() == 0
			}},
		{"download", func() error {
			var out bytes.Buffer
			if _, err := sess.Download(bg, "/a.txt", 0, &out, nil, nil); err != nil {
				return err
			}
			if out.String() != "plain\n" {
				return errors.New("downloaded " + out.String())
			}
			return nil
		}, func() bool { return true }},
		{"refused download", func() error {
			_, err := sess.Download(bg, "/missing.txt", 0, io.Discard, nil, nil)
			var se *StepError
			if !errors.As(err, &se) || !strings.HasPrefix(se.Reply, "550") {
				return fmt.Errorf("want a 550, got %v", err)
			}
			return nil
		}, func() bool { return !sess.Broken() }},
		{"list after", func() error { _, err := sess.List("/"); return err }, func() bool { return true }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.do(); err != nil || !tc.check() {
				t.Fatalf("%v%s", err, stepDump(sess.Report().Steps))
			}
		})
	}
}

// A server that refuses EPRT gets PORT, for the rest of the session; one
// that refuses both fails the operation with a port step, and the session
// stays usable.
func TestVsftpdPORTFallback(t *testing.T) {
	data := enginetest.RandomBytes(70<<10, 18)
	tests := []struct {
		name      string
		denied    string
		wantErr   bool
		wantSteps []string // control steps, each sent at least once
	}{
		{"EPRT refused", "EPRT", false, []string{"eprt", "port"}},
		{"EPRT and PORT refused", "EPRT,PORT", true, []string{"eprt", "port"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, opts := activeOnlyVsftpd(t, servertest.VsftpdConfig{Files: map[string][]byte{"a.bin": data}, Extra: map[string]string{"cmds_denied": tc.denied}})
			opts.Mode = ModeActive
			sess, _ := vsftpdLogin(t, srv, "ftpes", opts)
			for range 2 {
				var out bytes.Buffer
				_, err := sess.Download(bg, "/a.bin", 0, &out, nil, nil)
				if tc.wantErr {
					var se *StepError
					t.Logf("download: %v", err)
					if !errors.As(err, &se) || se.Step != "port" || !strings.HasPrefix(se.Reply, "550") || sess.Broken() {
						t.Fatalf("download: %v (broken %v)", err, sess.Broken())
					}
					continue
				}
				if err != nil || !bytes.Equal(out.Bytes(), data) {
					t.Fatalf("download: %v%s", err, stepDump(sess.Report().Steps))
				}
			}
			steps := sess.Report().Steps
			var eprts int
			for _, st := range steps {
				if st.Conn == "control" && st.Name == "eprt" && st.Dir == trace.Send {
					eprts++
				}
			}
			if eprts != 1 {
				t.Errorf("EPRT sent %d times, want once (then PORT only)", eprts)
			}
			for _, name := range tc.wantSteps {
				if _, ok := trace.Find(steps, "control", name); !ok {
					t.Errorf("no %s step%s", name, stepDump(steps))
				}
			}
			if _, err := sess.List("/"); tc.wantErr == (err == nil) {
				t.Errorf("list after: %v", err)
			}
		})
	}
}
