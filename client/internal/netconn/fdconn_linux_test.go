//go:build linux

package netconn

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fdPair dials a loopback listener with DialData and returns both ends.
func fdPair(t *testing.T, network, addr string) (client net.Conn, server net.Conn) {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	c, err := DialData(context.Background(), ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		c.Close()
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c, s
}

func TestFDConnIsNotATCPConn(t *testing.T) {
	c, _ := fdPair(t, "tcp4", "127.0.0.1:0")
	if _, ok := c.(*fdConn); !ok {
		t.Fatalf("DialData gave a %T, want *fdConn", c)
	}
}

func TestFDConnRoundTrip(t *testing.T) {
	for _, tc := range []struct{ name, network, addr string }{
		{"IPv4", "tcp4", "127.0.0.1:0"},
		{"IPv6", "tcp6", "[::1]:0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.network == "tcp6" {
				if ln, err := net.Listen("tcp6", "[::1]:0"); err != nil {
					t.Skipf("no IPv6 loopback here: %v", err)
				} else {
					ln.Close()
				}
			}
			c, s := fdPair(t, tc.network, tc.addr)
			if c.RemoteAddr().String() != s.LocalAddr().String() || c.LocalAddr().String() != s.RemoteAddr().String() {
				t.Fatalf("addresses: client %v -> %v, server %v <- %v", c.LocalAddr(), c.RemoteAddr(), s.LocalAddr(), s.RemoteAddr())
			}
			// More than the socket buffers hold, each way, so that both the
			// read and the write side have to wait.
			want := bytes.Repeat([]byte("lockbox fdConn "), 1<<20)
			go func() {
				io.Copy(s, s) // echo until the client half-closes
				s.(*net.TCPConn).CloseWrite()
			}()
			werr := make(chan error, 1)
			go func() {
				n, err := c.Write(want)
				if err == nil && n != len(want) {
					err = io.ErrShortWrite
				}
				if err == nil {
					err = c.(*fdConn).CloseWrite()
				}
				werr <- err
			}()
			got, err := io.ReadAll(c)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if err := <-werr; err != nil {
				t.Fatalf("write: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("echoed %d bytes, want the %d sent", len(got), len(want))
			}
			if n, err := c.Read(make([]byte, 10)); n != 0 || err != io.EOF {
				t.Fatalf("read after EOF = %d, %v; want 0, EOF", n, err)
			}
		})
	}
}

func TestFDConnReadDeadline(t *testing.T) {
	c, _ := fdPair(t, "tcp4", "127.0.0.1:0")
	// A deadline already past fails the read at once...
	c.SetReadDeadline(time.Now().Add(-time.Second))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past the deadline: %v, want a timeout", err)
	}
	// ...and a read that waits with none is cut off by a sooner one set
	// meanwhile (or, if the deadline comes first, fails at once).
	c.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1))
		done <- err
	}()
	c.SetReadDeadline(time.Now())
	if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("waiting read after SetReadDeadline(now): %v, want a timeout", err)
	}
	if got := err.Error(); !bytes.Contains([]byte(got), []byte("i/o timeout")) {
		t.Fatalf("error text %q lacks %q", got, "i/o timeout")
	}
}

func TestFDConnCloseInterruptsWaits(t *testing.T) {
	c, _ := fdPair(t, "tcp4", "127.0.0.1:0")
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(2)
	go func() { // the peer never writes: this read waits
		defer wg.Done()
		_, err := c.Read(make([]byte, 1))
		errs <- err
	}()
	go func() { // the peer never reads: 64 MiB cannot all fit, so this write waits
		defer wg.Done()
		n, err := c.Write(make([]byte, 64<<20))
		if err != nil && n >= 64<<20 {
			err = errors.New("the whole write went through")
		}
		errs <- err
	}()
	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("wait cut off by Close: %v, want net.ErrClosed", err)
		}
	}
	if err := c.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second close: %v, want net.ErrClosed", err)
	}
	if err := c.SetDeadline(time.Now()); !errors.Is(err, net.ErrClosed) {
		t.Errorf("SetDeadline after close: %v, want net.ErrClosed", err)
	}
}

func TestFDConnWriteDeadline(t *testing.T) {
	c, _ := fdPair(t, "tcp4", "127.0.0.1:0")
	done := make(chan error, 1)
	go func() {
		_, err := c.Write(make([]byte, 64<<20)) // the peer never reads
		done <- err
	}()
	c.SetWriteDeadline(time.Now())
	if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("write after SetWriteDeadline(now): %v, want a timeout", err)
	}
}

func TestDialDataTCPErrors(t *testing.T) {
	// A port nobody listens on (the listener is closed first).
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = DialData(context.Background(), addr)
	var oe *net.OpError
	if !errors.Is(err, syscall.ECONNREFUSED) || !errors.As(err, &oe) || oe.Op != "dial" {
		t.Fatalf("dial to a closed port: %v, want a dial error with ECONNREFUSED", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := DialData(ctx, addr); !errors.Is(err, context.Canceled) {
		t.Fatalf("dial with a cancelled context: %v, want context.Canceled", err)
	}
}

func TestDialDataTCPHostName(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Write([]byte("hi"))
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	c, err := DialData(context.Background(), net.JoinHostPort("localhost", port))
	if err != nil {
		t.Fatalf("dial localhost:%s: %v", port, err)
	}
	defer c.Close()
	if _, ok := c.(*fdConn); !ok {
		t.Fatalf("got a %T, want *fdConn", c)
	}
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "hi" {
		t.Fatalf("read %q, %v; want %q", got, err, "hi")
	}
}

// TestYieldIfDue: a goroutine yields (and notes when) once yieldEvery has
// passed since its last yield, and not before; Read and Write both keep
// the note.
func TestYieldIfDue(t *testing.T) {
	now := time.Now().UnixNano()
	for _, tc := range []struct {
		name  string
		last  int64
		moved bool
	}{
		{"never yielded", 0, true},
		{"long ago", now - 2*yieldEvery, true},
		{"just now", now, false},
		{"in the future (clock stepped back)", now + yieldEvery, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			last := tc.last
			yieldIfDue(&last)
			if moved := last != tc.last; moved != tc.moved {
				t.Fatalf("yielded = %v, want %v (last %d → %d)", moved, tc.moved, tc.last, last)
			}
		})
	}
	c, srv := fdPair(t, "tcp", "127.0.0.1:0")
	fc := c.(*fdConn)
	if _, err := c.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Write([]byte("y")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	if fc.wyield == 0 || fc.ryield == 0 {
		t.Fatalf("after a write and a read: wyield %d, ryield %d; want both noted", fc.wyield, fc.ryield)
	}
}

// An accepted connection adopted as an fdConn carries data both ways,
// half-closes, and leaves Go's descriptor closed.
func TestAdoptDataRoundTrip(t *testing.T) {
	for _, tc := range []struct{ name, network, addr string }{
		{"IPv4", "tcp4", "127.0.0.1:0"},
		{"IPv6", "tcp6", "[::1]:0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen(tc.network, tc.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			peer, err := net.Dial(tc.network, ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer peer.Close()
			acc, err := ln.(*net.TCPListener).AcceptTCP()
			if err != nil {
				t.Fatal(err)
			}
			c, err := AdoptData(acc)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, ok := c.(*fdConn); !ok {
				t.Fatalf("AdoptData gave a %T", c)
			}
			if _, err := acc.Write([]byte("x")); err == nil {
				t.Error("the original descriptor still writes")
			}
			if c.RemoteAddr().String() != peer.LocalAddr().String() {
				t.Errorf("remote address %v, want %v", c.RemoteAddr(), peer.LocalAddr())
			}
			msg := bytes.Repeat([]byte("data"), 1<<18)
			go func() {
				peer.Write(msg)
				peer.(*net.TCPConn).CloseWrite()
			}()
			got, err := io.ReadAll(c)
			if err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("read %d bytes, %v", len(got), err)
			}
			if _, err := c.Write([]byte("back")); err != nil {
				t.Fatal(err)
			}
			if err := c.(*fdConn).CloseWrite(); err != nil {
				t.Fatal(err)
			}
			back, err := io.ReadAll(peer)
			if err != nil || string(back) != "back" {
				t.Fatalf("peer read %q, %v", back, err)
			}
		})
	}
}
