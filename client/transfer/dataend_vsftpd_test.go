//go:build linux

package transfer

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"lockbox/client"
	"lockbox/client/internal/enginetest"
)

// mountTmpfs mounts a tmpfs of size bytes for the test (a disk that fills
// up), or skips when the test may not mount.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.Itoa(size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// stallConn is a data connection to a server that stops reading after
// budget bytes: the write that crosses it fails as a write fails when the
// idle timeout runs out, and every later write waits, as on a full send
// buffer, until the socket is closed or the write deadline passes
// (counted in waitedOut: the engine should close, not wait).
type stallConn struct {
	net.Conn
	st     *stall
	closed chan struct{}
	once   sync.Once

	mu  sync.Mutex
	wdl time.Time
}

type stall struct {
	budget    atomic.Int64
	failed    atomic.Bool
	waitedOut atomic.Int32
}

func newStallConn(c net.Conn, st *stall) *stallConn {
	return &stallConn{Conn: c, st: st, closed: make(chan struct{})}
}

func (s *stallConn) Write(p []byte) (int, error) {
	if !s.st.failed.Load() && s.st.budget.Add(-int64(len(p))) >= 0 {
		return s.Conn.Write(p)
	}
	timeout := &net.OpError{Op: "write", Net: "tcp", Err: os.ErrDeadlineExceeded}
	if s.st.failed.CompareAndSwap(false, true) {
		return 0, timeout
	}
	s.mu.Lock()
	wdl := s.wdl
	s.mu.Unlock()
	var expire <-chan time.Time
	if !wdl.IsZero() {
		tm := time.NewTimer(time.Until(wdl))
		defer tm.Stop()
		expire = tm.C
	}
	select {
	case <-s.closed:
		return 0, net.ErrClosed
	case <-expire:
		s.st.waitedOut.Add(1)
		return 0, timeout
	}
}

func (s *stallConn) Close() error {
	s.once.Do(func() { close(s.closed) })
	return s.Conn.Close()
}

func (s *stallConn) SetDeadline(t time.Time) error {
	s.mu.Lock()
	s.wdl = t
	s.mu.Unlock()
	return s.Conn.SetDeadline(t)
}

func (s *stallConn) SetWriteDeadline(t time.Time) error {
	s.mu.Lock()
	s.wdl = t
	s.mu.Unlock()
	return s.Conn.SetWriteDeadline(t)
}

// A failed data connection ends the transfer at once: the data socket is
// closed, so a server blocked sending (or waiting for bytes) sees the end
// and answers; its reply, read under a short deadline, leaves the session
// usable; and the pool's next transfer succeeds. The idle timeout is a
// minute: a transfer that waited for it would fail these checks (no reply,
// a broken session) rather than merely be slow.
func TestVsftpdFailedDataConnectionEndsFast(t *testing.T) {
	const size = 64 << 20
	big := enginetest.RandomBytes(size, 21)
	small := []byte("the next download\n")
	srv, opts := startTransferVsftpd(t, map[string][]byte{"big.bin": big, "small.txt": small})
	opts.Timeout = time.Minute

	tests := []struct {
		name string
		// run starts the failing transfer on q and returns its job.
		run       func(t *testing.T, q *Queue, local string) *Job
		wantErr   func(error) bool
		wantReply bool // the server answered the transfer (not cut off)
	}{
		{
			name: "disk full",
			run: func(t *testing.T, q *Queue, local string) *Job {
				return q.Add(JobSpec{Kind: KindDownload, Remote: "/big.bin", Local: "big.bin"})
			},
			wantErr:   func(err error) bool { return errors.Is(err, syscall.ENOSPC) },
			wantReply: true,
		},
		{
			name: "server stops reading an upload",
			run: func(t *testing.T, q *Queue, local string) *Job {
				if err := os.WriteFile(filepath.Join(local, "up.bin"), big[:8<<20], 0o644); err != nil {
					t.Fatal(err)
				}
				return q.Add(JobSpec{Kind: KindUpload, Remote: "/up.bin", Local: filepath.Join(local, "up.bin")})
			},
			wantErr:   func(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) },
			wantReply: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			local := mountTmpfs(t, 16<<20)
			st := &stall{}
			st.budget.Store(1 << 62)
			pool := openTestPool(t, vsftpdTarget(t, srv, "/"), opts, client.PoolOptions{Size: 1}, func(s *client.Session) {
				wrapData(s, func(c net.Conn) net.Conn { return newStallConn(c, st) })
			})
			q := newTestQueue(t, pool, QueueOptions{LocalRoot: local})
			if tc.name == "server stops reading an upload" {
				st.budget.Store(2 << 20)
			}
			start := time.Now()
			job := tc.run(t, q, local)
			q.Wait(bg)
			elapsed := time.Since(start)
			st.failed.Store(false)
			st.budget.Store(1 << 62)
			if n := st.waitedOut.Load(); n > 0 {
				t.Errorf("%d writes waited for their deadline on the stalled connection instead of its being closed", n)
			}
			p := job.Progress()
			var se *client.StepError
			if p.State != StateFailed || !tc.wantErr(p.Err) || !errors.As(p.Err, &se) {
				t.Fatalf("state %s, err %v", p.State, p.Err)
			}
			if tc.wantReply && !strings.HasPrefix(se.Reply, "4") {
				t.Errorf("the server's reply to the failed transfer = %q, want a 4xx: it did not see the data connection end", se.Reply)
			}
			t.Logf("%s: ended in %v with %q: %v", tc.name, elapsed.Round(time.Millisecond), se.Reply, p.Err)
			if p.Kind == KindDownload {
				part, err := os.Stat(filepath.Join(local, "big.bin"+PartSuffix))
				if err != nil || part.Size() == 0 {
					t.Fatalf("part file kept: %v, %v", part, err)
				}
				os.Remove(filepath.Join(local, "big.bin"+PartSuffix)) // room for the next
			}
			next := q.Add(JobSpec{Kind: KindDownload, Remote: "/small.txt", Local: "small.txt"})
			q.Wait(bg)
			if p := next.Progress(); p.State != StateDone {
				t.Fatalf("the pool's next download: state %s, err %v", p.State, p.Err)
			}
			if got, err := os.ReadFile(filepath.Join(local, "small.txt")); err != nil || !bytes.Equal(got, small) {
				t.Fatalf("next download differs (%v)", err)
			}
		})
	}
}

// A cancelled download ends at once (the session is cut off, both
// connections closed), keeps its part file, and the pool replaces the
// session for the next download.
func TestVsftpdCancelEndsFastAndPoolRecovers(t *testing.T) {
	const size = 64 << 20
	big := enginetest.RandomBytes(size, 22)
	small := []byte("after the cancel\n")
	srv, opts := startTransferVsftpd(t, map[string][]byte{"big.bin": big, "small.txt": small})
	opts.Timeout = time.Minute
	var q *Queue
	var job *Job
	cut := &cutter{armed: true, budget: 4 << 20, fire: func(net.Conn) { q.Cancel(job.ID()) }}
	pool := openTestPool(t, vsftpdTarget(t, srv, "/"), opts, client.PoolOptions{Size: 1}, func(s *client.Session) { wrapData(s, cut.wrap) })
	local := t.TempDir()
	q = newTestQueue(t, pool, QueueOptions{LocalRoot: local})
	start := time.Now()
	job = q.Add(JobSpec{Kind: KindDownload, Remote: "/big.bin", Local: "big.bin"})
	q.Wait(bg)
	t.Logf("cancel: ended in %v", time.Since(start).Round(time.Millisecond))
	if p := job.Progress(); p.State != StateCancelled || !errors.Is(p.Err, context.Canceled) || !cut.fired.Load() {
		t.Fatalf("state %s, err %v", p.State, p.Err)
	}
	if part, err := os.Stat(filepath.Join(local, "big.bin"+PartSuffix)); err != nil || part.Size() == 0 || part.Size() >= size {
		t.Fatalf("part file: %v, %v", part, err)
	}
	next := q.Add(JobSpec{Kind: KindDownload, Remote: "/small.txt", Local: "small.txt"})
	q.Wait(bg)
	if p := next.Progress(); p.State != StateDone {
		t.Fatalf("the pool's next download: state %s, err %v", p.State, p.Err)
	}
	if got, err := os.ReadFile(filepath.Join(local, "small.txt")); err != nil || !bytes.Equal(got, small) {
		t.Fatalf("next download differs (%v)", err)
	}
}
