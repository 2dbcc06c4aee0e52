package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lockbox/client/internal/certgen"
	"lockbox/client/internal/servertest"
	"lockbox/client/trace"
)

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 1}))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// startTransferVsftpd runs vsftpd with a CA-issued certificate and files.
func startTransferVsftpd(t *testing.T, files map[string][]byte) (*servertest.Vsftpd, Options) {
	t.Helper()
	p := newPKI(t)
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: p.leaf, ServerChain: []*certgen.Cert{p.inter}, Files: files})
	return srv, Options{ExtraRoots: rootsOf(p.root), NoSystemRoots: true, Pins: pinStore(t)}
}

func vsftpdTarget(t *testing.T, srv *servertest.Vsftpd, p string) Target {
	t.Helper()
	tg := mustTarget(t, "ftpes://"+srv.User+"@"+srv.Addr+p)
	tg.Password, tg.HasPassword = srv.Password, true
	return tg
}

func openTestPool(t *testing.T, tg Target, opts Options, po PoolOptions, connected func(*Session)) *Pool {
	t.Helper()
	p, _, err := openPoolWithHook(bg, tg, opts, po, connected)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// openPoolWithHook is OpenPool with a hook that sees every session, the
// first included.
func openPoolWithHook(ctx context.Context, tg Target, opts Options, po PoolOptions, connected func(*Session)) (*Pool, *Report, error) {
	p, report, err := OpenPool(ctx, tg, opts, po)
	if err != nil || connected == nil {
		return p, report, err
	}
	p.mu.Lock()
	p.connected = connected
	for _, pc := range p.idle {
		connected(pc.s)
	}
	p.mu.Unlock()
	return p, report, nil
}

func newTestQueue(t *testing.T, p *Pool, opts QueueOptions) *Queue {
	t.Helper()
	q, err := NewQueue(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	q.Start(bg)
	t.Cleanup(func() { q.Close() })
	return q
}

func TestVsftpdSessionOperations(t *testing.T) {
	srv, opts := startTransferVsftpd(t, map[string][]byte{"keep.txt": []byte("keep\n")})
	sess, _ := vsftpdLogin(t, srv, "ftpes", opts)
	if !sess.CanRestartUpload() {
		t.Errorf("vsftpd announces REST STREAM; features = %v", sess.Features())
	}
	buf := make([]byte, MinBufferSize)
	for _, size := range []int{0, 1, 16<<10 + 5, 1 << 20} {
		t.Run(fmt.Sprintf("%d bytes", size), func(t *testing.T) {
			data := randomBytes(size, uint64(size))
			name := fmt.Sprintf("/f%d.bin", size)
			var up int64
			n, err := sess.Upload(bg, name, bytes.NewReader(data), 0, buf, func(k int64) { up += k })
			if err != nil || n != int64(size) || up != int64(size) {
				t.Fatalf("upload: n=%d progress=%d err=%v", n, up, err)
			}
			if got, err := sess.FileSize(bg, name); err != nil || got != int64(size) {
				t.Fatalf("size = %d, %v", got, err)
			}
			if mt, err := sess.ModTime(bg, name); err != nil || time.Since(mt) > time.Hour || mt.After(time.Now().Add(time.Hour)) {
				t.Errorf("mdtm = %v, %v", mt, err)
			}
			var out bytes.Buffer
			n, err = sess.Download(bg, name, 0, &out, buf, nil)
			if err != nil || n != int64(size) || !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("download: n=%d err=%v equal=%v", n, err, bytes.Equal(out.Bytes(), data))
			}
			if size > 10 {
				out.Reset()
				if _, err := sess.Download(bg, name, 10, &out, buf, nil); err != nil || !bytes.Equal(out.Bytes(), data[10:]) {
					t.Fatalf("download from 10: %v", err)
				}
				// Resume an upload: send the rest after the first 10 bytes.
				if err := sess.Delete(bg, name); err != nil {
					t.Fatal(err)
				}
				if _, err := sess.Upload(bg, name, bytes.NewReader(data[:10]), 0, buf, nil); err != nil {
					t.Fatal(err)
				}
				if _, err := sess.Upload(bg, name, bytes.NewReader(data[10:]), 10, buf, nil); err != nil {
					t.Fatalf("resumed upload: %v", err)
				}
				onDisk, err := os.ReadFile(filepath.Join(srv.Root, name))
				if err != nil || !bytes.Equal(onDisk, data) {
					t.Fatalf("resumed upload differs (%v)", err)
				}
			}
		})
	}
	if sess.Broken() {
		t.Fatal("session broken after transfers")
	}
	// The empty upload's data connection did its (resumed) handshake.
	for _, st := range sess.Report().Steps {
		if strings.HasPrefix(st.Conn, "data") && st.Failed {
			t.Errorf("failed data step: %+v", st)
		}
	}

	steps := []struct {
		name string
		do   func() error
		want func() bool
	}{
		{"mkdir", func() error { return sess.MakeDir(bg, "/made") }, func() bool { return isDirAt(filepath.Join(srv.Root, "made")) }},
		{"rename", func() error { return sess.Rename(bg, "/made", "/moved") }, func() bool { return isDirAt(filepath.Join(srv.Root, "moved")) }},
		{"rmdir", func() error { return sess.RemoveDir(bg, "/moved") }, func() bool { return !exists(filepath.Join(srv.Root, "moved")) }},
		{"delete", func() error { return sess.Delete(bg, "/keep.txt") }, func() bool { return !exists(filepath.Join(srv.Root, "keep.txt")) }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil || !st.want() {
			t.Errorf("%s: %v", st.name, err)
		}
	}
	err := sess.Delete(bg, "/no-such-file")
	var se *StepError
	if !errors.As(err, &se) || se.Step != "dele" || !strings.HasPrefix(se.Reply, "550") || sess.Broken() {
		t.Errorf("delete of a missing file: %v (broken %v)", err, sess.Broken())
	}
	if err := sess.SetModTime(bg, "/f1.bin", time.Now()); !errors.Is(err, ErrUnsupported) {
		t.Errorf("vsftpd has no MFMT, got %v", err)
	}
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
	data := randomBytes(size, 7)
	srv, opts := startTransferVsftpd(t, map[string][]byte{"big.bin": data})
	var log stepLog
	opts.Observer = &log
	cut := &cutter{armed: true, budget: size / 2, fire: func(c net.Conn) { c.Close() }}
	pool := openTestPool(t, vsftpdTarget(t, srv, "/"), opts, PoolOptions{Size: 1}, func(s *Session) { s.ctl.data.setWrap(cut.wrap) })
	dir := t.TempDir()
	q := newTestQueue(t, pool, QueueOptions{LocalRoot: dir})

	job := q.Add(JobSpec{Kind: KindDownload, Remote: "/big.bin", Local: "big.bin"})
	q.Wait(bg)
	p := job.Progress()
	if p.State != StateFailed || !cut.fired.Load() {
		t.Fatalf("cut download: state %s, err %v", p.State, p.Err)
	}
	var se *StepError
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
	for _, st := range log.steps {
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
	data := randomBytes(size, 9)
	srv, opts := startTransferVsftpd(t, map[string][]byte{"a.bin": data, "b.bin": data, "c.bin": data, "d.bin": data})
	var q *Queue
	cut := &cutter{armed: true, budget: size / 3}
	pool := openTestPool(t, vsftpdTarget(t, srv, "/"), opts, PoolOptions{Size: 1}, func(s *Session) { s.ctl.data.setWrap(cut.wrap) })
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
		files[rel] = randomBytes(size, uint64(i))
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

// readTree reads every file under dir and lists its folders.
func readTree(t *testing.T, dir string) (map[string][]byte, []string) {
	t.Helper()
	files := map[string][]byte{}
	var dirs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." {
				dirs = append(dirs, rel)
			}
			return nil
		}
		b, err := os.ReadFile(p)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, dirs
}

func sameTree(t *testing.T, what string, want map[string][]byte, got map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files, want %d", what, len(got), len(want))
	}
	for rel, b := range want {
		if g, ok := got[rel]; !ok || !bytes.Equal(g, b) {
			t.Errorf("%s: %s differs or is missing (%d bytes, want %d)", what, rel, len(g), len(b))
		}
	}
}

func TestVsftpdTreeRoundTrip(t *testing.T) {
	srv, opts := startTransferVsftpd(t, nil)
	src := t.TempDir()
	want := makeTree(t, src)
	_, wantDirs := readTree(t, src)
	pool := openTestPool(t, vsftpdTarget(t, srv, "/"), opts, PoolOptions{Size: 3}, nil)

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

// A transfer longer than the timeout still completes: the control
// connection's deadline covers commands only, and each data read has its own.
func TestVsftpdSlowTransferOutlastsTimeout(t *testing.T) {
	data := randomBytes(256<<10, 3)
	srv, opts := startTransferVsftpd(t, map[string][]byte{"slow.bin": data})
	sess, _ := vsftpdLogin(t, srv, "ftpes", opts)
	const timeout = 400 * time.Millisecond
	sess.ctl.opts.Timeout = timeout
	var out slowWriter
	out.delay, out.n = timeout/3, 6
	if _, err := sess.Download(bg, "/slow.bin", 0, &out, make([]byte, MinBufferSize), nil); err != nil || !bytes.Equal(out.buf.Bytes(), data) {
		t.Fatalf("slow download: %v", err)
	}
	if _, err := sess.Upload(bg, "/slow-up.bin", &slowReader{r: bytes.NewReader(data), delay: timeout / 3, n: 6}, 0, nil, nil); err != nil {
		t.Fatalf("slow upload: %v", err)
	}
}

// slowWriter is a slow disk.
type slowWriter struct {
	buf   bytes.Buffer
	delay time.Duration
	n     int
}

func (s *slowWriter) Write(p []byte) (int, error) {
	if s.n > 0 {
		s.n--
		time.Sleep(s.delay) // simulated latency, not synchronisation
	}
	return s.buf.Write(p)
}

// slowReader is a slow disk.
type slowReader struct {
	r     *bytes.Reader
	delay time.Duration
	n     int
}

func (s *slowReader) Read(p []byte) (int, error) {
	if s.n > 0 {
		s.n--
		time.Sleep(s.delay) // simulated latency, not synchronisation
	}
	if len(p) > 32<<10 {
		p = p[:32<<10]
	}
	return s.r.Read(p)
}
