package netconn

import (
	"errors"
	"io"
	"net"
	"testing"
)

// A real reset on loopback is IsReset on every platform the tests run on,
// Windows under wine included, where the error is WSAECONNRESET and not
// syscall.ECONNRESET; an orderly close is not. The reset is the one an FTP
// server causes when it closes a data connection without reading the TLS
// ClientHello already sent on it: a socket closed with unread bytes
// resets the connection.
func TestIsReset(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reset bool
	}{{"closed with unread bytes", true}, {"orderly close", false}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.reset && underWine() {
				t.Skip("wine 8.0 limitation: a read issued after the connection was reset returns end of file instead of WSAECONNRESET (a read pending when the reset arrives does get WSAECONNRESET; TestIsResetWindowsErrors checks that error)")
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			if tc.reset {
				// Two bytes in one segment; the peer reads one and
				// closes with the other unread.
				if _, err := c.Write([]byte("ab")); err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadFull(s, make([]byte, 1)); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			_, err = c.Read(make([]byte, 1))
			if err == nil {
				t.Fatal("read after the peer closed: no error")
			}
			if got := IsReset(err); got != tc.reset {
				t.Fatalf("IsReset(%v) = %v, want %v", err, got, tc.reset)
			}
			if !tc.reset && !errors.Is(err, io.EOF) {
				t.Fatalf("orderly close read %v, want EOF", err)
			}
		})
	}
}
