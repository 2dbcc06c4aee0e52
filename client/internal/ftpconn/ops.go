package ftpconn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"time"

	"github.com/jlaffaye/ftp"

	"lockbox/client/internal/fault"
	"lockbox/client/internal/netconn"
	"lockbox/client/trace"
)

// errBroken refuses commands on a session whose control connection failed.
var errBroken = errors.New("the control connection was lost; reconnect")

// Broken reports whether the control connection failed or was cut off (by
// a cancelled operation): it cannot be used any more.
func (c *Control) Broken() bool { return c.broken.Load() }

// MarkBroken marks the control connection unusable (a keep-alive failed).
func (c *Control) MarkBroken() { c.broken.Store(true) }

// abort cuts the session off: the data connection in use and the control
// connection are closed, so that whatever blocks on them returns at once.
func (c *Control) abort() {
	c.MarkBroken()
	c.data.abort()
	c.raw.Close()
}

// SetTimeout changes the time each later step and network read or write
// is given (a test shortens it after the login).
func (c *Control) SetTimeout(d time.Duration) { c.cfg.Timeout = d }

// controlBroken reports whether err, met on the control connection, leaves
// it unusable: anything but a well-formed FTP reply, or a 421 (the server is
// closing the connection).
func controlBroken(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ftp.ErrInvalidCommand) {
		return false // refused before anything was sent
	}
	var perr *textproto.Error
	if errors.As(err, &perr) {
		return perr.Code == ftp.StatusNotAvailable
	}
	return true
}

// splitErrors undoes errors.Join.
func splitErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// replyOf returns the server's reply carried by err, if any.
func replyOf(err error) string {
	var perr *textproto.Error
	if errors.As(err, &perr) {
		return fmt.Sprintf("%d %s", perr.Code, perr.Msg)
	}
	return ""
}

// Exec runs one FTP operation f, named step. The control connection's
// deadline covers the commands and replies only; ctx ending cuts the
// session off. dataErr, when not nil, tells which errors came from the data
// connection (or the local file), so that only control errors break the
// session. A failure is a *fault.StepError.
func (c *Control) Exec(ctx context.Context, step string, dataErr func(error) bool, f func() error) error {
	if c.Broken() {
		return &fault.StepError{Step: step, Err: errBroken}
	}
	if err := ctx.Err(); err != nil {
		return &fault.StepError{Step: step, Err: err}
	}
	stop := context.AfterFunc(ctx, c.abort)
	c.StartStep()
	err := c.withDataMode(f)
	c.raw.SetDeadline(time.Time{})
	c.data.finish()
	c.active.closePending()
	if !stop() {
		return &fault.StepError{Step: step, Err: fmt.Errorf("%w (the connection was closed)", ctx.Err())}
	}
	if err == nil {
		return nil
	}
	if se := c.active.takeSetupErr(); se != nil {
		return se // told better than the reply jlaffaye/ftp was given
	}
	if reply, refused := c.active.passiveRefused(err); refused && !c.active.on.Load() {
		return &fault.StepError{Step: step, Reply: reply, Err: &PassiveRefusedError{Reply: reply, Err: err}}
	}
	var data error
	for _, e := range splitErrors(err) {
		if dataErr != nil && dataErr(e) {
			if data == nil {
				data = e
			}
		} else if controlBroken(e) {
			c.MarkBroken()
		}
	}
	if data != nil {
		return &fault.StepError{Step: step, Reply: replyOf(err), Err: data}
	}
	return c.stepErr(ctx, step, err)
}

// withDataMode runs f, an operation that may open a data connection. In
// auto mode, when the server refused passive mode (or its data port could
// not be reached), it switches the session to active mode and runs f again:
// nothing was transferred yet, since the refusal came before the command
// that uses the data connection.
func (c *Control) withDataMode(f func() error) error {
	c.active.beginOp()
	c.jconn.shutCap.Store(0)
	err := f()
	if err == nil || c.cfg.Mode != ModeAuto || c.active.on.Load() {
		return err
	}
	reply, refused := c.active.passiveRefused(err)
	if !refused || c.Broken() {
		return err
	}
	summary := "passive mode refused"
	if reply != "" {
		summary += " (" + reply + ")"
	} else {
		summary += " (the data port could not be reached)"
	}
	if perr := c.refuseActive(true); perr != nil {
		// Auto mode has nowhere to fall back to: say why, rather than
		// advise active mode, which cannot work here either.
		c.em.Fail(trace.Info, "mode_fallback", summary+"; active mode cannot go through the proxy", explainNoActiveProxy)
		return &fault.StepError{Step: "mode_fallback", Reply: reply, Err: perr}
	}
	c.em.Emit(trace.Info, "mode_fallback", summary+"; trying active mode", explainSwitch)
	c.active.on.Store(true)
	if w := c.cfg.WentActive; w != nil {
		w.Store(true) // the pool's later sessions start in active mode
	}
	c.active.beginOp()
	c.StartStep()
	return f()
}

// Download runs retr, which sends the command (RETR) and returns the data
// connection's stream, and copies the stream into dst through buf, in
// writes of chunk bytes at most (see netconn.CopyChunks), telling progress
// of every chunk received. The control connection carries no deadline while
// the data streams: each read of the data connection has its own idle time
// limit. It returns the bytes written to dst.
func (c *Control) Download(ctx context.Context, retr func() (io.ReadCloser, error), dst io.Writer, buf []byte, chunk int, progress func(int64)) (int64, error) {
	var resp io.ReadCloser
	if err := c.Exec(ctx, "retr", nil, func() (err error) {
		resp, err = retr()
		return err
	}); err != nil {
		return 0, err
	}
	data := c.data.current()
	stop := context.AfterFunc(ctx, c.abort)
	n, rerr, werr := netconn.CopyChunks(dst, resp, buf, chunk, progress)
	if werr != nil || rerr != nil {
		// The server may be blocked sending what will never be read (a
		// full disk): close the socket, unread bytes and all, so that it
		// sees the end at once, and give its reply only a short time.
		c.endDataFast()
	}
	// vsftpd sends its final reply only after the client closed the data
	// connection (TLS close_notify, then TCP close).
	if data != nil {
		data.closeFirst()
	}
	ctlErr := resp.Close() // reads the final reply within the shut timeout
	c.jconn.shutCap.Store(0)
	c.raw.SetDeadline(time.Time{})
	c.data.finish()
	if !stop() {
		return n, &fault.StepError{Step: "retr", Err: fmt.Errorf("%w (after %d bytes)", ctx.Err(), n)}
	}
	if controlBroken(ctlErr) {
		c.MarkBroken()
	}
	if emptyWithoutTLS(n, rerr, ctlErr) {
		// Some servers (goftp) send an empty file by closing the data
		// connection without a TLS handshake. Nothing was accepted from it,
		// and the control connection confirmed the transfer.
		c.rec.Conn(fmt.Sprintf("data %d", c.dataCount.Load())).Emit(trace.Info, "empty_transfer",
			"the server closed the data connection before TLS and confirmed the transfer: an empty file",
			"The server sent no bytes and did not start TLS on the data connection; nothing from it was used, and the encrypted control connection confirmed that the file is complete.")
		rerr = nil
	}
	switch {
	case werr != nil:
		return n, &fault.StepError{Step: "retr", Reply: replyOf(ctlErr), Err: fmt.Errorf("writing the local file: %w", werr)}
	case rerr != nil:
		var se *fault.StepError
		if errors.As(rerr, &se) {
			return n, &fault.StepError{Step: "retr", Reply: replyOf(ctlErr), Err: se}
		}
		return n, &fault.StepError{Step: "retr", Reply: replyOf(ctlErr), Err: fmt.Errorf("the data connection broke after %d bytes: %w", n, rerr)}
	case ctlErr != nil:
		return n, c.stepErr(ctx, "retr", ctlErr)
	}
	return n, nil
}

// Upload runs store, which sends the command (STOR, or APPE: step) and
// copies what it is given to the data connection; what it is given reads
// src through buf, telling progress of every chunk sent. It returns the
// bytes sent. An error reading src is told apart from the connection's.
func (c *Control) Upload(ctx context.Context, step string, src io.Reader, buf []byte, progress func(int64), store func(io.Reader) error) (int64, error) {
	u := &uploadSource{r: src, buf: buf, progress: progress, c: c}
	isData := func(err error) bool {
		return (u.readErr != nil && errors.Is(err, u.readErr)) || c.data.current().isDataErr(err)
	}
	err := c.Exec(ctx, step, isData, func() error { return store(u) })
	if err != nil && u.readErr != nil {
		var se *fault.StepError
		if errors.As(err, &se) && errors.Is(se.Err, u.readErr) {
			se.Err = fmt.Errorf("reading the local file: %w", u.readErr)
		}
	}
	return u.n, err
}

// uploadSource feeds an upload through the worker's buffer. jlaffaye/ftp
// copies it with io.Copy, which calls WriteTo: no buffer of its own. Its
// first use means the commands are done, so it lifts the control
// connection's deadline for the time the data streams.
type uploadSource struct {
	r        io.Reader
	buf      []byte
	progress func(int64)
	c        *Control
	started  bool
	n        int64
	readErr  error
}

func (u *uploadSource) start() {
	if !u.started {
		u.started = true
		u.c.raw.SetDeadline(time.Time{})
	}
}

// Read reads from the source (for writers io.Copy does not hand to WriteTo).
func (u *uploadSource) Read(p []byte) (int, error) {
	u.start()
	n, err := u.r.Read(p)
	u.n += int64(n)
	if n > 0 && u.progress != nil {
		u.progress(int64(n))
	}
	if err != nil && err != io.EOF {
		u.readErr = err
	}
	return n, err
}

// WriteTo copies the source to w through the worker's buffer.
func (u *uploadSource) WriteTo(w io.Writer) (int64, error) {
	u.start()
	var n int64
	for {
		k, rerr := u.r.Read(u.buf)
		if k > 0 {
			wn, werr := w.Write(u.buf[:k])
			n += int64(wn)
			u.n += int64(wn)
			if wn > 0 && u.progress != nil {
				u.progress(int64(wn))
			}
			if werr != nil {
				return n, werr
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			u.readErr = rerr
			return n, rerr
		}
	}
}

// emptyWithoutTLS reports whether a download got no byte because the server
// closed the data connection instead of starting TLS, and then confirmed
// the transfer on the control connection.
func emptyWithoutTLS(n int64, rerr, ctlErr error) bool {
	var se *fault.StepError
	if n != 0 || ctlErr != nil || !errors.As(rerr, &se) || se.Step != "data_tls_handshake" {
		return false
	}
	return errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) || netconn.IsReset(rerr)
}
