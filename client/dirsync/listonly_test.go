//go:build linux

package dirsync

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	ftpserver "goftp.io/server/v2"
	"goftp.io/server/v2/driver/file"

	"lockbox/client"
)

// skewedDriver is a server whose clock is skew ahead: every time it
// lists or reports is shifted.
type skewedDriver struct {
	ftpserver.Driver
	skew time.Duration
}

type skewedInfo struct {
	os.FileInfo
	skew time.Duration
}

func (i skewedInfo) ModTime() time.Time { return i.FileInfo.ModTime().Add(i.skew) }

func (d skewedDriver) Stat(c *ftpserver.Context, p string) (os.FileInfo, error) {
	fi, err := d.Driver.Stat(c, p)
	if err != nil {
		return nil, err
	}
	return skewedInfo{fi, d.skew}, nil
}

func (d skewedDriver) ListDir(c *ftpserver.Context, p string, f func(os.FileInfo) error) error {
	return d.Driver.ListDir(c, p, func(fi os.FileInfo) error { return f(skewedInfo{fi, d.skew}) })
}

// startListOnly runs an in-process plain FTP server on loopback that
// offers LIST only (no MLSD, MLST, MDTM or MFMT) with a skewed clock.
func startListOnly(t *testing.T, root string, skew time.Duration) client.Target {
	return startServer(t, root, func(d ftpserver.Driver) ftpserver.Driver { return skewedDriver{d, skew} }, true)
}

// startServer runs an in-process plain FTP server (goftp.io/server) on
// loopback over root, its driver wrapped by wrap; listOnly takes MLSD,
// MLST, MDTM and MFMT away.
func startServer(t *testing.T, root string, wrap func(ftpserver.Driver) ftpserver.Driver, listOnly bool) client.Target {
	t.Helper()
	drv, err := file.NewDriver(root)
	if err != nil {
		t.Fatal(err)
	}
	cmds := map[string]ftpserver.Command{}
	for k, v := range ftpserver.DefaultCommands() {
		switch k {
		case "MLSD", "MLST", "MDTM", "MFMT":
			if listOnly {
				continue
			}
		}
		cmds[k] = v
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	srv, err := ftpserver.NewServer(&ftpserver.Options{Driver: wrap(drv), Commands: cmds,
		Auth: &ftpserver.SimpleAuth{Name: "u", Password: "p"}, Perm: ftpserver.NewSimplePerm("u", "u"),
		Hostname: "127.0.0.1", PublicIP: "127.0.0.1", Port: port, Logger: &ftpserver.DiscardLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown() })
	tg, err := client.ParseURL("ftp://u@127.0.0.1:" + strconv.Itoa(port) + "/")
	if err != nil {
		t.Fatal(err)
	}
	tg.Password, tg.HasPassword = "p", true
	return tg
}

func TestListOnlySkewedClock(t *testing.T) {
	const skew = 3*time.Hour + 7*time.Minute
	remoteRoot := t.TempDir()
	when := time.Now().Add(-50 * time.Hour).Truncate(time.Minute)
	srvLocal := server{name: "list-only", root: remoteRoot, tg: startListOnly(t, remoteRoot, skew), opts: client.Options{AllowPlaintext: true}}
	s := newSyncer(t, srvLocal, Up)
	for _, name := range []string{"same.txt", "changed.txt"} {
		write(t, filepath.Join(remoteRoot, name), "v1", when)
		write(t, filepath.Join(s.local, name), "v1", when)
	}
	write(t, filepath.Join(s.local, "changed.txt"), "v2 longer", when.Add(time.Hour))

	scan, err := CompareTrees(bg, s.pool, s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := scan.Remote.Clock; c.Source != TimesLIST || !c.Measured || c.Offset != skew {
		t.Fatalf("clock %+v (%s), want LIST with %s measured", c, c, skew)
	}
	plan, _ := s.run()
	wantOps(t, "first", plan, "upload changed.txt")
	if got := read(t, filepath.Join(remoteRoot, "changed.txt")); got != "v2 longer" {
		t.Errorf("server has %q", got)
	}
	plan, _ = s.run()
	wantOps(t, "second run", plan)
	rec, err := s.cfg.State.Get(s.cfg.Key)
	if err != nil || rec == nil || rec.Clock.Offset != skew {
		t.Errorf("the offset was not kept: %+v %v", rec, err)
	}
	entries, _ := os.ReadDir(remoteRoot)
	for _, e := range entries {
		if e.Name() != "same.txt" && e.Name() != "changed.txt" {
			t.Errorf("left on the server: %s", e.Name())
		}
	}
}
