// Package netconn owns the engine's sockets below FTP and TLS: dialing
// (Go's dialer for control connections, fdConn on Linux for the bulk data
// connections), the idle timeout on every read and write, closing a
// connection when its context ends, and copying a data stream in large
// writes (CopyChunks). Nothing in it knows FTP or HTTP.
package netconn

import (
	"context"
	"net"
	"time"
)

// Dial connects to addr ("host:port") with Go's own dialer.
func Dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// IdleConn applies the idle timeout to every read and write, so that a
// server that stops talking ends the operation instead of hanging it.
type IdleConn struct {
	net.Conn
	// Timeout is how long one read or write may wait.
	Timeout time.Duration
	// Broken, when set, is checked before each read and write, so that a
	// protocol violation on the control connection ends the data
	// connection at once instead of after the timeout.
	Broken func() error
}

func (c *IdleConn) check() error {
	if c.Broken == nil {
		return nil
	}
	return c.Broken()
}

// Read reads with the idle timeout as its deadline.
func (c *IdleConn) Read(p []byte) (int, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.Timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

// Write writes with the idle timeout as its deadline.
func (c *IdleConn) Write(p []byte) (int, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.Timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// CloseOnDone closes conn when ctx is cancelled, so that cancellation ends
// reads that no deadline covers; the returned func stops that.
func CloseOnDone(ctx context.Context, conn net.Conn) func() bool {
	return context.AfterFunc(ctx, func() { conn.Close() })
}
