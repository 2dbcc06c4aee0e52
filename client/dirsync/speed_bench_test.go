//go:build linux

package dirsync

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"lockbox/client"
	"lockbox/client/certgen"
	"lockbox/client/internal/enginetest"
	"lockbox/client/servertest"
	"lockbox/client/transfer"
)

// BenchmarkSyncAgainstLftp measures, against one vsftpd with explicit TLS
// and 4 connections each, on a tree of 10,000 small files in 100 folders:
// the initial upload, a no-op re-run, and uploading 1,000 changed files,
// for Lockbox's synchronisation and for lftp's mirror -R --parallel=4
// (--only-newer for the changed files). The tree is at rest: its files
// were last written two hours ago, as most of a synchronised tree is (a
// file written in the minutes before a synchronisation costs one MDTM at
// the next, see reusable). Each is timed once per iteration; the numbers
// are reported as metrics (seconds, and the MDTM commands of the no-op
// run), e.g. five runs, each on a fresh server and tree:
//
//	go test -run x -bench SyncAgainstLftp -benchtime 1x -count 5 ./client/dirsync/
func BenchmarkSyncAgainstLftp(b *testing.B) {
	lftp, err := exec.LookPath("lftp")
	if err != nil {
		b.Skip("lftp is not installed")
	}
	const dirs, perDir = 100, 100
	src := b.TempDir()
	atRest := time.Now().Add(-2 * time.Hour)
	for d := range dirs {
		for f := range perDir {
			p := filepath.Join(src, fmt.Sprintf("d%03d", d), fmt.Sprintf("f%03d.txt", f))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(strings.Repeat("x", 100+f)), 0o644)
			os.Chtimes(p, atRest, atRest)
		}
	}
	change := func(at time.Time) {
		for i := range 1000 {
			p := filepath.Join(src, fmt.Sprintf("d%03d", i/10), fmt.Sprintf("f%03d.txt", i%10))
			os.WriteFile(p, []byte(fmt.Sprintf("changed %d %v", i, at)), 0o644)
			os.Chtimes(p, at, at)
		}
	}
	pki := enginetest.NewPKI(b)
	srv := servertest.StartVsftpd(b, servertest.VsftpdConfig{ServerCert: pki.Leaf, ServerChain: []*certgen.Cert{pki.Inter},
		Extra: map[string]string{"mdtm_write": "YES"}})
	opts := client.Options{ExtraRoots: enginetest.RootsOf(pki.Root), NoSystemRoots: true, Pins: enginetest.PinStore(b), MDTMWrite: true}
	tg, _ := client.ParseURL("ftpes://" + srv.User + "@" + srv.Addr + "/")
	tg.Password, tg.HasPassword = srv.Password, true
	os.MkdirAll(filepath.Join(srv.Root, "lockbox"), 0o755)
	os.MkdirAll(filepath.Join(srv.Root, "lftp"), 0o755)
	uid, gid := ownerOf(srv.Root)
	os.Chown(filepath.Join(srv.Root, "lockbox"), uid, gid)
	os.Chown(filepath.Join(srv.Root, "lftp"), uid, gid)

	script := filepath.Join(b.TempDir(), "mirror.lftp")
	runLftp := func(extra string) time.Duration {
		os.WriteFile(script, []byte(fmt.Sprintf("set ssl:verify-certificate no\nset ftp:ssl-force yes\nset ftp:ssl-protect-data yes\nset net:max-retries 1\n"+
			"open -u %s,%s ftp://%s\nmirror -R --parallel=4 %s %s /lftp\n", srv.User, srv.Password, srv.Addr, extra, src)), 0o600)
		start := time.Now()
		if out, err := exec.Command(lftp, "-f", script).CombinedOutput(); err != nil {
			b.Fatalf("lftp: %v\n%s", err, out)
		}
		return time.Since(start)
	}
	var asked int
	runLockbox := func() time.Duration {
		start := time.Now()
		pool, _, err := client.OpenPool(bg, tg, opts, client.PoolOptions{Size: 4})
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Close()
		cfg := Config{LocalDir: src, RemoteDir: "/lockbox", Plan: PlanOptions{Direction: Up}, State: OpenState(filepath.Join(src, "..", "state")), Key: "bench"}
		scan, err := CompareTrees(bg, pool, cfg)
		if err != nil {
			b.Fatal(err)
		}
		asked = scan.Asked
		q, _ := transfer.NewQueue(pool, transfer.QueueOptions{})
		q.Start(bg)
		res, err := Execute(bg, pool, q, cfg, scan, Plan(scan.Comparison, cfg.Plan))
		q.Close()
		if err != nil || res.Failed > 0 {
			b.Fatalf("sync: %v, %d failed", err, res.Failed)
		}
		return time.Since(start)
	}
	for range b.N {
		lbUp, lfUp := runLockbox(), runLftp("")
		lbNoop := runLockbox()
		noopAsked := asked
		lfNoop := runLftp("")
		change(time.Now().Add(time.Hour))
		lbChanged, lfChanged := runLockbox(), runLftp("--only-newer")
		b.ReportMetric(lbUp.Seconds(), "lockbox-upload-s")
		b.ReportMetric(lfUp.Seconds(), "lftp-upload-s")
		b.ReportMetric(lbNoop.Seconds(), "lockbox-noop-s")
		b.ReportMetric(lfNoop.Seconds(), "lftp-noop-s")
		b.ReportMetric(float64(noopAsked), "lockbox-noop-mdtm")
		b.ReportMetric(lbChanged.Seconds(), "lockbox-1000changed-s")
		b.ReportMetric(lfChanged.Seconds(), "lftp-1000changed-s")
	}
}

func ownerOf(p string) (int, int) {
	st, err := os.Stat(p)
	if err != nil {
		return -1, -1
	}
	return statOwner(st)
}

// BenchmarkCompare100k compares two trees of 100,000 files (1,000 folders)
// and reports the heap in use at the end, with both trees and the
// comparison alive ("heap-MiB").
func BenchmarkCompare100k(b *testing.B) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	local, remote := Tree{}, Tree{}
	for d := range 1000 {
		dir := fmt.Sprintf("dir%04d", d)
		local[dir], remote[dir] = Entry{Dir: true}, Entry{Dir: true}
		for f := range 100 {
			p := fmt.Sprintf("%s/file%03d.dat", dir, f)
			local[p] = Entry{Size: int64(f), ModTime: at}
			remote[p] = Entry{Size: int64(f), ModTime: at.Add(time.Duration(f%3) * time.Hour)}
		}
	}
	b.ResetTimer()
	var c Comparison
	for range b.N {
		c = Compare(local, remote, nil, DefaultTolerance)
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
	runtime.KeepAlive(local)
	runtime.KeepAlive(remote)
	runtime.KeepAlive(c)
}
