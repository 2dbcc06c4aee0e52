package client

import (
	"context"
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
	if t.Scheme == HTTPS {
		return inspectHTTPS(ctx, t, opts)
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

// inspectHTTPS sends HEAD for the target's path and records the answer.
func inspectHTTPS(ctx context.Context, t Target, opts Options) (*Report, error) {
	c := NewHTTPSClient(t, opts)
	resp, err := c.Do(ctx, http.MethodHead, nil)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	c.Close() // before Finish: closing may still record steps
	return c.Finish(err), err
}
