package netconn

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// closeWriter is the half-close the data connections need from whatever
// DialData and AdoptData return: an fdConn on Linux, a *net.TCPConn
// elsewhere (fdconn_other.go).
type closeWriter interface{ CloseWrite() error }

// The contract the engine relies on holds on every platform, so the
// fallback outside Linux is tested by the Windows test run (under wine) and
// fdConn by the Linux one: data both ways beyond the socket buffers, the
// half-close, a read deadline failing with "i/o timeout", and a Close that
// ends a waiting read.
func TestDataConnContract(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T, ln net.Listener) (c, peer net.Conn)
	}{
		{"DialData", func(t *testing.T, ln net.Listener) (net.Conn, net.Conn) {
			acc := make(chan net.Conn, 1)
			go func() { s, _ := ln.Accept(); acc <- s }()
			c, err := DialData(context.Background(), ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			s := <-acc
			if s == nil {
				t.Fatal("accept failed")
			}
			return c, s
		}},
		{"AdoptData", func(t *testing.T, ln net.Listener) (net.Conn, net.Conn) {
			peer, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			acc, err := ln.(*net.TCPListener).AcceptTCP()
			if err != nil {
				t.Fatal(err)
			}
			c, err := AdoptData(acc)
			if err != nil {
				t.Fatal(err)
			}
			return c, peer
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			c, peer := tc.open(t, ln)
			defer c.Close()
			defer peer.Close()

			want := bytes.Repeat([]byte("lockbox data "), 1<<18)
			go func() {
				io.Copy(peer, peer) // echo until c half-closes
				peer.(closeWriter).CloseWrite()
			}()
			werr := make(chan error, 1)
			go func() {
				_, err := c.Write(want)
				if err == nil {
					cw, ok := c.(closeWriter)
					if !ok {
						err = errors.New("no CloseWrite")
					} else {
						err = cw.CloseWrite()
					}
				}
				werr <- err
			}()
			got, err := io.ReadAll(c)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("echo: read %d of %d bytes, %v", len(got), len(want), err)
			}
			if err := <-werr; err != nil {
				t.Fatalf("write and half-close: %v", err)
			}
		})
	}

	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if s, err := ln.Accept(); err == nil {
			defer s.Close()
			io.Copy(io.Discard, s)
		}
	}()
	c, err := DialData(context.Background(), ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Unix(1, 0))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) || !strings.Contains(err.Error(), "i/o timeout") {
		t.Fatalf("read past its deadline: %v, want an i/o timeout", err)
	}
	c.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() { _, err := c.Read(make([]byte, 1)); done <- err }()
	c.Close()
	if err := <-done; err == nil {
		t.Fatal("a read waiting when the connection closed returned no error")
	}
}
