//go:build linux

package dirsync

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockbox/client"
	"lockbox/client/certgen"
	"lockbox/client/internal/enginetest"
	"lockbox/client/servertest"
	"lockbox/client/transfer"
)

// TestWatchWaitsForAFileBeingWritten writes a file in steps while Watch
// runs against vsftpd, driving the watcher's quiet timer by hand: no pass
// runs while the file grows, the server never holds a part of it (nor is
// it sent more than once, counted in the server's protocol log), and once
// its size holds the whole file is uploaded.
func TestWatchWaitsForAFileBeingWritten(t *testing.T) {
	p := enginetest.NewPKI(t)
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter},
		Extra: map[string]string{"mdtm_write": "YES"}})
	s := newSyncer(t, server{"vsftpd", srv.Root, target(t, srv.FTPServer), client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true,
		Pins: enginetest.PinStore(t), MDTMWrite: true}}, Up)
	write(t, filepath.Join(s.local, "already.txt"), "here", time.Now().Add(-time.Hour))
	q, err := transfer.NewQueue(s.pool, transfer.QueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	q.Start(bg)
	defer q.Close()
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	ticks := make(chan time.Time)
	checks := make(chan settle, 1)
	passes := make(chan error, 10)
	done := make(chan error, 1)
	go func() {
		done <- Watch(ctx, s.pool, q, s.cfg, WatchOptions{tick: ticks, checked: func(st settle) { checks <- st },
			Ran: func(_ *Result, err error) { passes <- err }})
	}()
	deadline := time.After(30 * time.Second)
	select {
	case err := <-passes:
		if err != nil {
			t.Fatalf("initial pass: %v", err)
		}
	case <-deadline:
		t.Fatal("no initial pass")
	}
	// quiet says "the folder has been quiet" once and returns what the
	// watcher made of it.
	quiet := func() settle {
		t.Helper()
		select {
		case ticks <- time.Now():
		case <-deadline:
			t.Fatal("the watcher stopped listening")
		}
		select {
		case st := <-checks:
			return st
		case <-deadline:
			t.Fatal("the watcher never checked")
		}
		return ""
	}
	onServer := filepath.Join(srv.Root, "big.txt")
	f, err := os.Create(filepath.Join(s.local, "big.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var whole bytes.Buffer
	for i := range 5 {
		part := bytes.Repeat([]byte{byte('a' + i)}, 64<<10)
		if _, err := f.Write(part); err != nil {
			t.Fatal(err)
		}
		whole.Write(part)
		// Until the watcher has seen the write it says idle; then it
		// must find the file growing, and not run a pass.
		for st := quiet(); st != settleGrowing; st = quiet() {
			if st == settlePassed {
				t.Fatalf("step %d: a pass ran while the file was being written", i)
			}
		}
		if _, err := os.Stat(onServer); err == nil {
			t.Fatalf("step %d: the server has a part of the file", i)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// Its size now holds: the next quiet moments lead to a pass.
	for st := quiet(); st != settlePassed; st = quiet() {
	}
	if err := <-passes; err != nil {
		t.Fatalf("pass: %v", err)
	}
	got, err := os.ReadFile(onServer)
	if err != nil || !bytes.Equal(got, whole.Bytes()) {
		t.Fatalf("the server has %d bytes (%v), want the whole %d", len(got), err, whole.Len())
	}
	log, err := os.ReadFile(srv.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), `"STOR /big.txt"`); n != 1 {
		t.Errorf("big.txt was stored %d times, want once", n)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("watch ended with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("watch did not stop when its context ended")
	}
}
