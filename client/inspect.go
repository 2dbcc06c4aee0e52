package client

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"lockbox/client/internal/netconn"
	"lockbox/client/internal/proxydial"
	"lockbox/client/trace"
)

// Inspect connects to the URL, performs the TLS handshake (for FTPS after
// the banner and AUTH TLS; no login; for tls:// nothing but TLS), verifies the certificate and returns
// everything it saw. The report is never nil; the error says which step
// failed. An untrusted certificate is an error that IsTrustFailure
// recognises, and the chain is still in the report.
func Inspect(ctx context.Context, t Target, opts Options) (*Report, error) {
	if t.Scheme == HTTPS || t.Scheme == TLS {
		return inspectTLS(ctx, t, opts)
	}
	rec := trace.NewRecorder(opts.Observer)
	report := &Report{URL: t.String(), Address: t.Address(), Trust: TrustUntrusted}
	err := inspectFTP(ctx, t, &opts, rec, report)
	report.Steps = rec.Steps()
	if err != nil {
		report.Error = err.Error()
	}
	return report, err
}

func inspectFTP(ctx context.Context, t Target, opts *Options, rec *trace.Recorder, report *Report) error {
	ctl, err := openControl(ctx, ctx, t, opts, rec, report)
	if err != nil {
		return err
	}
	defer ctl.Close()
	if ctl.TLSConn() == nil {
		em := rec.Conn("control")
		em.Fail(trace.Info, "no_tls", "plain FTP",
			"This connection is not encrypted: there is no certificate, and anyone on the path can read the password and files.")
		if err := downgrade(t, opts, em, plainURLDowngrade, nil); err != nil {
			return &StepError{Step: "downgrade", Err: err}
		}
		return nil
	}
	report.TLS = tlsInfo(ctl.TLSConn().ConnectionState())
	return ctl.Confirm(ctx)
}

// answerWait bounds how long inspect waits, after the handshake, for what
// the server says next (an HTTP answer to HEAD, or a TLS 1.3 server's
// refusal of the client certificate): trust is decided at the handshake,
// and a server that never answers HEAD (openssl s_server -www answers only
// GET) must not hold inspect until the timeout.
const answerWait = 2 * time.Second

// inspectTLS dials, shakes hands and verifies, and ends there: for
// https:// it then sends HEAD and records the answer if it comes within
// answerWait; for tls:// it speaks no application protocol and waits only
// when the server asked for a client certificate, whose refusal TLS 1.3
// sends after the handshake.
func inspectTLS(ctx context.Context, t Target, opts Options) (*Report, error) {
	rec := trace.NewRecorder(opts.Observer)
	report := &Report{URL: t.String(), Address: t.Address(), Trust: TrustUntrusted}
	err := inspectHandshake(ctx, t, &opts, rec, report)
	report.Steps = rec.Steps()
	if err != nil {
		report.Error = err.Error()
	}
	return report, err
}

func inspectHandshake(ctx context.Context, t Target, opts *Options, rec *trace.Recorder, report *Report) error {
	sec, err := newSecurity(ctx, t, opts, rec, report)
	if err != nil {
		return err
	}
	name, explain := "tls", explainTLSConnect
	if t.Scheme == HTTPS {
		name, explain = "https", explainHTTPSConnect
	}
	em := rec.Conn(name)
	dctx, cancel := context.WithTimeout(ctx, opts.timeout())
	raw, err := proxydial.Dial(dctx, t.Address(), opts.Proxy, em, explain, netconn.Dial)
	cancel()
	if err != nil {
		return err
	}
	defer raw.Close()
	stop := netconn.CloseOnDone(ctx, raw)
	defer stop()
	// The deadline bounds a silent server; a trust question (Decide)
	// lifts it while the person reads, as on the FTP control connection.
	raw.SetDeadline(time.Now().Add(opts.timeout()))
	tc, err := handshake(ctx, raw, sec.Config(ctx, em, true, raw), sec, em)
	if err != nil {
		return err
	}
	report.TLS = tlsInfo(tc.ConnectionState())
	wait := time.Now().Add(min(answerWait, opts.timeout()))
	if d, ok := ctx.Deadline(); ok && d.Before(wait) {
		wait = d
	}
	raw.SetDeadline(wait)
	if t.Scheme == HTTPS {
		return awaitHTTP(tc, t, sec, em)
	}
	if report.ClientCertificate.Requested {
		return awaitRefusal(tc, sec, em)
	}
	return nil
}

// awaitHTTP sends HEAD and records the answer; no answer in time is
// recorded, not failed.
func awaitHTTP(tc *tls.Conn, t Target, sec *security, em trace.Emitter) error {
	p := t.Path
	if p == "" {
		p = "/"
	}
	req, err := http.NewRequest(http.MethodHead, "https://"+t.Address()+p, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Host = sec.serverName
	req.Close = true
	req.Header.Set("User-Agent", "Lockbox")
	if err := req.Write(tc); err != nil {
		return postHandshake(err, sec, em, "http_request")
	}
	resp, err := http.ReadResponse(bufio.NewReader(tc), req)
	if err != nil {
		return postHandshake(err, sec, em, "http_response")
	}
	resp.Body.Close()
	responseStep(em, resp)
	return nil
}

// awaitRefusal reads once, to see a TLS 1.3 server refuse the client's
// certificate after the handshake; silence or data is fine.
func awaitRefusal(tc *tls.Conn, sec *security, em trace.Emitter) error {
	_, err := tc.Read(make([]byte, 1))
	if err == nil {
		return nil
	}
	return postHandshake(err, sec, em, "server_answer")
}

// postHandshake judges what the connection returned after the handshake:
// a refusal of the client certificate fails inspect; a server that is
// silent, or closes without a word, does not, since trust was decided at
// the handshake.
func postHandshake(err error, sec *security, em trace.Emitter, step string) error {
	err = sec.ExplainHandshakeError(err)
	var ccr *ClientCertRequiredError
	if errors.As(err, &ccr) {
		em.Fail(trace.Recv, step, err.Error(), handshakeFailExplain(err))
		return &StepError{Step: step, Err: err}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		em.Emit(trace.Info, step, "no answer within "+answerWait.String(),
			"The server did not answer within "+answerWait.String()+"; trust was decided when the handshake ended, so Lockbox stops waiting.")
		return nil
	}
	em.Emit(trace.Info, step, "no answer: "+err.Error(),
		"The server ended the connection without answering; trust was decided when the handshake ended.")
	return nil
}
