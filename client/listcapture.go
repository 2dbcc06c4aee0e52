package client

import (
	"bytes"
	"lockbox/client/internal/ftpwire"
	"net"
	"sync"
	"sync/atomic"

	"github.com/jlaffaye/ftp"
)

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

// listWithPerms lists dir with jlaffaye/ftp and reads the permissions from
// the raw listing it received.
func (s *Session) listWithPerms(dir string) (entries []*ftp.Entry, perms ftpwire.Perms, err error) {
	s.ctl.capture.start()
	defer func() { perms = ftpwire.ParsePerms(s.ctl.capture.stop()) }()
	entries, err = s.sc.List(dir)
	return
}
