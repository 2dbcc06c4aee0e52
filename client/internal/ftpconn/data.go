package ftpconn

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"lockbox/client/internal/ftpwire"
	"lockbox/client/internal/netconn"
	"lockbox/client/internal/proxydial"
	"lockbox/client/tlstap"
	"lockbox/client/trace"
)

// The FTP data connections live in this file: dialing one (always to the
// control connection's address), its lazy TLS handshake, following the one
// in use (to cut it off, to tell its failures from the control
// connection's, to close it after the server's final reply), capturing a
// listing's raw bytes, and ending a failed one fast. Active mode, where the
// server connects to Lockbox, is its neighbour active.go: the listener,
// EPRT/PORT, and the wrapper that answers jlaffaye/ftp's EPSV/PASV;
// dialData hands its accepted connections on. Streaming a download or an
// upload through a data connection is in ops.go (Download, Upload).

// dialData opens one data connection for jlaffaye/ftp, or in active mode
// hands over the announced listener. Every data connection gets its own
// trace and handshake, which resumes the control connection's TLS session.
func (c *Control) dialData(addr string) (net.Conn, error) {
	if acc := c.active.takePending(); acc != nil {
		// Active mode: the port in the made-up passive reply led here.
		return c.dataConn(acc, acc.em), nil
	}
	c.active.mu.Lock()
	c.active.passive = "" // the server agreed to passive mode
	c.active.mu.Unlock()
	n := c.dataCount.Add(1)
	em := c.rec.Conn(fmt.Sprintf("data %d", n))
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("data connection address %q: %w", addr, err)
	}
	// Like FileZilla, always connect data connections to the control
	// connection's address: a passive reply that points elsewhere is either a
	// server behind NAT that misreports itself or an attempt to bounce us
	// (to make Lockbox connect to, and perhaps send a file to, another host).
	// jlaffaye/ftp already swaps a PASV address for the control host, so the
	// address the server named is read from the protocol log.
	ctl := c.raw.RemoteAddr().(*net.TCPAddr).IP.String()
	if c.cfg.Proxy != nil {
		// The control connection's peer is the proxy: the server is the
		// host the proxy was asked for.
		ctl = c.cfg.Host
	}
	said := host
	if c.wire != nil {
		if h := c.wire.TakePassiveHost(); h != "" {
			said = h
		}
	}
	if said != ctl {
		em.Emit(trace.Info, "pasv_address", fmt.Sprintf("server said %s, using %s", said, ctl),
			"The server's passive reply named another address; Lockbox uses the control connection's address instead, as FileZilla does.")
	}
	addr = net.JoinHostPort(ctl, port)
	dctx, cancel := context.WithTimeout(c.ctx, c.cfg.Timeout)
	defer cancel()
	raw, err := proxydial.Dial(dctx, addr, c.cfg.Proxy, em, explainDataConnect, netconn.DialData)
	if err != nil {
		var nerr net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &nerr) && nerr.Timeout() {
			c.active.mu.Lock()
			c.active.passiveTimeout = true
			c.active.mu.Unlock()
		}
		return nil, err
	}
	return c.dataConn(raw, em), nil
}

// dataConn wraps the socket of a new data connection, dialled or
// accepted: tracked, with the idle timeout, under TLS for FTPS.
func (c *Control) dataConn(raw net.Conn, em trace.Emitter) net.Conn {
	raw = c.data.opened(raw)
	if c.tls == nil {
		return c.data.track(&netconn.IdleConn{Conn: raw, Timeout: c.cfg.Timeout, Broken: c.wire.Failure})
	}
	return c.data.track(&lazyTLSConn{
		raw: raw, ctl: c, em: em,
		tls: tls.Client(tlstap.New(raw, em), c.cfg.TLS.Config(c.ctx, em, false, raw)),
	})
}

// lazyTLSConn is a data connection whose handshake waits for the first read
// or write: servers (vsftpd, ProFTPD, Pure-FTPd) start TLS on a data
// connection only after they received the command that uses it.
type lazyTLSConn struct {
	raw net.Conn
	tls *tls.Conn
	ctl *Control
	em  trace.Emitter

	once sync.Once
	err  error
}

func (l *lazyTLSConn) handshake() error {
	l.once.Do(func() {
		ctx, cancel := context.WithTimeout(l.ctl.ctx, l.ctl.cfg.Timeout)
		defer cancel()
		if l.err = l.ctl.cfg.TLS.Handshake(ctx, l.tls, l.em, false); l.err == nil {
			l.ctl.dataFresh.Store(!l.tls.ConnectionState().DidResume)
		}
	})
	return l.err
}

// Handshake runs the data connection's handshake now if no read or write
// has yet. jlaffaye/ftp calls it after uploading an empty file, which writes
// nothing: without it the server (vsftpd) would wait for a handshake that
// never comes.
func (l *lazyTLSConn) Handshake() error { return l.handshake() }

func (l *lazyTLSConn) deadline() {
	l.raw.SetDeadline(time.Now().Add(l.ctl.cfg.Timeout))
}

// broken is the control connection's protocol violation, if any: a reply
// that broke the line limit (whose cut-off start jlaffaye/ftp took for a
// whole reply) ends the data connection too, before any handshake.
func (l *lazyTLSConn) broken() error {
	if l.ctl.wire == nil {
		return nil
	}
	return l.ctl.wire.Failure()
}

// Read reads after the handshake, within the idle timeout.
func (l *lazyTLSConn) Read(p []byte) (int, error) {
	if err := l.broken(); err != nil {
		return 0, err
	}
	if err := l.handshake(); err != nil {
		return 0, err
	}
	l.deadline()
	return l.tls.Read(p)
}

// Write writes after the handshake, within the idle timeout.
func (l *lazyTLSConn) Write(p []byte) (int, error) {
	if err := l.broken(); err != nil {
		return 0, err
	}
	if err := l.handshake(); err != nil {
		return 0, err
	}
	l.deadline()
	return l.tls.Write(p)
}

// Close, LocalAddr, RemoteAddr and the deadlines are the connection's.
func (l *lazyTLSConn) Close() error                       { return l.tls.Close() }
func (l *lazyTLSConn) LocalAddr() net.Addr                { return l.raw.LocalAddr() }
func (l *lazyTLSConn) RemoteAddr() net.Addr               { return l.raw.RemoteAddr() }
func (l *lazyTLSConn) SetDeadline(t time.Time) error      { return l.raw.SetDeadline(t) }
func (l *lazyTLSConn) SetReadDeadline(t time.Time) error  { return l.raw.SetReadDeadline(t) }
func (l *lazyTLSConn) SetWriteDeadline(t time.Time) error { return l.raw.SetWriteDeadline(t) }

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
	// failed is called when a write fails (set once by Login).
	failed func()
}

// dataEndGrace is how long the server's final reply is awaited after a
// data connection failed: together with closing the data socket, it keeps
// the end of a failed transfer under two seconds. A server that has not
// answered by then leaves a session that is replaced (client.Session.Broken).
const dataEndGrace = 1500 * time.Millisecond

// endDataFast closes the data connection's socket outright (a reset when
// unread bytes remain, so a server blocked sending sees the end at once)
// and bounds the wait for the transfer's final reply by dataEndGrace.
func (c *Control) endDataFast() {
	if c.jconn != nil {
		c.jconn.shutCap.Store(int64(dataEndGrace))
	}
	c.data.abortRaw()
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

// abortRaw closes the latest data connection's socket, like abort, but
// leaves a half-closed socket of an earlier one to finish.
func (d *dataTracker) abortRaw() {
	d.mu.Lock()
	raw := d.raw
	d.mu.Unlock()
	if raw != nil {
		raw.Close()
	}
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

// Read reads from the data connection. A failed read ends the connection
// at once (see Write).
func (t *trackedConn) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		t.fail()
		t.note(err)
	}
	return n, err
}

// Write writes to the data connection. A failed write (the server stopped
// reading, and the idle timeout ran out) ends the connection at once.
func (t *trackedConn) Write(p []byte) (int, error) {
	n, err := t.Conn.Write(p)
	if err != nil {
		t.fail()
	}
	return n, t.note(err)
}

// fail closes the socket and shortens the wait for the final reply (see
// Control.endDataFast).
func (t *trackedConn) fail() {
	if t.d.failed != nil {
		t.d.failed()
	}
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

// Handshake forwards to the TLS data connection (see lazyTLSConn.Handshake)
// or, without TLS, to an active-mode connection's accept (acceptConn).
func (t *trackedConn) Handshake() error {
	c := t.Conn
	if ic, ok := c.(*netconn.IdleConn); ok {
		c = ic.Conn
	}
	if h, ok := c.(interface{ Handshake() error }); ok {
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

// maxListingCapture bounds the raw listing kept to read permissions from:
// a longer listing still lists in full, but entries past the bound have
// no Perm.
const maxListingCapture = 64 << 20

// listCapture keeps a copy of the bytes read from the data connections
// opened while a listing runs, because jlaffaye/ftp parses listings
// without keeping the permissions. When no listing runs it hands data
// connections through untouched, so downloads and uploads never pay for
// it.
type listCapture struct {
	on atomic.Bool

	mu   sync.Mutex
	buf  []byte
	full bool // maxListingCapture was reached; later bytes were dropped
}

// wrap is the hook on the data connection dialler: while a listing runs,
// what is read from the connection is also captured.
func (lc *listCapture) wrap(c net.Conn, err error) (net.Conn, error) {
	if err != nil || !lc.on.Load() {
		return c, err
	}
	return &captureConn{Conn: c, lc: lc}, nil
}

// start begins capturing for one listing.
func (lc *listCapture) start() {
	lc.mu.Lock()
	lc.buf, lc.full = nil, false
	lc.mu.Unlock()
	lc.on.Store(true)
}

// stop ends capturing and returns the whole lines captured: a line cut off
// by the bound is dropped rather than read with half a name.
func (lc *listCapture) stop() []byte {
	lc.on.Store(false)
	lc.mu.Lock()
	defer lc.mu.Unlock()
	raw, full := lc.buf, lc.full
	lc.buf, lc.full = nil, false
	if full {
		raw = raw[:bytes.LastIndexByte(raw, '\n')+1]
	}
	return raw
}

func (lc *listCapture) add(p []byte) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.full {
		return
	}
	if room := maxListingCapture - len(lc.buf); len(p) > room {
		p, lc.full = p[:room], true
	}
	lc.buf = append(lc.buf, p...)
}

// captureConn is a listing's data connection: it copies what it reads to
// its listCapture.
type captureConn struct {
	net.Conn
	lc *listCapture
}

// Read reads from the data connection and captures what it read.
func (c *captureConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.lc.add(p[:n])
	}
	return n, err
}

// Handshake forwards to the TLS data connection (see lazyTLSConn.Handshake).
func (c *captureConn) Handshake() error {
	if h, ok := c.Conn.(interface{ Handshake() error }); ok {
		return h.Handshake()
	}
	return nil
}

// Listing runs list, a listing by jlaffaye/ftp, and reads the permissions
// from the raw listing it received, which jlaffaye/ftp does not keep.
func (c *Control) Listing(list func() error) (perms ftpwire.Perms, err error) {
	c.capture.start()
	defer func() { perms = ftpwire.ParsePerms(c.capture.stop()) }()
	err = list()
	return
}

// SetDataWrap installs a wrapper for later data connections' sockets: a
// test cuts one after some bytes with it (see client/internal/testhook).
func (c *Control) SetDataWrap(f func(net.Conn) net.Conn) { c.data.setWrap(f) }
