package client

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

	"lockbox/client/internal/ftpwire"
	"lockbox/client/internal/netconn"
	"lockbox/client/trace"
)

// ftpControl is an FTP control connection up to and including TLS: TCP
// connect, banner, AUTH TLS (explicit) or TLS first (implicit), handshake.
// The engine owns every socket; jlaffaye/ftp is handed the finished control
// connection and dials data connections through dialData.
type ftpControl struct {
	target Target
	opts   *Options
	rec    *trace.Recorder
	sec    *security // nil for plain ftp://
	em     trace.Emitter

	raw    net.Conn     // the TCP connection
	tls    *tls.Conn    // nil for plain ftp://
	wire   *ftpwire.Log // the plaintext FTP dialogue, above TLS
	banner []byte       // the server's greeting as received, replayed to jlaffaye/ftp

	dataCount atomic.Int32
	dataFresh atomic.Bool     // the latest data handshake did not resume the control session
	ctx       context.Context // the session's lifetime: cancels data handshakes
	data      dataTracker     // the data connection in use (dataconn.go)
	capture   listCapture     // the raw bytes of a listing, while one runs (dataconn.go)
	active    activeState     // active mode (activemode.go)
	jconn     *modeConn       // the control connection as jlaffaye/ftp sees it
}

const (
	explainControlConnect = "Lockbox opened the control connection, which carries FTP commands and replies."
	explainHTTPSConnect   = "Lockbox opened a network connection to the web server."
	explainDataConnect    = "Lockbox opened a separate data connection for a listing or a file."
	explainTLSConnect     = "Lockbox opened a network connection to the TLS service; it will speak only TLS on it."
)

// openControl connects, reads the banner and, for FTPS, completes the TLS
// handshake. On error the connection is closed.
func openControl(ctx context.Context, sessCtx context.Context, t Target, opts *Options, rec *trace.Recorder, report *Report) (_ *ftpControl, err error) {
	c := &ftpControl{target: t, opts: opts, rec: rec, em: rec.Conn("control"), ctx: sessCtx}
	if t.Scheme.UsesTLS() {
		if c.sec, err = newSecurity(ctx, t, opts, rec, report); err != nil {
			return nil, err
		}
	}
	dctx, cancel := context.WithTimeout(ctx, opts.timeout())
	c.raw, err = dialTCP(dctx, t.Address(), opts.Proxy, c.em, explainControlConnect)
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
	if t.Scheme == FTPS {
		c.startStep()
		if c.tls, _, err = handshake(ctx, c.raw, c.sec.config(sessCtx, c.em, true, c.raw), c.sec, c.em); err != nil {
			return nil, err
		}
		c.recordTLS()
		conn = c.tls
	}
	c.wire = ftpwire.NewLog(conn, c.em)
	c.wire.Expect("ftp_banner")
	c.startStep()
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
	if t.Scheme == FTPES {
		c.banner = c.banner[:len(c.banner)-br.Buffered()]
	}

	if t.Scheme == FTPES {
		if err := c.authTLS(ctx, br); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// authTLS upgrades the control connection. A server that refuses AUTH TLS
// ends the connection here, before the user name or password is sent.
func (c *ftpControl) authTLS(ctx context.Context, br *bufio.Reader) error {
	c.startStep()
	if _, err := io.WriteString(c.wire, "AUTH TLS\r\n"); err != nil {
		return c.stepErr(ctx, "auth_tls", err)
	}
	if _, _, err := textproto.NewReader(br).ReadResponse(234); err != nil {
		var perr *textproto.Error
		if !errors.As(err, &perr) {
			return c.stepErr(ctx, "auth_tls", err) // silent, cut off or not FTP
		}
		refusal := fmt.Errorf("the server refused to switch to TLS, so Lockbox stopped before sending your user name or password: %w", err)
		if derr := downgrade(c.target, c.opts, c.em, "now it refused AUTH TLS", err); derr != nil {
			refusal = derr
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
		return &StepError{Step: "auth_tls", Err: errors.New("the server sent data after accepting AUTH TLS and before the TLS handshake; refusing it as a possible injection attack")}
	}
	c.startStep()
	tc, _, err := handshake(ctx, c.raw, c.sec.config(c.ctx, c.em, true, c.raw), c.sec, c.em)
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
func (c *ftpControl) protect(ctx context.Context) (done bool, err error) {
	c.startStep()
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
			return false, &StepError{Step: step, Reply: fmt.Sprintf("%d %s", code, msg),
				Err: errors.New("the server refuses to encrypt data connections, so listings and files would travel in clear text; Lockbox stopped before sending your user name or password")}
		}
	}
	return true, nil
}

// startStep gives the next step the configured time: a server that is
// silent, or drips its reply, past it ends the step with a timeout.
func (c *ftpControl) startStep() {
	c.raw.SetDeadline(time.Now().Add(c.opts.timeout()))
}

// stepErr names the step that failed and prefers the context's reason.
func (c *ftpControl) stepErr(ctx context.Context, step string, err error) error {
	var nerr net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &nerr) && nerr.Timeout() {
		err = fmt.Errorf("the server did not answer within %s: %w", c.opts.timeout(), err)
	} else if ctxErr := ctx.Err(); ctxErr != nil {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	var perr *textproto.Error
	if errors.As(err, &perr) {
		se := &StepError{Step: step, Reply: fmt.Sprintf("%d %s", perr.Code, perr.Msg), Err: err}
		// vsftpd answers 522 to a data connection that did not resume the
		// control session; ProFTPD answers 425 (426 once the transfer
		// started). Other refusals (550 no such file…) are not about it.
		if perr.Code == 522 || (perr.Code == 425 || perr.Code == 426) && c.dataFresh.Load() {
			se.Hint, se.Reason = c.resumptionHint()
		}
		return se
	}
	if c.sec != nil {
		err = c.sec.explainHandshakeError(err)
	}
	return &StepError{Step: step, Err: err}
}

// confirm sends FEAT over the finished channel: under TLS 1.3 a server's
// refusal of the client's certificate only arrives after the handshake, and
// this read is where it shows.
func (c *ftpControl) confirm(ctx context.Context) error {
	c.startStep()
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
func (c *ftpControl) resumptionHint() (string, Reason) {
	if c.tls != nil && c.tls.ConnectionState().Version == tls.VersionTLS12 {
		if _, ticket := find(c.rec.Steps(), "control", "new_session_ticket"); !ticket {
			return "the server requires data connections to resume the control connection's TLS session, but under TLS 1.2 it issued no session ticket, and Go's TLS can resume only with tickets", ReasonResumptionNeedsTickets
		}
	}
	return "the server requires data connections to resume the control connection's TLS session, and this data connection did not", ReasonNone
}

func (c *ftpControl) close() error {
	return c.raw.Close()
}

// replayConn gives jlaffaye/ftp the banner the engine already read, then
// the live connection.
type replayConn struct {
	net.Conn
	prefix []byte
}

func (r *replayConn) Read(p []byte) (int, error) {
	if len(r.prefix) > 0 {
		n := copy(p, r.prefix)
		r.prefix = r.prefix[n:]
		return n, nil
	}
	return r.Conn.Read(p)
}

// Entry is one item of a directory listing.
type Entry struct {
	Name   string    `json:"name"`
	Type   string    `json:"type"` // "file", "dir", "link"
	Size   uint64    `json:"size"`
	Time   time.Time `json:"time"`
	Target string    `json:"target,omitempty"`
	// Perm is the permissions the server listed: "-rw-r--r--" from a Unix
	// LIST line, the UNIX.mode fact of MLSD rendered the same way, else
	// MLSD's perm fact ("adfrw"); empty when the server gave none.
	Perm string `json:"perm,omitempty"`
}

// Session is a logged-in FTP session. It is not safe for concurrent use:
// one command at a time, as the protocol itself.
type Session struct {
	ctl    *ftpControl
	sc     *ftp.ServerConn
	report *Report
	cancel context.CancelFunc
	health sessionHealth // broken connections, server features (session.go)
}

// Connect connects, verifies, and logs in with t.User and t.Password
// (anonymous when t.User is empty). The report is filled in even when it
// fails. ctx bounds the connect and login; the session lives until Close.
func Connect(ctx context.Context, t Target, opts Options) (*Session, *Report, error) {
	if !t.Scheme.IsFTP() {
		return nil, nil, fmt.Errorf("connect: %s is not an FTP URL", t.Scheme)
	}
	rec := trace.NewRecorder(opts.Observer)
	report := &Report{URL: t.String(), Address: t.Address(), Trust: TrustUntrusted}
	finish := func(err error) (*Session, *Report, error) {
		report.Steps = rec.Steps()
		if err != nil {
			report.Error = err.Error()
		}
		return nil, report, err
	}
	if t.Scheme == FTP {
		// Checked before --allow-plaintext: consent to plain FTP was not
		// consent to a server that encrypted before losing it.
		if err := downgrade(t, &opts, rec.Conn("control"), plainURLDowngrade, nil); err != nil {
			return finish(&StepError{Step: "downgrade", Err: err})
		}
		if !opts.AllowPlaintext {
			return nil, nil, &StepError{Step: "login", Reason: ReasonPlaintextPassword, Err: errors.New("ftp:// sends your password unencrypted")}
		}
	}
	sessCtx, sessCancel := context.WithCancel(context.WithoutCancel(ctx))
	ctl, err := openControl(ctx, sessCtx, t, &opts, rec, report)
	if err != nil {
		sessCancel()
		return finish(err)
	}
	protected := false
	if ctl.tls != nil {
		if protected, err = ctl.protect(ctx); err != nil {
			ctl.close()
			sessCancel()
			return finish(err)
		}
	}
	first := true
	ctl.active.on.Store(opts.Mode == ModeActive || opts.Mode == ModeAuto && opts.wentActive != nil && opts.wentActive.Load())
	ctl.data.failed = ctl.endDataFast
	dial := func(network, addr string) (net.Conn, error) {
		if first {
			first = false
			ctl.jconn = &modeConn{Conn: ctl.wire, ctl: ctl}
			return &replayConn{Conn: ctl.jconn, prefix: ctl.banner}, nil
		}
		return ctl.capture.wrap(ctl.dialData(addr))
	}
	dopts := []ftp.DialOption{ftp.DialWithDialFunc(dial), ftp.DialWithShutTimeout(opts.timeout())}
	if opts.DisableEPSV {
		dopts = append(dopts, ftp.DialWithDisabledEPSV(true))
	}
	if opts.MDTMWrite {
		dopts = append(dopts, ftp.DialWithWritingMDTM(true))
	}
	if ctl.tls != nil && !protected {
		// The only effect of this option with our dial function: Login sends
		// PBSZ 0 and PROT P, for a server that wanted them after login.
		// The engine dials and encrypts data connections itself.
		dopts = append(dopts, ftp.DialWithTLS(ctl.sec.base))
	}
	stop := netconn.CloseOnDone(ctx, ctl.raw)
	ctl.startStep()
	sc, err := ftp.Dial(t.Address(), dopts...)
	if err == nil {
		user, pass := t.User, t.Password
		if user == "" {
			user, pass = "anonymous", "anonymous@"
		}
		if err = sc.Login(user, pass); err != nil {
			sc.Quit()
		}
	}
	if !stop() || err != nil {
		ctl.close()
		sessCancel()
		if err == nil {
			err = ctx.Err()
		}
		return finish(ctl.stepErr(ctx, "login", err))
	}
	ctl.raw.SetDeadline(time.Time{})
	if ctl.tls != nil {
		report.TLS = tlsInfo(ctl.tls.ConnectionState())
	}
	report.Steps = rec.Steps()
	return &Session{ctl: ctl, sc: sc, report: report, cancel: sessCancel}, report, nil
}

// Report returns the session's report with every step recorded so far.
func (s *Session) Report() *Report {
	r := *s.report
	r.Steps = s.ctl.rec.Steps()
	return &r
}

// CurrentDir returns the working directory.
func (s *Session) CurrentDir() (dir string, err error) {
	err = s.exec(context.Background(), "pwd", nil, func() (err error) { dir, err = s.sc.CurrentDir(); return err })
	return dir, err
}

// ChangeDir changes the working directory.
func (s *Session) ChangeDir(dir string) error {
	return s.exec(context.Background(), "cwd", nil, func() error { return s.sc.ChangeDir(dir) })
}

// newEntry is a listing's entry as Lockbox shows it: names made printable
// (a name CheckName accepts is unchanged), the permissions the raw listing
// gave.
func newEntry(e *ftp.Entry, perms ftpwire.Perms) Entry {
	return Entry{Name: ftpwire.Sanitize(e.Name), Type: entryType(e.Type), Size: e.Size, Time: e.Time, Target: ftpwire.Sanitize(e.Target), Perm: perms.Of(e.Name)}
}

// List lists a directory (MLSD when the server offers it, else LIST).
func (s *Session) List(dir string) ([]Entry, error) {
	var entries []*ftp.Entry
	var perms ftpwire.Perms
	if err := s.exec(context.Background(), "list", nil, func() (err error) { entries, perms, err = s.listWithPerms(dir); return err }); err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if e.Name == "." || e.Name == ".." {
			continue
		}
		out = append(out, newEntry(e, perms))
	}
	return out, nil
}

func entryType(t ftp.EntryType) string {
	switch t {
	case ftp.EntryTypeFolder:
		return "dir"
	case ftp.EntryTypeLink:
		return "link"
	}
	return "file"
}

// Close ends the session with QUIT and closes every connection.
func (s *Session) Close() error {
	s.ctl.startStep()
	err := s.sc.Quit()
	s.cancel()
	s.ctl.data.finish()
	s.ctl.active.closePending()
	s.ctl.close()
	return err
}
