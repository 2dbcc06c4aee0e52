//go:build linux

package transfer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockbox/client"
	"lockbox/client/certgen"
	"lockbox/client/internal/enginetest"
	"lockbox/client/servertest"
	"lockbox/client/trace"
)

func TestVerifiedTransfers(t *testing.T) {
	data := enginetest.RandomBytes(200<<10, 3)
	type server struct {
		root string
		tg   client.Target
		opts client.Options
	}
	starts := map[string]func(t *testing.T) server{
		"proftpd mod_digest": func(t *testing.T) server {
			p := enginetest.NewPKI(t)
			srv := servertest.StartProFTPD(t, servertest.ProFTPDConfig{ServerCert: p.Leaf, ServerChain: []*certgen.Cert{p.Inter}, Digest: true,
				Files: map[string][]byte{"down.bin": data}})
			tg := mustTarget(t, "ftpes://"+srv.User+"@"+srv.Addr+"/")
			tg.Password, tg.HasPassword = srv.Password, true
			return server{srv.Root, tg, client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true, Pins: enginetest.PinStore(t)}}
		},
		"vsftpd": func(t *testing.T) server {
			srv, opts := startTransferVsftpd(t, map[string][]byte{"down.bin": data})
			return server{srv.Root, vsftpdTarget(t, srv, "/"), opts}
		},
	}
	tests := []struct {
		server      string
		corrupt     bool
		wantErr     bool
		wantStep    string // in the verify step's summary
		wantNote    string
		wantPartKep bool
	}{
		{server: "proftpd mod_digest", wantStep: ": same"},
		{server: "proftpd mod_digest", corrupt: true, wantErr: true, wantStep: "DIFFERENT", wantPartKep: true},
		{server: "vsftpd", wantStep: "not verified", wantNote: "not verified"},
	}
	for _, tc := range tests {
		name := tc.server
		if tc.corrupt {
			name += " corrupted"
		}
		t.Run(name, func(t *testing.T) {
			srv := starts[tc.server](t)
			var log enginetest.StepLog
			srv.opts.Observer = trace.ObserverFunc(log.Step)
			pool := openTestPool(t, srv.tg, srv.opts, client.PoolOptions{Size: 1}, nil)
			local := t.TempDir()
			q := newTestQueue(t, pool, QueueOptions{LocalRoot: local, Verify: true})
			// An upload verified against the server's copy.
			src := filepath.Join(t.TempDir(), "up.bin")
			os.WriteFile(src, data, 0o644)
			up := q.Add(JobSpec{Kind: KindUpload, Local: src, Remote: "/up.bin"})
			q.Wait(bg)
			if p := up.Progress(); p.Err != nil || p.State != StateDone {
				t.Fatalf("upload: %s %v", p.State, p.Err)
			}
			if tc.corrupt {
				// One byte changed on the server's disk after the upload.
				b, _ := os.ReadFile(filepath.Join(srv.root, "up.bin"))
				b[1000] ^= 0xff
				if err := os.WriteFile(filepath.Join(srv.root, "up.bin"), b, 0o644); err != nil {
					t.Fatal(err)
				}
				// mod_digest caches sums by path and modification time.
				then := time.Now().Add(-time.Hour)
				os.Chtimes(filepath.Join(srv.root, "up.bin"), then, then)
				f, _ := os.Open(src)
				defer f.Close()
				var mm *client.HashMismatchError
				err := pool.Do(bg, func(s *client.Session) error { _, err := s.VerifyFile(bg, "/up.bin", f); return err })
				if !errors.As(err, &mm) {
					t.Errorf("verify after the server's copy changed: %v, want a mismatch", err)
				}
				// And a download resumed from the part file of another
				// version of the file: the whole differs from the server's.
				old := append([]byte{}, data[:50<<10]...)
				old[10] ^= 0xff
				os.WriteFile(filepath.Join(local, "down.bin"+PartSuffix), old, 0o644)
			}
			down := q.Add(JobSpec{Kind: KindDownload, Remote: "/down.bin", Local: "down.bin"})
			q.Wait(bg)
			p := down.Progress()
			var mm *client.HashMismatchError
			if tc.wantErr != (p.Err != nil) || tc.wantErr && !errors.As(p.Err, &mm) {
				t.Fatalf("download: %v, want a mismatch: %v", p.Err, tc.wantErr)
			}
			if !strings.Contains(p.Note, tc.wantNote) {
				t.Errorf("note %q, want %q", p.Note, tc.wantNote)
			}
			_, err := os.Stat(filepath.Join(local, "down.bin"+PartSuffix))
			if kept := err == nil; kept != tc.wantPartKep {
				t.Errorf("part file kept: %v, want %v", kept, tc.wantPartKep)
			}
			_, err = os.Stat(filepath.Join(local, "down.bin"))
			if (err == nil) == tc.wantErr {
				t.Errorf("final file there: %v, with a mismatch: %v", err == nil, tc.wantErr)
			}
			var found bool
			for _, s := range log.Steps() {
				if s.Name == "verify" && strings.Contains(s.Summary, tc.wantStep) {
					found = true
				}
			}
			if !found {
				t.Errorf("no verify step with %q in the trace", tc.wantStep)
			}
		})
	}
}
