package transfer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockbox/client"
	"lockbox/client/demo"
	"lockbox/client/internal/enginetest"
)

// Each existing-files policy, for downloads and uploads, against the
// in-process server.
func TestExistsPolicies(t *testing.T) {
	p := enginetest.NewPKI(t)
	srvRoot := t.TempDir()
	os.WriteFile(filepath.Join(srvRoot, "hello.txt"), []byte("hello, lockbox\n"), 0o644)
	srv, err := demo.Start(demo.Config{Root: srvRoot, User: "alice", Password: "s3cret-Pa55", TLS: enginetest.ServerTLS(p.Leaf, p.Inter)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	opts := client.Options{ExtraRoots: enginetest.RootsOf(p.Root), NoSystemRoots: true}
	pool := openTestPool(t, demoTarget(t, srv.Addr), opts, client.PoolOptions{Size: 1, KeepAlive: -1}, nil)
	const body = "hello, lockbox\n" // the server's hello.txt
	tests := []struct {
		name      string
		policy    ExistsPolicy
		target    string // "" = absent
		part      string // "" = absent
		wantFiles map[string]string
		skipped   bool
		moved     int64
	}{
		{"resume: nothing there", ExistsResume, "", "", map[string]string{"hello.txt": body}, false, int64(len(body))},
		{"resume: same size is left alone", ExistsResume, strings.ToUpper(body), "", map[string]string{"hello.txt": strings.ToUpper(body)}, true, 0},
		{"resume: another size is replaced", ExistsResume, "old", "", map[string]string{"hello.txt": body}, false, int64(len(body))},
		{"resume: the part file is continued", ExistsResume, "", "hello", map[string]string{"hello.txt": body}, false, int64(len(body) - 5)},
		{"resume: a part longer than the file restarts", ExistsResume, "", strings.Repeat("x", 100), map[string]string{"hello.txt": body}, false, int64(len(body))},
		{"overwrite: the part is ignored", ExistsOverwrite, strings.ToUpper(body), "HELLO", map[string]string{"hello.txt": body}, false, int64(len(body))},
		{"skip", ExistsSkip, "old", "", map[string]string{"hello.txt": "old"}, true, 0},
		{"rename", ExistsRename, "old", "", map[string]string{"hello.txt": "old", "hello (1).txt": body}, false, int64(len(body))},
	}
	for _, tc := range tests {
		t.Run("download "+tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.target != "" {
				os.WriteFile(filepath.Join(dir, "hello.txt"), []byte(tc.target), 0o644)
			}
			if tc.part != "" {
				os.WriteFile(filepath.Join(dir, "hello.txt"+PartSuffix), []byte(tc.part), 0o644)
			}
			q := newTestQueue(t, pool, QueueOptions{LocalRoot: dir, Exists: tc.policy})
			j := q.Add(JobSpec{Kind: KindDownload, Remote: "/hello.txt", Local: "hello.txt"})
			q.Wait(bg)
			pr := j.Progress()
			if pr.State != StateDone || pr.Skipped != tc.skipped || pr.Moved != tc.moved {
				t.Fatalf("state %s skipped %v moved %d, err %v", pr.State, pr.Skipped, pr.Moved, pr.Err)
			}
			got, _ := readTree(t, dir)
			if tc.part != "" && tc.policy == ExistsOverwrite {
				delete(got, "hello.txt"+PartSuffix) // untouched; overwrite wrote its own
			}
			if len(got) != len(tc.wantFiles) {
				t.Errorf("files %v", keys(got))
			}
			for name, want := range tc.wantFiles {
				if string(got[name]) != want {
					t.Errorf("%s = %q, want %q", name, got[name], want)
				}
			}
		})
	}

	local := filepath.Join(t.TempDir(), "up.txt")
	os.WriteFile(local, []byte("0123456789"), 0o644)
	uploads := []struct {
		name     string
		policy   ExistsPolicy
		existing string // on the server, "" = absent
		want     map[string]string
		skipped  bool
		moved    int64
	}{
		{"resume: nothing there", ExistsResume, "", map[string]string{"up.txt": "0123456789"}, false, 10},
		// goftp's APPE replaces the file: the size check catches it and
		// the whole file is sent again.
		{"resume: a server that does not append", ExistsResume, "0123", map[string]string{"up.txt": "0123456789"}, false, 6 + 10},
		{"resume: same size is left alone", ExistsResume, "abcdefghij", map[string]string{"up.txt": "abcdefghij"}, true, 0},
		{"overwrite", ExistsOverwrite, "0123", map[string]string{"up.txt": "0123456789"}, false, 10},
		{"skip", ExistsSkip, "old", map[string]string{"up.txt": "old"}, true, 0},
		{"rename", ExistsRename, "old", map[string]string{"up.txt": "old", "up (1).txt": "0123456789"}, false, 10},
	}
	for i, tc := range uploads {
		t.Run("upload "+tc.name, func(t *testing.T) {
			dir := "/u" + itoa(i)
			if err := pool.Do(bg, func(s *client.Session) error { return s.MakeDir(bg, dir) }); err != nil {
				t.Fatal(err)
			}
			if tc.existing != "" {
				os.WriteFile(filepath.Join(srvRoot, dir, "up.txt"), []byte(tc.existing), 0o644)
			}
			q := newTestQueue(t, pool, QueueOptions{Exists: tc.policy})
			j := q.Add(JobSpec{Kind: KindUpload, Local: local, Remote: dir + "/up.txt"})
			q.Wait(bg)
			pr := j.Progress()
			if pr.State != StateDone || pr.Skipped != tc.skipped || pr.Moved != tc.moved {
				t.Fatalf("state %s skipped %v moved %d, err %v", pr.State, pr.Skipped, pr.Moved, pr.Err)
			}
			got, _ := readTree(t, filepath.Join(srvRoot, dir))
			if len(got) != len(tc.want) {
				t.Errorf("files %v", keys(got))
			}
			for name, want := range tc.want {
				if string(got[name]) != want {
					t.Errorf("%s = %q, want %q", name, got[name], want)
				}
			}
		})
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
