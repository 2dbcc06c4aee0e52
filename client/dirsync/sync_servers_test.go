//go:build linux

package dirsync

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"lockbox/client"
	"lockbox/client/certgen"
	"lockbox/client/internal/enginetest"
	"lockbox/client/servertest"
	"lockbox/client/transfer"
)

var bg = context.Background()

// server is a real FTP server under test and how to reach it.
type server struct {
	name string
	root string
	tg   client.Target
	opts client.Options
}

type serverKind struct {
	name  string
	start func(t *testing.T, files map[string][]byte) server
}

var serverKinds = []serverKind{
	{"vsftpd", func(t *testing.T, files map[string][]byte) server {
		p := enginetest.NewPKI(t)
		srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}, Files: files,
			Extra: map[string]string{"mdtm_write": "YES"}})
		return server{"vsftpd", srv.Root, target(t, srv.FTPServer), client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true,
			Pins: enginetest.PinStore(t), MDTMWrite: true}}
	}},
	{"proftpd", func(t *testing.T, files map[string][]byte) server {
		p := enginetest.NewPKI(t)
		srv := servertest.StartProFTPD(t, servertest.ProFTPDConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}, Files: files})
		return server{"proftpd", srv.Root, target(t, srv.FTPServer), client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true,
			Pins: enginetest.PinStore(t)}}
	}},
}

func target(t *testing.T, s servertest.FTPServer) client.Target {
	t.Helper()
	tg, err := client.ParseURL("ftpes://" + s.User + "@" + s.Addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	tg.Password, tg.HasPassword = s.Password, true
	return tg
}

// syncer runs synchronisations of one local folder with one server folder.
type syncer struct {
	t     *testing.T
	pool  *client.Pool
	cfg   Config
	local string
	srv   server
}

func newSyncer(t *testing.T, srv server, dir Direction) *syncer {
	t.Helper()
	pool, _, err := client.OpenPool(bg, srv.tg, srv.opts, client.PoolOptions{Size: 3})
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(func() { pool.Close() })
	local := t.TempDir()
	return &syncer{t: t, pool: pool, local: local, srv: srv, cfg: Config{LocalDir: local, RemoteDir: "/", Plan: PlanOptions{Direction: dir},
		State: OpenState(t.TempDir()), Key: "test"}}
}

// run compares and carries out the whole plan; it returns the plan.
func (s *syncer) run() ([]Action, *Result) {
	s.t.Helper()
	scan, err := CompareTrees(bg, s.pool, s.cfg)
	if err != nil {
		s.t.Fatalf("compare: %v", err)
	}
	plan := Plan(scan.Comparison, s.cfg.Plan)
	return plan, s.execute(scan, plan)
}

// execute carries out plan.
func (s *syncer) execute(scan *Scan, plan []Action) *Result {
	s.t.Helper()
	q, err := transfer.NewQueue(s.pool, transfer.QueueOptions{})
	if err != nil {
		s.t.Fatal(err)
	}
	q.Start(bg)
	defer q.Close()
	res, err := Execute(bg, s.pool, q, s.cfg, scan, plan)
	if err != nil {
		s.t.Fatalf("execute: %v", err)
	}
	for _, o := range res.Outcomes {
		if o.Error != "" {
			s.t.Errorf("%s %s: %s", o.Op, o.Path, o.Error)
		}
	}
	return res
}

func ops(plan []Action) []string {
	var out []string
	for _, a := range plan {
		out = append(out, string(a.Op)+" "+a.Path)
	}
	sort.Strings(out)
	return out
}

func write(t *testing.T, p string, data string, mtime time.Time) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantOps(t *testing.T, what string, plan []Action, want ...string) {
	t.Helper()
	sort.Strings(want)
	if got := ops(plan); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("%s: plan\n got %q\nwant %q", what, got, want)
	}
}

func TestSyncAgainstServers(t *testing.T) {
	old := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	for _, k := range serverKinds {
		t.Run(k.name+"/up, again, delete", func(t *testing.T) {
			srv := k.start(t, map[string][]byte{"stale.txt": []byte("stale")})
			s := newSyncer(t, srv, Up)
			write(t, filepath.Join(s.local, "a.txt"), "alpha", old)
			write(t, filepath.Join(s.local, "sub/b.txt"), "bravo", old)
			write(t, filepath.Join(s.local, "skip.log"), "log", old)
			s.cfg.Filter = Filter{Exclude: []string{"*.log"}}
			plan, _ := s.run()
			wantOps(t, "first", plan, "upload a.txt", "mkdir-remote sub", "upload sub/b.txt")
			if got := read(t, filepath.Join(srv.root, "sub/b.txt")); got != "bravo" {
				t.Errorf("server has %q", got)
			}
			if _, err := os.Stat(filepath.Join(srv.root, "skip.log")); err == nil {
				t.Error("an excluded file was uploaded")
			}
			if st, err := os.Stat(filepath.Join(srv.root, "a.txt")); err != nil || !st.ModTime().Equal(old) {
				t.Errorf("the server's time was not set: %v %v, want %v", st.ModTime(), err, old)
			}
			plan, _ = s.run()
			wantOps(t, "second run", plan)
			s.cfg.Plan.Delete = true
			plan, _ = s.run()
			wantOps(t, "with delete", plan, "delete-remote stale.txt")
			if _, err := os.Stat(filepath.Join(srv.root, "stale.txt")); err == nil {
				t.Error("stale.txt is still on the server")
			}
		})
		t.Run(k.name+"/down, again, resume", func(t *testing.T) {
			big := enginetest.RandomBytes(300<<10, 7)
			srv := k.start(t, map[string][]byte{"d/big.bin": big, "c.txt": []byte("charlie")})
			s := newSyncer(t, srv, Down)
			// An interrupted run left the first 100 kB.
			write(t, filepath.Join(s.local, "d/big.bin"+transfer.PartSuffix), string(big[:100<<10]), old)
			plan, res := s.run()
			wantOps(t, "first", plan, "download d/big.bin", "download c.txt")
			if got := read(t, filepath.Join(s.local, "d/big.bin")); got != string(big) {
				t.Error("the resumed download differs")
			}
			if res.Bytes >= int64(len(big)) {
				t.Errorf("moved %d bytes: the part file was not resumed", res.Bytes)
			}
			plan, _ = s.run()
			wantOps(t, "second run", plan)
		})
		t.Run(k.name+"/both, conflict", func(t *testing.T) {
			srv := k.start(t, map[string][]byte{"r.txt": []byte("remote"), "both.txt": []byte("v1")})
			s := newSyncer(t, srv, Both)
			write(t, filepath.Join(s.local, "l.txt"), "local", old)
			plan, _ := s.run()
			wantOps(t, "first", plan, "upload l.txt", "download r.txt", "download both.txt")
			plan, _ = s.run()
			wantOps(t, "second run", plan)
			// Changed on both sides since.
			write(t, filepath.Join(s.local, "both.txt"), "local v2", time.Now().Add(-time.Hour))
			write(t, filepath.Join(srv.root, "both.txt"), "server v2!", time.Now().Add(-30*time.Minute))
			plan, res := s.run()
			wantOps(t, "conflict", plan, "conflict both.txt")
			if res.Conflicts != 1 || read(t, filepath.Join(s.local, "both.txt")) != "local v2" || read(t, filepath.Join(srv.root, "both.txt")) != "server v2!" {
				t.Errorf("conflict not left alone: %+v", res)
			}
			plan, _ = s.run()
			wantOps(t, "conflict stays", plan, "conflict both.txt")
		})
	}
}

func TestWatchUploadsChanges(t *testing.T) {
	srv := serverKinds[1].start(t, nil) // ProFTPD: MLSD and MFMT
	s := newSyncer(t, srv, Up)
	s.cfg.Plan.Delete = true
	write(t, filepath.Join(s.local, "dir/old.txt"), "old", time.Now().Add(-time.Hour))
	q, err := transfer.NewQueue(s.pool, transfer.QueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	q.Start(bg)
	defer q.Close()
	ctx, cancel := context.WithCancel(bg)
	passes := make(chan *Result, 100)
	done := make(chan error, 1)
	go func() {
		done <- Watch(ctx, s.pool, q, s.cfg, WatchOptions{Quiet: 200 * time.Millisecond, Ran: func(r *Result, err error) {
			if err != nil {
				t.Errorf("pass: %v", err)
			}
			passes <- r
		}})
	}()
	exists := func(p string) bool { _, err := os.Stat(filepath.Join(srv.root, p)); return err == nil }
	// waitFor waits, pass after pass, until the server's folder is as cond
	// wants (bounded: the watcher's passes come within a second of a change).
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for !cond() {
			select {
			case <-passes:
			case <-deadline:
				t.Fatalf("the server never got to: %s", what)
			}
		}
	}
	waitFor("the initial upload", func() bool { return exists("dir/old.txt") })
	steps := []struct {
		what   string
		change func()
		cond   func() bool
	}{
		{"a new file", func() { write(t, filepath.Join(s.local, "new.txt"), "new", time.Now()) },
			func() bool { return exists("new.txt") }},
		{"a changed file", func() { write(t, filepath.Join(s.local, "new.txt"), "changed!", time.Now().Add(time.Minute)) },
			func() bool { b, _ := os.ReadFile(filepath.Join(srv.root, "new.txt")); return string(b) == "changed!" }},
		{"a new folder with a file", func() { write(t, filepath.Join(s.local, "made/in.txt"), "in", time.Now()) },
			func() bool { return exists("made/in.txt") }},
		{"a renamed file", func() { os.Rename(filepath.Join(s.local, "new.txt"), filepath.Join(s.local, "renamed.txt")) },
			func() bool { return exists("renamed.txt") && !exists("new.txt") }},
		{"a deleted folder", func() { os.RemoveAll(filepath.Join(s.local, "dir")) },
			func() bool { return !exists("dir") }},
	}
	for _, st := range steps {
		st.change()
		waitFor(st.what, st.cond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("watch ended with %v", err)
	}
}

func TestCompareChecksums(t *testing.T) {
	at := time.Now().Add(-5 * time.Hour).Truncate(time.Second)
	p := enginetest.NewPKI(t)
	srv := servertest.StartProFTPD(t, servertest.ProFTPDConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}, Digest: true,
		Files: map[string][]byte{"same.txt": []byte("identical"), "changed.txt": []byte("server v1"), "touched.txt": []byte("content")}})
	s := newSyncer(t, server{"proftpd", srv.Root, target(t, srv.FTPServer), client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true,
		Pins: enginetest.PinStore(t)}}, Up)
	for name, body := range map[string]string{"same.txt": "identical", "changed.txt": "local! v1", "touched.txt": "content"} {
		write(t, filepath.Join(s.local, name), body, at)
		os.Chtimes(filepath.Join(srv.Root, name), at, at)
	}
	// Same content, another time: by times it differs, by content not.
	later := at.Add(time.Hour)
	os.Chtimes(filepath.Join(srv.Root, "touched.txt"), later, later)
	scan, err := CompareTrees(bg, s.pool, s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	status := func() map[string]Status {
		m := map[string]Status{}
		for _, it := range scan.Comparison.Items {
			m[it.Path] = it.Status
		}
		return m
	}
	if got := status(); got["changed.txt"] != Same || got["touched.txt"] != NewerRemote {
		t.Fatalf("by size and time: %v", got)
	}
	n, err := CompareChecksums(bg, s.pool, s.cfg, scan, 0)
	if err != nil || n != 3 {
		t.Fatalf("hashed %d: %v", n, err)
	}
	want := map[string]Status{"same.txt": Same, "changed.txt": DifferentSize, "touched.txt": Same}
	if got := status(); !reflect.DeepEqual(got, want) {
		t.Errorf("by checksum: %v, want %v", got, want)
	}
	if scan.Comparison.Counts[Same] != 2 || scan.Comparison.Counts[DifferentSize] != 1 {
		t.Errorf("counts %v", scan.Comparison.Counts)
	}
}
