package client

import (
	"net"

	"lockbox/client/internal/testhook"
)

// init lets tests in other packages (client/transfer's) install the two
// hooks they need; see client/internal/testhook. Nothing else calls them.
func init() {
	testhook.PoolConnected = func(pool any, connected func(any)) {
		p := pool.(*Pool)
		p.mu.Lock()
		defer p.mu.Unlock()
		p.connected = func(s *Session) { connected(s) }
		for _, pc := range p.idle {
			connected(pc.s)
		}
	}
	testhook.WrapData = func(session any, wrap func(net.Conn) net.Conn) {
		session.(*Session).ctl.SetDataWrap(wrap)
	}
}
