//go:build !linux

package netconn

import (
	"context"
	"net"
)

// DialData connects a data connection or an HTTPS download. Go's own
// dialer serves outside Linux; see fdconn_linux.go for what Linux gets
// instead.
func DialData(ctx context.Context, addr string) (net.Conn, error) { return Dial(ctx, addr) }

// AdoptData returns an accepted connection as it is outside Linux (see
// fdconn_linux.go).
func AdoptData(c *net.TCPConn) (net.Conn, error) { return c, nil }
