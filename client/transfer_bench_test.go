package client

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"lockbox/client/internal/certgen"
	"lockbox/client/internal/servertest"
)

// The per-chunk cost of progress accounting: two atomic adds.
func BenchmarkProgressAdd(b *testing.B) {
	j := newJob(1, JobSpec{Kind: KindDownload})
	b.ReportAllocs()
	b.SetBytes(16 << 10)
	for b.Loop() {
		j.add(16 << 10)
	}
}

// What the progress ticker does per job and tick.
func BenchmarkMeterSampleAndSnapshot(b *testing.B) {
	j := newJob(1, JobSpec{Kind: KindDownload, Size: 1 << 30, HasSize: true})
	now := time.Unix(0, 0)
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(100 * time.Millisecond)
		j.add(1 << 20)
		j.sample(now)
		_ = j.Progress()
	}
}

// records hands out 16 KiB chunks, as tls.Conn.Read does.
type records struct{ chunk []byte }

func (r *records) Read(p []byte) (int, error) { return copy(p, r.chunk), nil }

// The copy loop alone: TLS-record-sized reads gathered into the worker's
// buffer, one write per buffer.
func BenchmarkCopyData(b *testing.B) {
	for _, size := range []int{MinBufferSize, DefaultBufferSize, MaxBufferSize} {
		b.Run(byteSize(size), func(b *testing.B) {
			buf := make([]byte, size)
			j := newJob(1, JobSpec{Kind: KindDownload})
			src := io.LimitReader(&records{chunk: make([]byte, 16<<10)}, 0)
			b.ReportAllocs()
			b.SetBytes(64 << 20)
			for b.Loop() {
				src.(*io.LimitedReader).N = 64 << 20
				if _, rerr, werr := copyData(io.Discard, src, buf, j.add); rerr != nil || werr != nil {
					b.Fatal(rerr, werr)
				}
			}
		})
	}
}

func byteSize(n int) string {
	if n >= 1<<20 {
		return itoa(n>>20) + "MiB"
	}
	return itoa(n>>10) + "KiB"
}

// A download from vsftpd over loopback (explicit FTPS, TLS 1.3, resumed
// data session) through the engine, to a file on disk and to nowhere; and
// an upload from memory.
func BenchmarkVsftpdTransfer(b *testing.B) {
	const size = 128 << 20
	data := randomBytes(size, 11)
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
	for _, bufSize := range []int{MinBufferSize, DefaultBufferSize, MaxBufferSize} {
		buf := make([]byte, bufSize)
		b.Run("download to disk "+byteSize(bufSize), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				f, err := os.Create(filepath.Join(dir, "big.bin"))
				if err != nil {
					b.Fatal(err)
				}
				if n, err := sess.Download(bg, "/big.bin", 0, f, buf, nil); err != nil || n != size {
					b.Fatal(n, err)
				}
				f.Close()
			}
		})
	}
	buf := make([]byte, DefaultBufferSize)
	b.Run("download to nowhere", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := sess.Download(bg, "/big.bin", 0, io.Discard, buf, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("upload from memory", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := sess.Upload(bg, "/up.bin", bytes.NewReader(data), 0, buf, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func selfSignedIPs() []net.IP { return []net.IP{net.IPv4(127, 0, 0, 1)} }

func mustTargetTB(tb testing.TB, raw string) Target {
	tb.Helper()
	tg, err := ParseURL(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return tg
}
