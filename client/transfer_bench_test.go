//go:build linux

package client

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"lockbox/client/certgen"
	"lockbox/client/internal/enginetest"
	"lockbox/client/internal/netconn"
	"lockbox/client/servertest"
)

// records hands out 16 KiB chunks, as tls.Conn.Read does.
type records struct{ chunk []byte }

func (r *records) Read(p []byte) (int, error) { return copy(p, r.chunk), nil }

// writeSizes remembers the size of every write.
type writeSizes struct{ sizes []int }

func (w *writeSizes) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return len(p), nil
}

// CopyData gathers TLS records into writes of netconn.WriteChunk bytes whatever the
// worker's buffer (or of the buffer, when smaller), and allocates nothing.
func TestCopyDataWriteSize(t *testing.T) {
	const total = 1<<20 + 5
	for _, size := range []int{MinBufferSize, DefaultBufferSize, MaxBufferSize} {
		t.Run(byteSize(size), func(t *testing.T) {
			want := min(size, netconn.WriteChunk)
			w := &writeSizes{}
			src := io.LimitReader(&records{chunk: make([]byte, 16<<10)}, total)
			n, rerr, werr := CopyData(w, src, make([]byte, size), nil)
			if n != total || rerr != nil || werr != nil {
				t.Fatalf("n=%d rerr=%v werr=%v", n, rerr, werr)
			}
			for i, got := range w.sizes {
				if last := i == len(w.sizes)-1; !last && got != want || last && got > want {
					t.Fatalf("write %d of %d bytes, want %d: %v", i, got, want, w.sizes)
				}
			}
		})
	}
	buf := make([]byte, DefaultBufferSize)
	src := &io.LimitedReader{R: &records{chunk: make([]byte, 16<<10)}}
	j := &counter{}
	allocs := testing.AllocsPerRun(10, func() {
		src.N = 4 << 20
		if _, rerr, werr := CopyData(io.Discard, src, buf, j.add); rerr != nil || werr != nil {
			t.Fatal(rerr, werr)
		}
	})
	if allocs != 0 {
		t.Errorf("CopyData allocates %.0f times per 4 MiB", allocs)
	}
}

// The copy loop alone: TLS-record-sized reads gathered into the worker's
// buffer, one write per netconn.WriteChunk (or buffer, if smaller).
func BenchmarkCopyData(b *testing.B) {
	for _, size := range []int{MinBufferSize, DefaultBufferSize, MaxBufferSize} {
		b.Run(byteSize(size), func(b *testing.B) {
			buf := make([]byte, size)
			j := &counter{}
			src := io.LimitReader(&records{chunk: make([]byte, 16<<10)}, 0)
			b.ReportAllocs()
			b.SetBytes(64 << 20)
			for b.Loop() {
				src.(*io.LimitedReader).N = 64 << 20
				if _, rerr, werr := CopyData(io.Discard, src, buf, j.add); rerr != nil || werr != nil {
					b.Fatal(rerr, werr)
				}
			}
		})
	}
}

func byteSize(n int) string {
	if n >= 1<<20 {
		return strconv.Itoa(n>>20) + "MiB"
	}
	return strconv.Itoa(n>>10) + "KiB"
}

// A download from vsftpd over loopback (explicit FTPS, TLS 1.3, resumed
// data session) through the engine: to a file on disk with writes of 16 KiB
// to 1 MiB (the engine writes netconn.WriteChunk, 64 KiB), and to nowhere; and an
// upload from memory. Each iteration creates a new file, as a download
// does, and reports the process's system CPU time per GB (sys-s/GB) and
// context switches per MiB (csw/MiB) besides the rate.
func BenchmarkVsftpdTransfer(b *testing.B) {
	const size = 128 << 20
	data := enginetest.RandomBytes(size, 11)
	root := certgen.Must(b, certgen.Spec{CommonName: "Bench Root", IsCA: true}, nil)
	leaf := certgen.Must(b, certgen.Spec{CommonName: "127.0.0.1", IPs: selfSignedIPs()}, root)
	srv := servertest.StartVsftpd(b, servertest.VsftpdConfig{ServerCert: leaf, Files: map[string][]byte{"big.bin": data}})
	tg := mustTargetTB(b, "ftpes://"+srv.User+"@"+srv.Addr+"/")
	tg.Password, tg.HasPassword = srv.Password, true
	sess, _, err := Connect(bg, tg, Options{ExtraRoots: rootsOf(root), NoSystemRoots: true})
	if err != nil {
		b.Fatal(err)
	}
	defer sess.Close()
	dir := b.TempDir()
	buf := make([]byte, MaxBufferSize)
	for _, chunk := range []int{16 << 10, netconn.WriteChunk, 256 << 10, 1 << 20} {
		b.Run("download to disk, writes of "+byteSize(chunk), func(b *testing.B) {
			b.SetBytes(size)
			u := startUsage()
			for b.Loop() {
				name := filepath.Join(dir, "big.bin")
				os.Remove(name)
				f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
				if err != nil {
					b.Fatal(err)
				}
				if n, err := sess.download(bg, "/big.bin", 0, f, buf, chunk, nil); err != nil || n != size {
					b.Fatal(n, err)
				}
				if err := f.Close(); err != nil {
					b.Fatal(err)
				}
			}
			u.report(b, size)
		})
	}
	b.Run("download to nowhere", func(b *testing.B) {
		b.SetBytes(size)
		u := startUsage()
		for b.Loop() {
			if _, err := sess.Download(bg, "/big.bin", 0, io.Discard, buf[:DefaultBufferSize], nil); err != nil {
				b.Fatal(err)
			}
		}
		u.report(b, size)
	})
	b.Run("upload from memory", func(b *testing.B) {
		b.SetBytes(size)
		u := startUsage()
		for b.Loop() {
			if _, err := sess.Upload(bg, "/up.bin", bytes.NewReader(data), 0, buf[:DefaultBufferSize], nil); err != nil {
				b.Fatal(err)
			}
		}
		u.report(b, size)
	})
}

// usage is the process's resource use at a benchmark's start.
type usage struct{ ru syscall.Rusage }

func startUsage() *usage {
	u := &usage{}
	syscall.Getrusage(syscall.RUSAGE_SELF, &u.ru)
	return u
}

// report adds the system CPU seconds per GB and the context switches per
// MiB since startUsage, for b.N transfers of size bytes.
func (u *usage) report(b *testing.B, size int64) {
	var now syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &now); err != nil || b.N == 0 {
		return
	}
	sys := time.Duration(syscall.TimevalToNsec(now.Stime) - syscall.TimevalToNsec(u.ru.Stime))
	csw := now.Nvcsw - u.ru.Nvcsw + now.Nivcsw - u.ru.Nivcsw
	bytes := float64(size) * float64(b.N)
	b.ReportMetric(sys.Seconds()/(bytes/1e9), "sys-s/GB")
	b.ReportMetric(float64(csw)/(bytes/(1<<20)), "csw/MiB")
}

func selfSignedIPs() []net.IP { return []net.IP{net.IPv4(127, 0, 0, 1)} }

// counter stands for a transfer job's progress: two atomic adds per chunk,
// as the queue's jobs do.
type counter struct{ done, moved atomic.Int64 }

func (c *counter) add(n int64) {
	c.done.Add(n)
	c.moved.Add(n)
}
