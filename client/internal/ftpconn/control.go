// Package ftpconn owns the connections of one FTP session: the control
// connection up to and including TLS (banner, AUTH TLS, PBSZ/PROT), the
// login through jlaffaye/ftp, every data connection (passive, active, their
// lazy TLS handshakes, half-closes and listing capture), and the running of
// one operation over them (deadlines, cancellation, a broken connection,
// auto mode's fallback to active mode). Package client's Session says which
// commands to send; the trust decisions come from client through the TLS
// interface, so this package never judges a certificate itself.
package ftpconn

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jlaffaye/ftp"

	"lockbox/client/internal/fault"
	"lockbox/client/internal/ftpwire"
	"lockbox/client/internal/netconn"
	"lockbox/client/internal/proxydial"
	"lockbox/client/tlstap"
	"lockbox/client/trace"
)

// TLS is the engine's side of every TLS connection of a session, which
// package client implements: one tls.Config per connection whose callbacks
// verify the server and answer a certificate request, the recorded
// handshake, and errors a user can act on.
type TLS interface {
	// Config returns the tls.Config for one connection, whose callbacks
	// record onto em; conn is the connection under the handshake, whose
	// deadline is lifted while the user decides.
	Config(ctx context.Context, em trace.Emitter, control bool, conn net.Conn) *tls.Config
	// Handshake runs tc's handshake and records its outcome on em; a
	// failure is a *fault.StepError (tls_handshake, or data_tls_handshake
	// for a data connection).
	Handshake(ctx context.Context, tc *tls.Conn, em trace.Emitter, control bool) error
	// ExplainHandshakeError turns an error met on a TLS connection into
	// the one a user can act on (a client certificate the server wanted,
	// a TLS version it refused), or returns it as it is.
	ExplainHandshakeError(err error) error
}

// Config is what a control connection needs to know of the session's
// target and options.
type Config struct {
	// Address is the server's host:port; Host is its host, which data
	// connections go to through a proxy.
	Address, Host string
	// TLS is nil for plain FTP. With it, Implicit means TLS from the first
	// byte (ftps://), else AUTH TLS after the banner (ftpes://).
	TLS      TLS
	Implicit bool
	// LoginTLS is handed to jlaffaye/ftp when the server takes PROT P only
	// after the login: with the engine's dial function, its only effect
	// is that Login sends PBSZ 0 and PROT P.
	LoginTLS *tls.Config
	// Proxy relays every connection Lockbox opens; nil dials directly.
	Proxy *proxydial.Proxy
	// Timeout bounds each step and each later network read or write.
	Timeout time.Duration
	// Mode and Active say who opens data connections, and where active
	// mode listens.
	Mode   DataMode
	Active ActiveOptions
	// WentActive is shared by a pool's sessions: once one of them fell
	// back to active mode (ModeAuto), later ones start in it. May be nil.
	WentActive *atomic.Bool
	// DisableEPSV and MDTMWrite are handed to jlaffaye/ftp (see
	// client.Options).
	DisableEPSV, MDTMWrite bool
	// Downgrade is asked when the server refuses AUTH TLS, now saying
	// what happened: it returns the error to fail with instead of the
	// refusal (a possible downgrade attack), or nil. May be nil.
	Downgrade func(em trace.Emitter, now string, cause error) error
	// TLSSeen is told that the control connection negotiated TLS. May be
	// nil.
	TLSSeen func(em trace.Emitter)
}

// Control is an FTP control connection up to and including TLS: TCP
// connect, banner, AUTH TLS (explicit) or TLS first (implicit), handshake.
// The engine owns every socket; jlaffaye/ftp is handed the finished control
// connection and dials data connections through dialData.
type Control struct {
	cfg Config
	rec *trace.Recorder
	em  trace.Emitter

	raw    net.Conn     // the TCP connection
	tls    *tls.Conn    // nil for plain ftp://
	wire   *ftpwire.Log // the plaintext FTP dialogue, above TLS
	banner []byte       // the server's greeting as received, replayed to jlaffaye/ftp

	dataCount atomic.Int32
	dataFresh atomic.Bool     // the latest data handshake did not resume the control session
	ctx       context.Context // the session's lifetime: cancels data handshakes
	data      dataTracker     // the data connection in use (data.go)
	capture   listCapture     // the raw bytes of a listing, while one runs (data.go)
	active    activeState     // active mode (active.go)
	jconn     *modeConn       // the control connection as jlaffaye/ftp sees it
	broken    atomic.Bool     // the control connection failed (ops.go)
}

const (
	explainControlConnect = "Lockbox opened the control connection, which carries FTP commands and replies."
	explainDataConnect    = "Lockbox opened a separate data connection for a listing or a file."
)

// Open connects, reads the banner and, for FTPS, completes the TLS
// handshake. ctx bounds the connect; sessCtx is the session's lifetime,
// which later data handshakes and trust questions run under. Steps are
// recorded on rec's "control" connection. On error the connection is
// closed.
func Open(ctx context.Context, sessCtx context.Context, cfg Config, rec *trace.Recorder) (_ *Control, err error) {
	c := &Control{cfg: cfg, rec: rec, em: rec.Conn("control"), ctx: sessCtx}
	dctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	c.raw, err = proxydial.Dial(dctx, cfg.Address, cfg.Proxy, c.em, explainControlConnect, netconn.Dial)
	cancel()
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			c.raw.Close()
		}
	}()
	stop := netconn.CloseOnDone(ctx, c.raw)
	defer stop()
	defer c.raw.SetDeadline(time.Time{})

	conn := c.raw
	if cfg.TLS != nil && cfg.Implicit {
		c.StartStep()
		if c.tls, err = c.handshake(ctx); err != nil {
			return nil, err
		}
		c.recordTLS()
		conn = c.tls
	}
	c.wire = ftpwire.NewLog(conn, c.em)
	c.wire.Expect("ftp_banner")
	c.StartStep()
	var seen bytes.Buffer
	br := bufio.NewReader(io.TeeReader(c.wire, &seen))
	if _, _, err := textproto.NewReader(br).ReadResponse(220); err != nil {
		return nil, c.stepErr(ctx, "ftp_banner", err)
	}
	if err := c.wire.Failure(); err != nil {
		return nil, c.stepErr(ctx, "ftp_banner", err)
	}
	// jlaffaye/ftp reads the greeting again from the replay. Under implicit
	// TLS or plain FTP anything the server sent after it follows too; under
	// explicit TLS it cannot be trusted and is left to authTLS to refuse.
	c.banner = seen.Bytes()
	if cfg.TLS != nil && !cfg.Implicit {
		c.banner = c.banner[:len(c.banner)-br.Buffered()]
		if err := c.authTLS(ctx, br); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// handshake runs the control connection's TLS handshake through the
// record-layer tap, which goes under crypto/tls so it sees the bytes on
// the wire.
func (c *Control) handshake(ctx context.Context) (*tls.Conn, error) {
	tc := tls.Client(tlstap.New(c.raw, c.em), c.cfg.TLS.Config(c.ctx, c.em, true, c.raw))
	if err := c.cfg.TLS.Handshake(ctx, tc, c.em, true); err != nil {
		return nil, err
	}
	return tc, nil
}

// recordTLS notes that the control connection negotiated TLS, so that a
// later connection without it is noticed.
func (c *Control) recordTLS() {
	if c.cfg.TLSSeen != nil {
		c.cfg.TLSSeen(c.em)
	}
}

// TLSConn is the control connection's TLS layer, nil for plain FTP.
func (c *Control) TLSConn() *tls.Conn { return c.tls }

// authTLS upgrades the control connection. A server that refuses AUTH TLS
// ends the connection here, before the user name or password is sent.
func (c *Control) authTLS(ctx context.Context, br *bufio.Reader) error {
	c.StartStep()
	if _, err := io.WriteString(c.wire, "AUTH TLS\r\n"); err != nil {
		return c.stepErr(ctx, "auth_tls", err)
	}
	if _, _, err := textproto.NewReader(br).ReadResponse(234); err != nil {
		var perr *textproto.Error
		if !errors.As(err, &perr) {
			return c.stepErr(ctx, "auth_tls", err) // silent, cut off or not FTP
		}
		refusal := fmt.Errorf("the server refused to switch to TLS, so Lockbox stopped before sending your user name or password: %w", err)
		if c.cfg.Downgrade != nil {
			if derr := c.cfg.Downgrade(c.em, "now it refused AUTH TLS", err); derr != nil {
				refusal = derr
			}
		}
		return c.stepErr(ctx, "auth_tls", refusal)
	}
	if err := c.wire.Failure(); err != nil {
		// bufio hands textproto a line cut short by the error as if complete.
		return c.stepErr(ctx, "auth_tls", err)
	}
	if br.Buffered() > 0 {
		// Bytes sent before the handshake would be read later as if they came
		// over TLS: the STARTTLS command-injection attack.
		return &fault.StepError{Step: "auth_tls", Err: errors.New("the server sent data after accepting AUTH TLS and before the TLS handshake; refusing it as a possible injection attack")}
	}
	c.StartStep()
	tc, err := c.handshake(ctx)
	if err != nil {
		return err
	}
	c.tls = tc
	c.wire = ftpwire.NewLog(tc, c.em)
	c.recordTLS()
	return nil
}

// protect asks for encrypted data connections (PBSZ 0, PROT P) before the
// user name and password are sent: a server that refuses PROT P would carry
// listings and files in clear text, so the connection ends here. done says
// the server agreed; a server that only takes PROT P after login (530) must
// be asked again then, by jlaffaye/ftp's Login (which fails the login if it
// still refuses).
func (c *Control) protect(ctx context.Context) (done bool, err error) {
	c.StartStep()
	defer c.raw.SetDeadline(time.Time{})
	tp := textproto.NewConn(c.wire)
	for _, cmd := range []string{"PBSZ 0", "PROT P"} {
		step := strings.ToLower(strings.Fields(cmd)[0])
		if err := tp.PrintfLine("%s", cmd); err != nil {
			return false, c.stepErr(ctx, step, err)
		}
		code, msg, err := tp.ReadResponse(0)
		if err == nil {
			err = c.wire.Failure() // a reply line cut short by the length limit
		}
		if err != nil {
			return false, c.stepErr(ctx, step, err)
		}
		switch {
		case code/100 == 2:
		case code == 530:
			return false, nil
		default:
			return false, &fault.StepError{Step: step, Reply: fmt.Sprintf("%d %s", code, msg),
				Err: errors.New("the server refuses to encrypt data connections, so listings and files would travel in clear text; Lockbox stopped before sending your user name or password")}
		}
	}
	return true, nil
}

// StartStep gives the next step the configured time: a server that is
// silent, or drips its reply, past it ends the step with a timeout.
func (c *Control) StartStep() {
	c.raw.SetDeadline(time.Now().Add(c.cfg.Timeout))
}

// stepErr names the step that failed and prefers the context's reason.
func (c *Control) stepErr(ctx context.Context, step string, err error) error {
	var nerr net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &nerr) && nerr.Timeout() {
		err = fmt.Errorf("the server did not answer within %s: %w", c.cfg.Timeout, err)
	} else if ctxErr := ctx.Err(); ctxErr != nil {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	var perr *textproto.Error
	if errors.As(err, &perr) {
		se := &fault.StepError{Step: step, Reply: fmt.Sprintf("%d %s", perr.Code, perr.Msg), Err: err}
		// vsftpd answers 522 to a data connection that did not resume the
		// control session; ProFTPD answers 425 (426 once the transfer
		// started). Other refusals (550 no such file…) are not about it.
		if perr.Code == 522 || (perr.Code == 425 || perr.Code == 426) && c.dataFresh.Load() {
			se.Hint, se.Reason = c.resumptionHint()
		}
		return se
	}
	if c.cfg.TLS != nil {
		err = c.cfg.TLS.ExplainHandshakeError(err)
	}
	return &fault.StepError{Step: step, Err: err}
}

// Confirm sends FEAT over the finished channel: under TLS 1.3 a server's
// refusal of the client's certificate only arrives after the handshake, and
// this read is where it shows.
func (c *Control) Confirm(ctx context.Context) error {
	c.StartStep()
	defer c.raw.SetDeadline(time.Time{})
	tp := textproto.NewConn(c.wire)
	if err := tp.PrintfLine("FEAT"); err != nil {
		return c.stepErr(ctx, "feat", err)
	}
	_, _, err := tp.ReadResponse(0)
	if err == nil {
		err = c.wire.Failure() // a reply line cut short by the length limit
	}
	if err != nil {
		var perr *textproto.Error
		if !errors.As(err, &perr) {
			return c.stepErr(ctx, "feat", err)
		}
	}
	if err := tp.PrintfLine("QUIT"); err == nil {
		tp.ReadResponse(0)
	}
	return nil
}

// resumptionHint explains a 522 reply: the server wants each data
// connection to resume the control connection's TLS session. Go resumes only
// with session tickets, so a TLS 1.2 server that issues none cannot be
// satisfied: that case comes with its reason, for the front end to advise.
func (c *Control) resumptionHint() (string, fault.Reason) {
	if c.tls != nil && c.tls.ConnectionState().Version == tls.VersionTLS12 {
		if _, ticket := trace.Find(c.rec.Steps(), "control", "new_session_ticket"); !ticket {
			return "the server requires data connections to resume the control connection's TLS session, but under TLS 1.2 it issued no session ticket, and Go's TLS can resume only with tickets", fault.ReasonResumptionNeedsTickets
		}
	}
	return "the server requires data connections to resume the control connection's TLS session, and this data connection did not", fault.ReasonNone
}

// Close closes every connection of the session: a half-closed data
// connection, an active-mode listener never used, and the control
// connection.
func (c *Control) Close() error {
	c.data.finish()
	c.active.closePending()
	return c.raw.Close()
}

// replayConn gives jlaffaye/ftp the banner the engine already read, then
// the live connection.
type replayConn struct {
	net.Conn
	prefix []byte
}

// Read returns the banner first, then what the connection reads.
func (r *replayConn) Read(p []byte) (int, error) {
	if len(r.prefix) > 0 {
		n := copy(p, r.prefix)
		r.prefix = r.prefix[n:]
		return n, nil
	}
	return r.Conn.Read(p)
}

// Login asks for encrypted data connections (under TLS), hands the control
// connection to jlaffaye/ftp and logs in with user and pass. Every later
// data connection is dialled, or accepted, by the engine (dialData). On
// error the control connection is closed and the error names the step.
func (c *Control) Login(ctx context.Context, user, pass string) (*ftp.ServerConn, error) {
	protected := false
	if c.tls != nil {
		var err error
		if protected, err = c.protect(ctx); err != nil {
			c.Close()
			return nil, err
		}
	}
	first := true
	c.active.on.Store(c.cfg.Mode == ModeActive || c.cfg.Mode == ModeAuto && c.cfg.WentActive != nil && c.cfg.WentActive.Load())
	c.data.failed = c.endDataFast
	dial := func(network, addr string) (net.Conn, error) {
		if first {
			first = false
			c.jconn = &modeConn{Conn: c.wire, ctl: c}
			return &replayConn{Conn: c.jconn, prefix: c.banner}, nil
		}
		return c.capture.wrap(c.dialData(addr))
	}
	dopts := []ftp.DialOption{ftp.DialWithDialFunc(dial), ftp.DialWithShutTimeout(c.cfg.Timeout)}
	if c.cfg.DisableEPSV {
		dopts = append(dopts, ftp.DialWithDisabledEPSV(true))
	}
	if c.cfg.MDTMWrite {
		dopts = append(dopts, ftp.DialWithWritingMDTM(true))
	}
	if c.tls != nil && !protected {
		// The only effect of this option with our dial function: Login sends
		// PBSZ 0 and PROT P, for a server that wanted them after login.
		// The engine dials and encrypts data connections itself.
		dopts = append(dopts, ftp.DialWithTLS(c.cfg.LoginTLS))
	}
	stop := netconn.CloseOnDone(ctx, c.raw)
	c.StartStep()
	sc, err := ftp.Dial(c.cfg.Address, dopts...)
	if err == nil {
		if err = sc.Login(user, pass); err != nil {
			sc.Quit()
		}
	}
	if !stop() || err != nil {
		c.Close()
		if err == nil {
			err = ctx.Err()
		}
		return nil, c.stepErr(ctx, "login", err)
	}
	c.raw.SetDeadline(time.Time{})
	return sc, nil
}
