//go:build linux

package dirsync

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ftpserver "goftp.io/server/v2"

	"lockbox/client"
)

// hostileDriver lists, beside the real files, names a server should never
// send: they must not lead a download outside the local folder.
type hostileDriver struct {
	ftpserver.Driver
}

type namedInfo struct {
	os.FileInfo
	name string
}

func (i namedInfo) Name() string { return i.name }

var hostileNames = []string{"../escape.txt", "..", "/etc/lockbox-evil", "a/../../b.txt", "dot\x00nul"}

func (d hostileDriver) ListDir(c *ftpserver.Context, p string, f func(os.FileInfo) error) error {
	var first os.FileInfo
	err := d.Driver.ListDir(c, p, func(fi os.FileInfo) error {
		if first == nil && !fi.IsDir() {
			first = fi
		}
		return f(fi)
	})
	if err != nil || first == nil {
		return err
	}
	for _, n := range hostileNames {
		if err := f(namedInfo{first, n}); err != nil {
			return err
		}
	}
	return nil
}

func TestHostileRemoteNamesStayInside(t *testing.T) {
	remoteRoot := t.TempDir()
	write(t, filepath.Join(remoteRoot, "ok.txt"), "fine", time.Now().Add(-time.Hour))
	tg := startServer(t, remoteRoot, func(d ftpserver.Driver) ftpserver.Driver { return hostileDriver{d} }, false)
	parent := t.TempDir()
	s := newSyncer(t, server{name: "hostile", root: remoteRoot, tg: tg, opts: client.Options{AllowPlaintext: true}}, Down)
	s.local = filepath.Join(parent, "inside")
	s.cfg.LocalDir = s.local
	os.MkdirAll(s.local, 0o755)
	scan, err := CompareTrees(bg, s.pool, s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(scan.Remote.Refused) < len(hostileNames)-1 { // ".." is skipped like "."
		t.Errorf("refused %v, want every hostile name", scan.Remote.Refused)
	}
	plan, _ := s.run()
	wantOps(t, "plan", plan, "download ok.txt")
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("written beside the local folder: %v", entries)
	}
	filepath.WalkDir(parent, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(p, "escape") || strings.Contains(p, "evil") {
			t.Errorf("a hostile name reached the disk: %s", p)
		}
		return nil
	})
	if _, err := os.Stat("/etc/lockbox-evil"); err == nil {
		t.Error("/etc/lockbox-evil was written")
	}
}
