package transfer

import (
	"bytes"
	"context"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"testing"

	"lockbox/client"
	"lockbox/client/internal/enginetest"
	"lockbox/client/internal/testhook"
)

var bg = context.Background()

func mustTarget(t testing.TB, raw string) client.Target {
	t.Helper()
	tg, err := client.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// demoTarget logs in to the demo server at addr.
func demoTarget(t *testing.T, addr string) client.Target {
	t.Helper()
	tg := mustTarget(t, "ftpes://"+enginetest.DemoUser+"@"+addr+"/")
	tg.Password, tg.HasPassword = enginetest.DemoPassword, true
	return tg
}

// openTestPool opens a pool for the test; connected, if not nil, sees every
// session, the first included.
func openTestPool(t *testing.T, tg client.Target, opts client.Options, po client.PoolOptions, connected func(*client.Session)) *client.Pool {
	t.Helper()
	p, _, err := client.OpenPool(bg, tg, opts, po)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	if connected != nil {
		testhook.PoolConnected(p, func(s any) { connected(s.(*client.Session)) })
	}
	return p
}

// wrapData wraps the sockets of s's later data connections.
func wrapData(s *client.Session, wrap func(net.Conn) net.Conn) { testhook.WrapData(s, wrap) }

func newTestQueue(t *testing.T, p *client.Pool, opts QueueOptions) *Queue {
	t.Helper()
	q, err := NewQueue(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	q.Start(bg)
	t.Cleanup(func() { q.Close() })
	return q
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
