//go:build linux

package client

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockbox/client/certgen"
	"lockbox/client/internal/enginetest"
	"lockbox/client/servertest"
)

func TestVsftpdSessionOperations(t *testing.T) {
	srv, opts := startTransferVsftpd(t, map[string][]byte{"keep.txt": []byte("keep\n")})
	sess, _ := vsftpdLogin(t, srv, "ftpes", opts)
	if !sess.CanRestartUpload() {
		t.Errorf("vsftpd announces REST STREAM; features = %v", sess.Features())
	}
	buf := make([]byte, MinBufferSize)
	for _, size := range []int{0, 1, 16<<10 + 5, 1 << 20} {
		t.Run(fmt.Sprintf("%d bytes", size), func(t *testing.T) {
			data := enginetest.RandomBytes(size, uint64(size))
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

// A transfer longer than the timeout still completes: the control
// connection's deadline covers commands only, and each data read has its own.
func TestVsftpdSlowTransferOutlastsTimeout(t *testing.T) {
	data := enginetest.RandomBytes(256<<10, 3)
	srv, opts := startTransferVsftpd(t, map[string][]byte{"slow.bin": data})
	sess, _ := vsftpdLogin(t, srv, "ftpes", opts)
	const timeout = 400 * time.Millisecond
	sess.ctl.SetTimeout(timeout)
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

// startTransferVsftpd runs vsftpd with a CA-issued certificate and files.
func startTransferVsftpd(t *testing.T, files map[string][]byte) (*servertest.Vsftpd, Options) {
	t.Helper()
	p := newPKI(t)
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}, Files: files})
	return srv, Options{ExtraRoots: rootsOf(p.Root), NoSystemRoots: true, Pins: pinStore(t)}
}

func isDirAt(p string) bool { st, err := os.Stat(p); return err == nil && st.IsDir() }
func exists(p string) bool  { _, err := os.Lstat(p); return err == nil }
