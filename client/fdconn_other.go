//go:build !linux

package client

import (
	"context"
	"net"
)

// dialDataTCP connects a data connection or an HTTPS download. Go's own dialer serves outside
// Linux; see fdconn_linux.go for what Linux gets instead.
func dialDataTCP(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}
