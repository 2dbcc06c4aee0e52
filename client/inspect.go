package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"lockbox/client/trace"
)

// Inspect connects to the URL, performs the TLS handshake (for FTPS after
// the banner and AUTH TLS; no login), verifies the certificate and returns
// everything it saw. The report is never nil; the error says which step
// failed. An untrusted certificate is an error that IsTrustFailure
// recognises, and the chain is still in the report.
func Inspect(ctx context.Context, t Target, opts Options) (*Report, error) {
	rec := trace.NewRecorder(opts.Observer)
	report := &Report{URL: t.String(), Address: t.Address(), Trust: TrustUntrusted}
	var err error
	if t.Scheme == HTTPS {
		err = inspectHTTPS(ctx, t, &opts, rec, report)
	} else {
		err = inspectFTP(ctx, t, &opts, rec, report)
	}
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
	defer ctl.close()
	if ctl.tls == nil {
		em := rec.Conn("control")
		em.Fail(trace.Info, "no_tls", "plain FTP",
			"This connection is not encrypted: there is no certificate, and anyone on the path can read the password and files.")
		if err := downgrade(t, opts, em, plainURLDowngrade, nil); err != nil {
			return &StepError{Step: "downgrade", Err: err}
		}
		return nil
	}
	report.TLS = tlsInfo(ctl.tls.ConnectionState())
	return ctl.confirm(ctx)
}

func inspectHTTPS(ctx context.Context, t Target, opts *Options, rec *trace.Recorder, report *Report) error {
	h, err := newHTTPSClient(ctx, t, opts, rec, report)
	if err != nil {
		return err
	}
	path := t.Path
	if path == "" {
		path = "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, "https://"+t.Address()+path, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Host = h.sec.serverName
	em := rec.Conn("https")
	cl := h.client()
	defer cl.CloseIdleConnections()
	resp, err := cl.Do(req)
	if h.last != nil {
		report.TLS = tlsInfo(h.last.ConnectionState())
	}
	if err != nil {
		var se *StepError
		if errors.As(err, &se) {
			return se
		}
		return &StepError{Step: "http_request", Err: h.sec.explainHandshakeError(err)}
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	responseStep(em, resp)
	return nil
}
