package ftpconn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"lockbox/client/internal/fault"
	"lockbox/client/internal/ftpwire"
	"lockbox/client/internal/netconn"
	"lockbox/client/trace"
)

// DataMode says who opens an FTP data connection.
type DataMode string

// The data connection modes.
const (
	// ModePassive (the default; "" means it too): Lockbox connects to a port
	// the server opened (EPSV, else PASV).
	ModePassive DataMode = "passive"
	// ModeActive: Lockbox listens and the server connects to it (EPRT,
	// else PORT), for servers that refuse passive mode.
	ModeActive DataMode = "active"
	// ModeAuto tries passive mode and falls back to active mode when the
	// server refuses it (425, 502, or any refusal of PASV) or its data port
	// cannot be reached in time, as WinSCP does; a session that fell back
	// stays in active mode, and so do the sessions a client.Pool opens after
	// it (Config.WentActive).
	ModeAuto DataMode = "auto"
)

// ActiveOptions place active mode's listening socket.
type ActiveOptions struct {
	// PortMin and PortMax bound the ports listened on, for a firewall that
	// opens only those (0, 0: any port the system picks).
	PortMin, PortMax int
	// BindAddr is the local address to listen on; the zero Addr means the
	// control connection's local address, the one the server can reach.
	BindAddr netip.Addr
	// ExternalAddr is the address the server is told to connect to, for a
	// client behind NAT (FileZilla's "use the following IP address"); the
	// zero Addr means the address listened on.
	ExternalAddr netip.Addr
}

// PassiveRefusedError says that the server refused passive mode (EPSV and
// PASV), or that its passive port could not be reached in time, while the
// session was in passive mode: active mode may work.
type PassiveRefusedError struct {
	// Reply is the server's refusal ("" after a timeout).
	Reply string
	Err   error
}

// Error says that active mode may work.
func (e *PassiveRefusedError) Error() string {
	if e.Reply == "" {
		return fmt.Sprintf("the server's passive-mode data port could not be reached (%v); active mode, where the server connects to Lockbox, may work", e.Err)
	}
	return "the server refused passive mode; active mode, where the server connects to Lockbox, may work"
}

// Unwrap returns the refusal, or the timeout.
func (e *PassiveRefusedError) Unwrap() error { return e.Err }

// ActiveThroughProxyError refuses an active-mode data connection through a
// proxy: in active mode the server connects back to Lockbox, and a proxy
// relays only connections that Lockbox opens.
type ActiveThroughProxyError struct {
	// Proxy is the proxy's URL without the password.
	Proxy string
}

// Error names passive mode as the way.
func (e *ActiveThroughProxyError) Error() string {
	return fmt.Sprintf("active mode cannot work through the proxy %s: the server would have to connect back to Lockbox, which the proxy does not relay; use passive mode", e.Proxy)
}

// refuseActive is the check an active-mode data connection must pass
// before it listens, and auto mode before it falls back to active mode:
// with a proxy it fails with ActiveThroughProxyError. A passive data
// connection (active false) always passes.
func (c *Control) refuseActive(active bool) error {
	if active && c.cfg.Proxy != nil {
		return &ActiveThroughProxyError{Proxy: c.cfg.Proxy.String()}
	}
	return nil
}

const (
	explainListen        = "In active mode the server connects to Lockbox: Lockbox opened a port for this data connection and tells the server where it is (EPRT, or PORT)."
	explainAccept        = "The server connected to Lockbox's port for this data connection (active mode)."
	explainRefuse        = "A connection from another address than the server's reached the data port; Lockbox closed it, since it may be an attempt to steal or replace the data, and keeps waiting for the server."
	explainNoActiveProxy = "In active mode the server connects back to Lockbox, and a proxy relays only the connections Lockbox opens: through a proxy, only passive mode works."
	explainSwitch        = "The server refused passive mode, or its data port could not be reached, so Lockbox tries active mode (the server connects to Lockbox) and keeps it for the rest of this session and for the connections it opens to this server after it."
)

// activeState is a session's active-mode bookkeeping.
type activeState struct {
	on atomic.Bool // data connections are opened in active mode now

	mu      sync.Mutex
	pending *acceptConn // announced to the server, not yet handed to jlaffaye/ftp
	noEPRT  bool        // the server refused EPRT: use PORT
	failed  string      // the refusal given to jlaffaye/ftp's EPSV, replayed for its PASV
	// setupErr is why the latest active set-up failed, told better than
	// the reply jlaffaye/ftp was given.
	setupErr error
	// passive is the passive command (EPSV or PASV) sent for the current
	// data connection, until the connection is dialled.
	passive string
	// passiveTimeout says the latest passive data connection timed out.
	passiveTimeout bool
}

// beginOp forgets what the previous operation left.
func (a *activeState) beginOp() {
	a.mu.Lock()
	a.setupErr, a.failed, a.passive, a.passiveTimeout = nil, "", "", false
	a.mu.Unlock()
}

// takeSetupErr returns why the latest active set-up failed, once.
func (a *activeState) takeSetupErr() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	err := a.setupErr
	a.setupErr = nil
	return err
}

// takePending hands over the announced listener, if any.
func (a *activeState) takePending() *acceptConn {
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.pending
	a.pending = nil
	return p
}

// closePending closes a listener announced and never used.
func (a *activeState) closePending() {
	if p := a.takePending(); p != nil {
		p.Close()
	}
}

// passiveRefused reports whether err ended an operation at the passive
// set-up: the server refused PASV (after EPSV), or the data port it named
// could not be reached in time. reply is the refusal.
func (a *activeState) passiveRefused(err error) (reply string, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.passiveTimeout {
		return "", true
	}
	var perr *textproto.Error
	if a.passive == "PASV" && errors.As(err, &perr) && perr.Code >= 400 && perr.Code != 421 {
		return fmt.Sprintf("%d %s", perr.Code, perr.Msg), true
	}
	return "", false
}

// modeConn is the control connection as jlaffaye/ftp sees it. In active
// mode it answers jlaffaye/ftp's EPSV or PASV itself: it opens a listener,
// sends EPRT (or PORT) to the server, and gives jlaffaye/ftp a passive
// reply whose port leads its dial to the listener (see dialData). It also
// bounds the time jlaffaye/ftp waits for a transfer's final reply after a
// data connection failed (shutCap).
type modeConn struct {
	net.Conn // the protocol log
	ctl      *Control
	queued   []byte // a reply made up for jlaffaye/ftp
	shutCap  atomic.Int64
}

// Write sends jlaffaye/ftp's commands, answering EPSV and PASV itself in
// active mode.
func (m *modeConn) Write(p []byte) (int, error) {
	verb := strings.ToUpper(strings.TrimRight(string(p), "\r\n"))
	if len(p) > 6 || (verb != "EPSV" && verb != "PASV") {
		return m.Conn.Write(p)
	}
	if !m.ctl.active.on.Load() {
		m.ctl.active.mu.Lock()
		m.ctl.active.passive = verb
		m.ctl.active.mu.Unlock()
		return m.Conn.Write(p)
	}
	reply, err := m.ctl.openActive(verb)
	if err != nil {
		return 0, err
	}
	m.queued = append(m.queued, reply...)
	return len(p), nil
}

// Read gives jlaffaye/ftp a made-up reply first, then the server's.
func (m *modeConn) Read(p []byte) (int, error) {
	if len(m.queued) > 0 {
		n := copy(p, m.queued)
		m.queued = m.queued[n:]
		return n, nil
	}
	return m.Conn.Read(p)
}

// SetDeadline caps the deadline jlaffaye/ftp sets before reading a final
// reply while shutCap is set.
func (m *modeConn) SetDeadline(t time.Time) error {
	if c := time.Duration(m.shutCap.Load()); c > 0 && !t.IsZero() && time.Until(t) > c {
		t = time.Now().Add(c)
	}
	return m.Conn.SetDeadline(t)
}

// oneByteReader reads one byte at a time, so a reply read for the engine's
// own command never takes bytes that belong to jlaffaye/ftp.
type oneByteReader struct{ r io.Reader }

// Read reads one byte at most.
func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

// Command sends one command of the engine's own on the control connection
// and reads its reply.
func (c *Control) Command(line string) (code int, msg string, err error) {
	if _, err := io.WriteString(c.wire, line+"\r\n"); err != nil {
		return 0, "", err
	}
	code, msg, err = textproto.NewReader(bufio.NewReaderSize(oneByteReader{c.wire}, 16)).ReadResponse(0)
	if err == nil {
		err = c.wire.Failure()
	}
	return code, msg, err
}

// openActive announces a new listener to the server and returns the reply
// jlaffaye/ftp gets for its passive command: a made-up passive reply on
// success, else the server's refusal. An error is a failure of the control
// connection.
func (c *Control) openActive(verb string) ([]byte, error) {
	a := &c.active
	a.mu.Lock()
	failed := a.failed
	a.failed = ""
	a.mu.Unlock()
	if verb == "PASV" && failed != "" {
		// jlaffaye/ftp tries PASV after a refused EPSV; the refusal stands.
		return []byte(failed), nil
	}
	a.closePending()
	refuse := func(reply string, err error) ([]byte, error) {
		if reply == "" || reply[0] != '4' && reply[0] != '5' {
			reply = "425 " + reply
		}
		line := strings.NewReplacer("\r", " ", "\n", " ").Replace(reply) + "\r\n"
		a.mu.Lock()
		a.setupErr, a.failed = err, line
		a.mu.Unlock()
		return []byte(line), nil
	}
	n := c.dataCount.Add(1)
	em := c.rec.Conn(fmt.Sprintf("data %d", n))
	if perr := c.refuseActive(true); perr != nil {
		em.Fail(trace.Info, "tcp_listen", perr.Error(), explainNoActiveProxy)
		return refuse("Lockbox cannot use active mode through a proxy", perr)
	}
	ln, announce, err := c.listenActive()
	if err != nil {
		em.Fail(trace.Info, "tcp_listen", err.Error(), "Lockbox could not open a port for the server to connect to (active mode).")
		return refuse("Lockbox could not listen", &fault.StepError{Step: "tcp_listen", Err: err})
	}
	em.Emit(trace.Info, "tcp_listen", listenSummary(ln, announce), explainListen)
	acc := &acceptConn{ln: ln, peer: c.serverAddr(), em: em, timeout: c.cfg.Timeout, ctx: c.ctx}

	step, reply, err := c.announce(announce)
	if err != nil {
		ln.Close()
		return nil, err
	}
	if reply != "" {
		ln.Close()
		return refuse(reply, &fault.StepError{Step: step, Reply: reply, Err: errors.New("the server refused active mode")})
	}
	a.mu.Lock()
	a.pending = acc
	a.mu.Unlock()
	port := ln.Addr().(*net.TCPAddr).Port
	if verb == "EPSV" {
		return fmt.Appendf(nil, "229 Entering Extended Passive Mode (|||%d|)\r\n", port), nil
	}
	return fmt.Appendf(nil, "227 Entering Passive Mode (127,0,0,1,%d,%d)\r\n", port>>8, port&0xff), nil
}

// announce tells the server where to connect: EPRT, or PORT when the
// server refused EPRT (then for the rest of the session). reply is the
// server's refusal, "" when it agreed.
func (c *Control) announce(ap netip.AddrPort) (step, reply string, err error) {
	c.active.mu.Lock()
	noEPRT := c.active.noEPRT
	c.active.mu.Unlock()
	portArg, portErr := ftpwire.PORTArg(ap)
	if !noEPRT {
		code, msg, err := c.Command("EPRT " + ftpwire.EPRTArg(ap))
		var perr *textproto.Error
		switch {
		case err == nil && code/100 == 2:
			return "eprt", "", nil
		case err != nil && !errors.As(err, &perr):
			return "eprt", "", err
		case portErr != nil:
			return "eprt", fmt.Sprintf("%d %s", code, msg), nil
		}
		// 500/502 unknown command, 522 protocol not supported: PORT may do.
		c.active.mu.Lock()
		c.active.noEPRT = true
		c.active.mu.Unlock()
	}
	if portErr != nil {
		return "port", "", portErr
	}
	code, msg, err := c.Command("PORT " + portArg)
	var perr *textproto.Error
	switch {
	case err == nil && code/100 == 2:
		return "port", "", nil
	case err != nil && !errors.As(err, &perr):
		return "port", "", err
	}
	return "port", fmt.Sprintf("%d %s", code, msg), nil
}

func listenSummary(ln *net.TCPListener, announce netip.AddrPort) string {
	s := "listening on " + ln.Addr().String()
	if announce.String() != ln.Addr().String() {
		s += ", announced as " + announce.String()
	}
	return s
}

// serverAddr is the address of the control connection's peer: the only
// one a data connection is accepted from.
func (c *Control) serverAddr() netip.Addr {
	return c.raw.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().Unmap()
}

// listenActive opens the listener for one data connection and returns the
// address to announce.
func (c *Control) listenActive() (*net.TCPListener, netip.AddrPort, error) {
	o := c.cfg.Active
	ip := o.BindAddr
	if !ip.IsValid() {
		ip = c.raw.LocalAddr().(*net.TCPAddr).AddrPort().Addr().Unmap()
	}
	var ln *net.TCPListener
	var err error
	if o.PortMin == 0 && o.PortMax == 0 {
		ln, err = net.ListenTCP("tcp", net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
	} else {
		lo, hi := o.PortMin, max(o.PortMax, o.PortMin)
		span := hi - lo + 1
		start := rand.IntN(span) // two sessions should not race for the same port
		for i := range span {
			port := lo + (start+i)%span
			if ln, err = net.ListenTCP("tcp", net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port)))); err == nil {
				break
			}
		}
		if err != nil {
			err = fmt.Errorf("no free port from %d to %d on %s: %w", lo, hi, ip, err)
		}
	}
	if err != nil {
		return nil, netip.AddrPort{}, err
	}
	announce := ln.Addr().(*net.TCPAddr).AddrPort()
	announce = netip.AddrPortFrom(announce.Addr().Unmap(), announce.Port())
	if o.ExternalAddr.IsValid() {
		announce = netip.AddrPortFrom(o.ExternalAddr.Unmap(), announce.Port())
	}
	return ln, announce, nil
}

// acceptConn is an active-mode data connection. The server connects only
// after it received the command that uses the connection, which
// jlaffaye/ftp sends after its dial returned, so the accept waits for the
// first read or write (or the TLS handshake's). A connection from another
// address than the server's is closed, and the wait goes on until the
// deadline.
type acceptConn struct {
	ln      *net.TCPListener
	peer    netip.Addr
	em      trace.Emitter
	timeout time.Duration
	ctx     context.Context

	once sync.Once
	err  error

	mu     sync.Mutex
	conn   net.Conn  // the server's connection, once accepted
	dl     time.Time // a deadline set before the accept
	closed bool
}

func (a *acceptConn) accept() error {
	a.once.Do(func() { a.err = a.doAccept() })
	return a.err
}

func (a *acceptConn) doAccept() error {
	defer a.ln.Close()
	stop := context.AfterFunc(a.ctx, func() { a.ln.Close() })
	defer stop()
	deadline := time.Now().Add(a.timeout)
	a.mu.Lock()
	if !a.dl.IsZero() && a.dl.Before(deadline) {
		deadline = a.dl
	}
	a.mu.Unlock()
	a.ln.SetDeadline(deadline)
	for {
		conn, err := a.ln.AcceptTCP()
		if err != nil {
			var nerr net.Error
			if errors.As(err, &nerr) && nerr.Timeout() {
				// %v: the control connection's timeout wording must not
				// take this for a silent server.
				err = fmt.Errorf("the server did not connect to %s within %s (%v)", a.ln.Addr(), a.timeout, err)
			}
			a.em.Fail(trace.Recv, "tcp_accept", err.Error(), "The server did not open the data connection to Lockbox (active mode); a firewall or NAT between them may block it.")
			return &fault.StepError{Step: "tcp_accept", Err: err}
		}
		from := conn.RemoteAddr().(*net.TCPAddr).AddrPort()
		if from.Addr().Unmap() != a.peer {
			conn.SetLinger(0)
			conn.Close()
			a.em.Emit(trace.Recv, "tcp_accept_refused", fmt.Sprintf("refused %s: not the server (%s)", from, a.peer), explainRefuse)
			continue
		}
		// Bulk data outside Go's network poller, as a dialled data
		// connection's (netconn.DialData); on failure the TCPConn serves.
		adopted, _ := netconn.AdoptData(conn)
		a.mu.Lock()
		if a.closed {
			a.mu.Unlock()
			adopted.Close()
			return &fault.StepError{Step: "tcp_accept", Err: net.ErrClosed}
		}
		a.conn = adopted
		if !a.dl.IsZero() {
			conn.SetDeadline(a.dl)
		}
		a.mu.Unlock()
		a.em.Emit(trace.Recv, "tcp_accept", fmt.Sprintf("%s → %s", from, conn.LocalAddr()), explainAccept)
		return nil
	}
}

// Read accepts the server's connection if not yet, then reads from it.
func (a *acceptConn) Read(p []byte) (int, error) {
	if err := a.accept(); err != nil {
		return 0, err
	}
	return a.conn.Read(p)
}

// Write accepts the server's connection if not yet, then writes to it.
func (a *acceptConn) Write(p []byte) (int, error) {
	if err := a.accept(); err != nil {
		return 0, err
	}
	return a.conn.Write(p)
}

// Handshake accepts the server's connection now if no read or write has
// yet: jlaffaye/ftp calls it after uploading an empty file, which writes
// nothing; without it the server's connection would wait in the backlog
// and the server for the end of the file.
func (a *acceptConn) Handshake() error { return a.accept() }

// Close closes the listener and the connection, whichever exist.
func (a *acceptConn) Close() error {
	a.mu.Lock()
	a.closed = true
	conn := a.conn
	a.mu.Unlock()
	a.ln.Close()
	if conn != nil {
		return conn.Close()
	}
	return nil
}

// CloseWrite half-closes the accepted connection (see halfClose in data.go).
func (a *acceptConn) CloseWrite() error {
	a.mu.Lock()
	conn := a.conn
	a.mu.Unlock()
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// LocalAddr is the listener's address until the server connected.
func (a *acceptConn) LocalAddr() net.Addr {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.conn != nil {
		return a.conn.LocalAddr()
	}
	return a.ln.Addr()
}

// RemoteAddr is the server's address (port 0 until it connected).
func (a *acceptConn) RemoteAddr() net.Addr {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.conn != nil {
		return a.conn.RemoteAddr()
	}
	return net.TCPAddrFromAddrPort(netip.AddrPortFrom(a.peer, 0))
}

// SetDeadline bounds the accept too, so a cancelled TLS handshake ends it.
func (a *acceptConn) SetDeadline(t time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.dl = t
	if a.conn != nil {
		return a.conn.SetDeadline(t)
	}
	if !t.IsZero() {
		a.ln.SetDeadline(t)
	}
	return nil
}

// SetReadDeadline is SetDeadline for reads (and the accept).
func (a *acceptConn) SetReadDeadline(t time.Time) error {
	a.mu.Lock()
	conn := a.conn
	a.mu.Unlock()
	if conn != nil {
		return conn.SetReadDeadline(t)
	}
	return a.SetDeadline(t)
}

// SetWriteDeadline is SetDeadline for writes (and the accept).
func (a *acceptConn) SetWriteDeadline(t time.Time) error {
	a.mu.Lock()
	conn := a.conn
	a.mu.Unlock()
	if conn != nil {
		return conn.SetWriteDeadline(t)
	}
	return a.SetDeadline(t)
}
