// Package tlstap watches the bytes of a TLS connection from underneath
// crypto/tls and turns the handshake it can see into trace steps.
//
// The tap sits between crypto/tls and the TCP connection:
//
//	tls.Client(tlstap.New(tcpConn, emitter), cfg)
//
// It never alters, delays or reorders bytes and never fails the connection.
// When it cannot make sense of what it sees it says so once (a
// "tap_lost_sync" step) and from then on only passes bytes through. Once
// both directions are encrypted it stops looking at the bytes at all, so
// bulk transfers pay one atomic load per Read or Write.
package tlstap

import (
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"lockbox/client/trace"
)

// Conn is a net.Conn that reports the TLS handshake flowing through it.
// It is safe for concurrent use in the same way as the connection it wraps.
type Conn struct {
	raw net.Conn
	em  trace.Emitter

	// out is the client->server direction (Write), in is server->client (Read).
	out, in side

	// mu guards the parser state shared by both directions.
	mu    sync.Mutex
	st    shared
	facts Facts
}

// side is the parser state of one direction.
type side struct {
	dir trace.Dir
	// done is set once nothing more can be learnt from this direction; it is
	// the only thing Read or Write look at after the handshake.
	done atomic.Bool
	// feedMu keeps one direction's steps in the order its bytes arrived,
	// even though they are emitted outside Conn.mu.
	feedMu sync.Mutex

	// pending holds the steps found by the current feed; guarded by feedMu.
	pending []step

	// The fields below are guarded by Conn.mu.
	hdr       [recordHeaderLen]byte
	hdrN      int
	typ       uint8
	left      int
	body      []byte // the body of a change_cipher_spec or alert record
	hs        []byte // handshake bytes awaiting a complete message
	encrypted bool   // this direction has switched to encrypted records
	// recEncrypted is encrypted as it was when the current record began,
	// since a ServerHello turns encryption on only for the records after it.
	recEncrypted bool
}

// shared is what one direction's parsing needs to know about the other.
type shared struct {
	helloSeen       bool // a real ServerHello (not a HelloRetryRequest) was parsed
	clientSessionID []byte
	lost            bool
}

// step is a trace step waiting to be emitted.
type step struct {
	dir                    trace.Dir
	name, summary, explain string
	failed                 bool
}

// New wraps c, which must not be nil, so that the TLS handshake flowing
// through it is reported to em. A nil em discards the steps; the facts are
// still collected.
func New(c net.Conn, em trace.Emitter) *Conn {
	if em == nil {
		em = trace.Discard
	}
	t := &Conn{raw: c, em: em}
	t.out.dir = trace.Send
	t.in.dir = trace.Recv
	return t
}

// Read reads from the wrapped connection and feeds what it got to the tap,
// including the data of a read that also returned an error.
func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.raw.Read(p)
	if n > 0 && !c.in.done.Load() {
		c.feed(&c.in, p[:n])
	}
	return n, err
}

// Write writes to the wrapped connection and feeds what was written to the
// tap. Bytes are parsed after they are on their way, never before.
func (c *Conn) Write(p []byte) (int, error) {
	n, err := c.raw.Write(p)
	if n > 0 && !c.out.done.Load() {
		c.feed(&c.out, p[:n])
	}
	return n, err
}

// Close closes the wrapped connection.
func (c *Conn) Close() error { return c.raw.Close() }

// LocalAddr returns the wrapped connection's local address.
func (c *Conn) LocalAddr() net.Addr { return c.raw.LocalAddr() }

// RemoteAddr returns the wrapped connection's remote address.
func (c *Conn) RemoteAddr() net.Addr { return c.raw.RemoteAddr() }

// SetDeadline sets the wrapped connection's read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error { return c.raw.SetDeadline(t) }

// SetReadDeadline sets the wrapped connection's read deadline.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.raw.SetReadDeadline(t) }

// SetWriteDeadline sets the wrapped connection's write deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.raw.SetWriteDeadline(t) }

// NetConn returns the wrapped connection.
func (c *Conn) NetConn() net.Conn { return c.raw }

// Facts returns a snapshot of what the tap has learnt so far.
func (c *Conn) Facts() Facts {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.facts
	f.OfferedVersions = slices.Clone(f.OfferedVersions)
	f.ALPN = slices.Clone(f.ALPN)
	f.GroupsOffered = slices.Clone(f.GroupsOffered)
	f.AcceptableCAs = slices.Clone(f.AcceptableCAs)
	return f
}

// feed parses p, seen travelling in s's direction, and emits the resulting
// steps. The emitter is called without Conn.mu held so that an observer may
// call Facts.
func (c *Conn) feed(s *side, p []byte) {
	s.feedMu.Lock()
	defer s.feedMu.Unlock()
	c.mu.Lock()
	c.parse(s, p)
	if s.done.Load() {
		// The connection may live for hours of bulk transfer; keep nothing.
		s.hs, s.body = nil, nil
	}
	steps := s.pending
	c.mu.Unlock()
	for _, st := range steps {
		if st.failed {
			c.em.Fail(st.dir, st.name, st.summary, st.explain)
		} else {
			c.em.Emit(st.dir, st.name, st.summary, st.explain)
		}
	}
	clear(steps)
	s.pending = steps[:0]
}

// add queues a step on s.
func (s *side) add(name, summary, explain string) {
	s.pending = append(s.pending, step{dir: s.dir, name: name, summary: summary, explain: explain})
}

// addFailed queues a failed step on s.
func (s *side) addFailed(name, summary, explain string) {
	s.pending = append(s.pending, step{dir: s.dir, name: name, summary: summary, explain: explain, failed: true})
}

// loseSync gives up parsing in both directions, saying so once.
func (c *Conn) loseSync(s *side, err error) {
	if !c.st.lost {
		c.st.lost = true
		s.pending = append(s.pending, step{
			dir:     trace.Info,
			name:    "tap_lost_sync",
			summary: err.Error(),
			explain: "Lockbox could not follow the TLS messages from here on, so later details come from the TLS library only; the connection itself is not affected.",
		})
	}
	c.out.done.Store(true)
	c.in.done.Store(true)
	c.out.hs, c.in.hs = nil, nil
	c.out.body, c.in.body = nil, nil
}
