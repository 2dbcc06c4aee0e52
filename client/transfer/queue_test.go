package transfer

import (
	"bytes"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"lockbox/client"
	"lockbox/client/certgen"
	"lockbox/client/internal/enginetest"
)

// Parallel jobs of every kind over a pool of 4 (run with -race).
func TestQueueParallelJobsOnDemo(t *testing.T) {
	p := enginetest.NewPKI(t)
	srv := enginetest.StartDemo(t, false, enginetest.ServerTLS(p.Leaf, p.Inter))
	opts := client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true}
	pool := openTestPool(t, demoTarget(t, srv.Addr), opts, client.PoolOptions{Size: 4}, nil)
	local := t.TempDir()
	want := map[string][]byte{}
	for i := 0; i < 12; i++ {
		name := filepath.Join(local, "u"+string(rune('a'+i))+".bin")
		want[filepath.Base(name)] = enginetest.RandomBytes(i*7919, uint64(i))
		if err := os.WriteFile(name, want[filepath.Base(name)], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	states := map[int][]JobState{}
	q := newTestQueue(t, pool, QueueOptions{LocalRoot: filepath.Join(local, "back"), Observer: func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		if s := states[p.ID]; len(s) == 0 || s[len(s)-1] != p.State {
			states[p.ID] = append(s, p.State)
		}
	}})
	if err := pool.Do(bg, func(s *client.Session) error { return s.MakeDir(bg, "/up") }); err != nil {
		t.Fatal(err)
	}
	for name := range want {
		q.Add(JobSpec{Kind: KindUpload, Local: filepath.Join(local, name), Remote: "/up/" + name})
	}
	q.Wait(bg)
	for name := range want {
		q.Add(JobSpec{Kind: KindDownload, Remote: "/up/" + name, Local: name})
	}
	q.Add(JobSpec{Kind: KindMkdir, Remote: "/made"})
	q.Wait(bg)
	q.Add(JobSpec{Kind: KindRename, Remote: "/up/ua.bin", NewName: "/made/moved.bin"})
	q.Add(JobSpec{Kind: KindDelete, Remote: "/up/ub.bin"})
	q.Wait(bg)
	q.Add(JobSpec{Kind: KindDelete, Remote: "/made/moved.bin"})
	q.Wait(bg)
	q.Add(JobSpec{Kind: KindRemoveDir, Remote: "/made"})
	q.Wait(bg)
	if s := q.Summary(); len(s.Failed) != 0 || s.Files != 2*len(want) {
		t.Fatalf("summary %+v", s)
	}
	got, _ := readTree(t, filepath.Join(local, "back"))
	sameTree(t, "downloaded", want, got)
	mu.Lock()
	defer mu.Unlock()
	for id, s := range states {
		if strings.Join(stateNames(s), ",") != "queued,running,done" {
			t.Errorf("job %d went through %v", id, s)
		}
	}
	var list []client.Entry
	pool.Do(bg, func(s *client.Session) (err error) { list, err = s.List("/"); return err })
	for _, e := range list {
		if e.Name == "made" {
			t.Error("/made was not removed")
		}
	}
}

func stateNames(s []JobState) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}

// A data connection that shows another certificate than the control
// connection is refused, and the transfer with it: nothing is written.
func TestTransferRefusedWhenDataCertificateDiffers(t *testing.T) {
	p := enginetest.NewPKI(t)
	other := certgen.Must(t, certgen.Spec{CommonName: "127.0.0.1 (interceptor)", IPs: p.Leaf.Cert.IPAddresses}, p.Inter)
	var handshakes atomic.Int32
	controlCert, dataCert := p.Leaf.TLS(p.Inter), other.TLS(p.Inter)
	cfg := &tls.Config{
		// No tickets: every data connection makes a full handshake and so
		// shows a certificate, which is the interceptor's.
		SessionTicketsDisabled: true,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			if handshakes.Add(1) == 1 {
				return &controlCert, nil
			}
			return &dataCert, nil
		},
	}
	srv := enginetest.StartDemo(t, false, cfg)
	var log enginetest.StepLog
	opts := client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true, Observer: &log}
	pool := openTestPool(t, demoTarget(t, srv.Addr), opts, client.PoolOptions{Size: 1, KeepAlive: -1}, nil)
	parent := t.TempDir()
	q := newTestQueue(t, pool, QueueOptions{LocalRoot: filepath.Join(parent, "dl")})
	job := q.Add(JobSpec{Kind: KindDownload, Remote: "/hello.txt", Local: "hello.txt"})
	q.Wait(bg)
	pr := job.Progress()
	var ie *client.InterceptionError
	if pr.State != StateFailed || !client.IsTrustFailure(pr.Err) || !errors.As(pr.Err, &ie) {
		t.Fatalf("state %s, err %v", pr.State, pr.Err)
	}
	got, dirs := readTree(t, parent)
	if len(got) != 0 || strings.Join(dirs, ",") != "dl" {
		t.Errorf("files written: %v, folders %v", got, dirs)
	}
	changed := false
	for _, st := range log.Steps() {
		if st.Name == "certificate_changed" && st.Failed && strings.HasPrefix(st.Conn, "data") {
			changed = true
		}
	}
	if !changed {
		t.Error("no certificate_changed step on the data connection")
	}

	up := filepath.Join(t.TempDir(), "up.txt")
	os.WriteFile(up, []byte("secret data\n"), 0o644)
	job = q.Add(JobSpec{Kind: KindUpload, Local: up, Remote: "/up.txt"})
	q.Wait(bg)
	if pr := job.Progress(); pr.State != StateFailed || !client.IsTrustFailure(pr.Err) {
		t.Fatalf("upload: state %s, err %v", pr.State, pr.Err)
	}
}

// A queue with no folder of its own downloads each job into the folder the
// job names (as the window does, into whatever its local pane shows), and
// a job whose name climbs out of that folder writes nothing.
func TestQueueJobLocalRoot(t *testing.T) {
	p := enginetest.NewPKI(t)
	srv := enginetest.StartDemo(t, false, enginetest.ServerTLS(p.Leaf, p.Inter))
	opts := client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true}
	pool := openTestPool(t, demoTarget(t, srv.Addr), opts, client.PoolOptions{Size: 2}, nil)
	q := newTestQueue(t, pool, QueueOptions{})
	src := t.TempDir()
	body := enginetest.RandomBytes(70_001, 3)
	if err := os.WriteFile(filepath.Join(src, "f.bin"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := pool.Do(bg, func(s *client.Session) error { return s.MakeDir(bg, "/tree") }); err != nil {
		t.Fatal(err)
	}
	q.Add(JobSpec{Kind: KindUpload, Local: filepath.Join(src, "f.bin"), Remote: "/tree/f.bin"})
	q.Wait(bg)

	a, b := t.TempDir(), t.TempDir()
	q.Add(JobSpec{Kind: KindDownload, Remote: "/tree/f.bin", Local: "f.bin", LocalRoot: a})
	q.Add(JobSpec{Kind: KindDownload, Remote: "/tree/f.bin", Local: "../escape.bin", LocalRoot: b})
	q.Wait(bg)
	if _, err := q.DownloadTreeInto(bg, "/tree", b, "copy"); err != nil {
		t.Fatal(err)
	}
	q.Wait(bg)
	for _, p := range []string{filepath.Join(a, "f.bin"), filepath.Join(b, "copy", "f.bin")} {
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("%s: %d bytes, %v", p, len(got), err)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(b), "escape.bin")); err == nil {
		t.Error("a job wrote outside its folder")
	}
	if s := q.Summary(); len(s.Failed) != 1 || !strings.Contains(s.Failed[0].Error, "not inside") {
		t.Errorf("failed jobs: %+v", s.Failed)
	}
	if err := (&Queue{}).download(bg, nil, newJob(1, JobSpec{Kind: KindDownload, Local: "x"}), nil); err == nil {
		t.Error("a download with no folder at all was accepted")
	}
}
