package transfer

import (
	"context"
	"net"
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
