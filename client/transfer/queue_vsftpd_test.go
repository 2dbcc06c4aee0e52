//go:build linux

package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lockbox/client"
	"lockbox/client/certgen"
	"lockbox/client/internal/enginetest"
	"lockbox/client/servertest"
	"lockbox/client/trace"
)

// startTransferVsftpd runs vsftpd with a CA-issued certificate and files.
func startTransferVsftpd(t *testing.T, files map[string][]byte) (*servertest.Vsftpd, client.Options) {
	t.Helper()
	p := enginetest.NewPKI(t)
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}, Files: files})
	return srv, client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true, Pins: enginetest.PinStore(t)}
}

func vsftpdTarget(t *testing.T, srv *servertest.Vsftpd, p string) client.Target {
	t.Helper()
	tg := mustTarget(t, "ftpes://"+srv.User+"@"+srv.Addr+p)
	tg.Password, tg.HasPassword = srv.Password, true
	return tg
}

func isDirAt(p string) bool { st, err := os.Stat(p); return err == nil && st.IsDir() }
func exists(p string) bool  { _, err := os.Lstat(p); return err == nil }

// cutter wraps data connections: once armed, after budget bytes have been
// read it calls fire (once), for the test to cut the connection or cancel.
type cutter struct {
	mu     sync.Mutex
	armed  bool
	budget int64
	fire   func(c net.Conn)
	fired  atomic.Bool
}

func (c *cutter) wrap(raw net.Conn) net.Conn { return &cutConn{Conn: raw, c: c} }

type cutConn struct {
	net.Conn
	c *cutter
}

func (cc *cutConn) Read(p []byte) (int, error) {
	n, err := cc.Conn.Read(p)
	c := cc.c
	c.mu.Lock()
	fire := false
	if c.armed && n > 0 {
		c.budget -= int64(n)
		if c.budget <= 0 {
			c.armed, fire = false, true
		}
	}
	c.mu.Unlock()
	if fire {
		c.fired.Store(true)
		c.fire(cc.Conn)
	}
	return n, err
}

func TestVsftpdInterruptedDownloadResumes(t *testing.T) {
	const size = 3 << 20
	data := enginetest.RandomBytes(size, 7)
	srv, opts := startTransferVsftpd(t, map[string][]byte{"big.bin": data})
	var log enginetest.StepLog
	opts.Observer = &log
	cut := &cutter{armed: true, budget: size / 2, fire: func(c net.Conn) { c.Close() }}
	pool := openTestPool(t, vsftpdTarget(t, srv, "/"), opts, client.PoolOptions{Size: 1}, func(s *client.Session) { wrapData(s, cut.wrap) })
	dir := t.TempDir()
	q := newTestQueue(t, pool, QueueOptions{LocalRoot: dir})

	job := q.Add(JobSpec{Kind: KindDownload, Remote: "/big.bin", Local: "big.bin"})
	q.Wait(bg)
	p := job.Progress()
	if p.State != StateFailed || !cut.fired.Load() {
		t.Fatalf("cut download: state %s, err %v", p.State, p.Err)
	}
	var se *client.StepError
	if !errors.As(p.Err, &se) || se.Step != "retr" {
		t.Errorf("error does not name the step: %v", p.Err)
	}
	if exists(filepath.Join(dir, "big.bin")) {
		t.Fatal("an incomplete download has the final name")
	}
	part, err := os.Stat(filepath.Join(dir, "big.bin"+PartSuffix))
	if err != nil || part.Size() == 0 || part.Size() >= size {
		t.Fatalf("part file: %v, %v", part, err)
	}

	if !q.Retry(job.ID()) {
		t.Fatal("retry refused")
	}
	q.Wait(bg)
	if p := job.Progress(); p.State != StateDone || p.Moved != size-part.Size() {
		t.Fatalf("resumed: state %s, moved %d (part was %d), err %v", p.State, p.Moved, part.Size(), p.Err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "big.bin"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("resumed file differs from the server's (%v)", err)
	}
	if exists(filepath.Join(dir, "big.bin"+PartSuffix)) {
		t.Error("part file left behind")
	}
	rest := false
	for _, st := range log.Steps() {
		if st.Name == "rest" && st.Dir == trace.Send && st.Summary == fmt.Sprintf("REST %d", part.Size()) {
			rest = true
		}
	}
	if !rest {
		t.Errorf("no REST %d in the trace", part.Size())
	}
}

func TestVsftpdCancelLeavesNoFinalFile(t *testing.T) {
	const size = 2 << 20
	data := enginetest.RandomBytes(size, 9)
	srv, opts := startTransferVsftpd(t, map[string][]byte{"a.bin": data, "b.bin": data, "c.bin": data, "d.bin": data})
	var q *Queue
	cut := &cutter{armed: true, budget: size / 3}
	pool := openTestPool(t, vsftpdTarget(t, srv, "/"), opts, client.PoolOptions{Size: 1}, func(s *client.Session) { wrapData(s, cut.wrap) })
	dir := t.TempDir()
	q = newTestQueue(t, pool, QueueOptions{LocalRoot: dir})
	cut.fire = func(net.Conn) { q.Cancel(1) } // the first job's ID
	first := q.Add(JobSpec{Kind: KindDownload, Remote: "/a.bin", Local: "a.bin"})
	q.Wait(bg)
	if p := first.Progress(); p.State != StateCancelled || !errors.Is(p.Err, context.Canceled) {
		t.Fatalf("state %s, err %v", p.State, p.Err)
	}
	if exists(filepath.Join(dir, "a.bin")) {
		t.Fatal("a cancelled download has the final name")
	}

	// Cancel everything while the first of three runs.
	cut.mu.Lock()
	cut.armed, cut.budget = true, size/3
	cut.mu.Unlock()
	cut.fire = func(net.Conn) { q.CancelAll() }
	var jobs []*Job
	for _, name := range []string{"b.bin", "c.bin", "d.bin"} {
		jobs = append(jobs, q.Add(JobSpec{Kind: KindDownload, Remote: "/" + name, Local: name}))
	}
	q.Wait(bg)
	for _, j := range jobs {
		if p := j.Progress(); p.State != StateCancelled {
			t.Errorf("%s: state %s: %v", p.Remote, p.State, p.Err)
		}
	}
	for _, name := range []string{"a.bin", "b.bin", "c.bin", "d.bin"} {
		if exists(filepath.Join(dir, name)) {
			t.Errorf("%s exists after cancel", name)
		}
	}
	if s := q.Summary(); len(s.Failed) != 4 || s.Files != 0 {
		t.Errorf("summary %+v", s)
	}
	// Retried, they resume or start; the pool replaced the sessions the
	// cancels cut off.
	for _, j := range append(jobs, first) {
		q.Retry(j.ID())
	}
	q.Wait(bg)
	for _, name := range []string{"a.bin", "b.bin", "c.bin", "d.bin"} {
		if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("after retry: %s: %v", name, err)
		}
	}
}

// makeTree writes about 50 files of varied sizes (0 bytes to 1 MiB) in
// nested folders, and an empty folder; it returns them by relative path.
func makeTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	sizes := []int{0, 1, 17, 1000, 4096, 65536, 100_003, 1 << 20}
	dirs := []string{"", "a/", "a/b/", "a/b/c/", "d e/"}
	files := map[string][]byte{}
	for i := 0; i < 50; i++ {
		rel := fmt.Sprintf("%sf%02d.bin", dirs[i%len(dirs)], i)
		size := sizes[i%len(sizes)]
		if i%8 == 7 && i > 20 {
			size = 0
		}
		files[rel] = enginetest.RandomBytes(size, uint64(i))
	}
	for rel, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	return files
}

func TestVsftpdTreeRoundTrip(t *testing.T) {
	srv, opts := startTransferVsftpd(t, nil)
	src := t.TempDir()
	want := makeTree(t, src)
	_, wantDirs := readTree(t, src)
	pool := openTestPool(t, vsftpdTarget(t, srv, "/"), opts, client.PoolOptions{Size: 3}, nil)

	// Each queue's observer: calls are never concurrent, and a running
	// job's bytes never go back.
	observer := func() func(Progress) {
		var busy atomic.Bool
		maxDone := map[int]int64{}
		return func(p Progress) {
			if !busy.CompareAndSwap(false, true) {
				t.Error("observer called concurrently")
			}
			defer busy.Store(false)
			if p.State == StateRunning && p.Done < maxDone[p.ID] {
				t.Errorf("job %d went back from %d to %d bytes", p.ID, maxDone[p.ID], p.Done)
			}
			maxDone[p.ID] = p.Done
		}
	}
	up := newTestQueue(t, pool, QueueOptions{Observer: observer()})
	if err := up.UploadTree(bg, src, "/up"); err != nil {
		t.Fatal(err)
	}
	up.Wait(bg)
	if s := up.Summary(); s.Files != len(want) || len(s.Failed) != 0 {
		t.Fatalf("upload summary %+v", s)
	}
	onServer, serverDirs := readTree(t, filepath.Join(srv.Root, "up"))
	sameTree(t, "server", want, onServer)
	if strings.Join(serverDirs, ",") != strings.Join(wantDirs, ",") {
		t.Errorf("server folders %v, want %v", serverDirs, wantDirs)
	}

	dst := t.TempDir()
	down := newTestQueue(t, pool, QueueOptions{LocalRoot: dst, Observer: observer()})
	tree, err := down.DownloadTree(bg, "/up", "copy")
	if err != nil || len(tree.Refused) != 0 {
		t.Fatalf("list: %v, refused %v", err, tree.Refused)
	}
	down.Wait(bg)
	if s := down.Summary(); s.Files != len(want) || len(s.Failed) != 0 {
		t.Fatalf("download summary %+v", s)
	}
	got, gotDirs := readTree(t, filepath.Join(dst, "copy"))
	sameTree(t, "downloaded", want, got)
	if strings.Join(gotDirs, ",") != strings.Join(wantDirs, ",") {
		t.Errorf("downloaded folders %v, want %v", gotDirs, wantDirs)
	}
	// vsftpd's MDTM times were kept.
	for rel := range want {
		a, _ := os.Stat(filepath.Join(srv.Root, "up", filepath.FromSlash(rel)))
		b, _ := os.Stat(filepath.Join(dst, "copy", filepath.FromSlash(rel)))
		if !a.ModTime().Truncate(time.Second).Equal(b.ModTime()) {
			t.Errorf("%s: time %v, server %v", rel, b.ModTime(), a.ModTime())
			break
		}
	}

	// Again with the default policy: everything is already there.
	again := newTestQueue(t, pool, QueueOptions{LocalRoot: dst})
	if _, err := again.DownloadTree(bg, "/up", "copy"); err != nil {
		t.Fatal(err)
	}
	again.Wait(bg)
	if s := again.Summary(); s.Skipped != len(want) || s.Files != 0 || s.Bytes != 0 {
		t.Errorf("second download: %+v", s)
	}
}
