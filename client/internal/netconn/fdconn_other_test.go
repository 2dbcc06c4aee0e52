//go:build !linux

package netconn

import (
	"context"
	"net"
	"testing"
)

// Outside Linux the data connections are Go's own TCP connections.
func TestDataConnIsGoTCPConn(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if s, err := ln.Accept(); err == nil {
			s.Close()
		}
	}()
	c, err := DialData(context.Background(), ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := c.(*net.TCPConn); !ok {
		t.Fatalf("DialData gave a %T outside Linux, want *net.TCPConn", c)
	}
}
