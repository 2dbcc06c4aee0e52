package client

import (
	"errors"
	"io"
	"lockbox/client/internal/netconn"
	"net"
	"sync"
)

// dataTracker follows the data connection a session is using, so that a
// cancelled transfer can be cut off at once, so that a failure of the data
// connection can be told apart from a failure of the control connection
// (after which the session cannot be used any more), and so that a data
// connection is closed only after the server's final reply.
type dataTracker struct {
	mu      sync.Mutex
	raw     net.Conn     // the TCP socket of the latest data connection
	cur     *trackedConn // what jlaffaye/ftp was handed for it
	pending net.Conn     // a half-closed socket awaiting the final reply
	wrap    func(net.Conn) net.Conn
}

// opened records the TCP socket of a new data connection; a test may wrap
// it (to cut it after some bytes, say).
func (d *dataTracker) opened(raw net.Conn) net.Conn {
	d.finish()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.wrap != nil {
		raw = d.wrap(raw)
	}
	d.raw = raw
	return raw
}

// track wraps the connection handed to jlaffaye/ftp.
func (d *dataTracker) track(c net.Conn) net.Conn {
	t := &trackedConn{Conn: c, d: d}
	d.mu.Lock()
	d.cur = t
	d.mu.Unlock()
	return t
}

// current returns the latest data connection (nil before the first).
func (d *dataTracker) current() *trackedConn {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cur
}

// abort closes the latest data connection's socket under any TLS, so a
// read or write blocked on it returns at once.
func (d *dataTracker) abort() {
	d.mu.Lock()
	raw := d.raw
	d.mu.Unlock()
	if raw != nil {
		raw.Close()
	}
	d.finish()
}

// finish closes the socket of a data connection that was half-closed,
// once the server's final reply for it has been read.
func (d *dataTracker) finish() {
	d.mu.Lock()
	p := d.pending
	d.pending = nil
	d.mu.Unlock()
	if p != nil {
		p.Close()
	}
}

// setWrap installs a wrapper for later data connections' sockets (tests).
func (d *dataTracker) setWrap(f func(net.Conn) net.Conn) {
	d.mu.Lock()
	d.wrap = f
	d.mu.Unlock()
}

// trackedConn is a data connection whose Close may be called more than once
// (the engine closes it before jlaffaye/ftp does, so that the server sends
// its final reply) and which remembers the errors it returned.
type trackedConn struct {
	net.Conn
	d *dataTracker

	once     sync.Once
	closeErr error

	mu   sync.Mutex
	errs []error
}

func (t *trackedConn) note(err error) error {
	if err != nil {
		t.mu.Lock()
		t.errs = append(t.errs, err)
		t.mu.Unlock()
	}
	return err
}

// Read reads from the data connection.
func (t *trackedConn) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		t.note(err)
	}
	return n, err
}

// Write writes to the data connection.
func (t *trackedConn) Write(p []byte) (int, error) {
	n, err := t.Conn.Write(p)
	return n, t.note(err)
}

// Close closes the connection once; later calls return nil. A connection
// that saw no error is only half-closed (see halfClose); its socket is
// closed by dataTracker.finish after the server's final reply.
func (t *trackedConn) Close() error {
	t.once.Do(func() {
		t.mu.Lock()
		clean := len(t.errs) == 0
		t.mu.Unlock()
		if clean {
			raw, err := halfClose(t.Conn)
			t.closeErr = t.note(err)
			if raw != nil {
				t.d.mu.Lock()
				t.d.pending = raw
				t.d.mu.Unlock()
			}
			return
		}
		t.closeErr = t.note(t.Conn.Close())
	})
	return nil
}

// halfClose ends a data connection without losing data: it sends TLS
// close_notify and a TCP FIN but leaves the socket open, and returns it, to
// be closed after the server's final reply. Closing a socket whose receive
// buffer holds unread bytes (a TLS 1.3 session ticket the server sent after
// the handshake, during an upload that never reads) makes the kernel send a
// reset, and the server may then lose the end of the upload. A connection
// whose handshake never completed is simply closed (raw is nil then).
func halfClose(c net.Conn) (raw net.Conn, err error) {
	switch x := c.(type) {
	case *lazyTLSConn:
		if !x.tls.ConnectionState().HandshakeComplete {
			return nil, x.Close()
		}
		if err := x.tls.CloseWrite(); err != nil {
			x.raw.Close()
			return nil, err
		}
		raw = x.raw
	case *netconn.IdleConn:
		raw = x.Conn
	default:
		return nil, c.Close()
	}
	if hc, ok := raw.(interface{ CloseWrite() error }); ok {
		hc.CloseWrite()
	}
	return raw, nil
}

// closeFirst closes the connection and returns that close's error.
func (t *trackedConn) closeFirst() error {
	t.Close()
	return t.closeErr
}

// Handshake forwards to the TLS data connection (see lazyTLSConn.Handshake).
func (t *trackedConn) Handshake() error {
	if h, ok := t.Conn.(interface{ Handshake() error }); ok {
		return t.note(h.Handshake())
	}
	return nil
}

// isDataErr reports whether err is one this connection returned.
func (t *trackedConn) isDataErr(err error) bool {
	if t == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.errs {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
