package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"

	"lockbox/client/internal/ftpwire"
	"lockbox/client/internal/netconn"
	"lockbox/client/internal/proxydial"
	"lockbox/client/trace"
)

// httpsDialer dials every connection of an HTTPSClient: it taps, traces
// and verifies each one, and builds the http.Client that uses them.
type httpsDialer struct {
	target Target
	opts   *Options
	rec    *trace.Recorder
	sec    *security
	conns  int
	last   *tls.Conn
}

func newHTTPSDialer(ctx context.Context, t Target, opts *Options, rec *trace.Recorder, report *Report) (*httpsDialer, error) {
	sec, err := newSecurity(ctx, t, opts, rec, report)
	if err != nil {
		return nil, err
	}
	return &httpsDialer{target: t, opts: opts, rec: rec, sec: sec}, nil
}

func (h *httpsDialer) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	h.conns++
	name := "https"
	if h.conns > 1 {
		name = fmt.Sprintf("https %d", h.conns)
	}
	em := h.rec.Conn(name)
	dctx, cancel := context.WithTimeout(ctx, h.opts.timeout())
	raw, err := proxydial.Dial(dctx, addr, h.opts.Proxy, em, explainHTTPSConnect, netconn.DialData)
	cancel()
	if err != nil {
		return nil, err
	}
	idle := &netconn.IdleConn{Conn: raw, Timeout: h.opts.timeout()}
	tc, err := handshake(ctx, idle, h.sec.Config(ctx, em, true, idle), h.sec, em)
	if err != nil {
		raw.Close()
		return nil, err
	}
	h.last = tc
	return tc, nil
}

func (h *httpsDialer) client() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DialTLSContext:        h.dialTLS,
			ForceAttemptHTTP2:     false,
			ResponseHeaderTimeout: h.opts.timeout(),
			MaxIdleConnsPerHost:   1,
		},
		// A redirect could lead to another host whose certificate nobody
		// looked at under this report: show it, do not follow it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// HTTPSClient makes GET and HEAD requests for one https:// target through the
// engine: every connection is dialed, tapped, traced and verified as in
// Inspect, every response is recorded as the http_response step, and
// redirects are reported, not followed. It is not safe for concurrent use.
type HTTPSClient struct {
	target Target
	opts   Options
	rec    *trace.Recorder
	report *Report
	em     trace.Emitter
	h      *httpsDialer // nil until Open
	cl     *http.Client
}

// NewHTTPSClient prepares requests to t; nothing is dialed before the first
// request.
func NewHTTPSClient(t Target, opts Options) *HTTPSClient {
	c := &HTTPSClient{target: t, opts: opts, rec: trace.NewRecorder(opts.Observer)}
	c.report = &Report{URL: t.String(), Address: t.Address(), Trust: TrustUntrusted}
	return c
}

// Open sets up the TLS configuration the requests use: the trusted roots,
// the server name, the client identity hook. Do calls it when needed.
func (c *HTTPSClient) Open(ctx context.Context) error {
	if c.h != nil {
		return nil
	}
	if c.target.Scheme != HTTPS {
		return fmt.Errorf("https: %s is not an https:// URL", c.target.Scheme)
	}
	h, err := newHTTPSDialer(ctx, c.target, &c.opts, c.rec, c.report)
	if err != nil {
		return err
	}
	c.h, c.cl, c.em = h, h.client(), c.rec.Conn("https")
	return nil
}

// Do sends a request of method (GET, HEAD) for the target's path with
// header added, and records the response's status and headers. A failure
// is a *StepError naming the step.
func (c *HTTPSClient) Do(ctx context.Context, method string, header http.Header) (*http.Response, error) {
	if err := c.Open(ctx); err != nil {
		return nil, err
	}
	p := c.target.Path
	if p == "" {
		p = "/"
	}
	req, err := http.NewRequestWithContext(ctx, method, "https://"+c.target.Address()+p, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Host = c.h.sec.serverName
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.cl.Do(req)
	if c.h.last != nil {
		c.report.TLS = tlsInfo(c.h.last.ConnectionState())
	}
	if err != nil {
		var se *StepError
		if errors.As(err, &se) {
			return nil, se
		}
		return nil, &StepError{Step: "http_request", Err: c.h.sec.ExplainHandshakeError(err)}
	}
	responseStep(c.em, resp)
	return resp, nil
}

// Note records an informational step on the HTTPS connection (after Open).
func (c *HTTPSClient) Note(name, summary, explain string) {
	c.em.Emit(trace.Info, name, summary, explain)
}

// Close closes the idle connections.
func (c *HTTPSClient) Close() {
	if c.cl != nil {
		c.cl.CloseIdleConnections()
	}
}

// Finish returns the report with every step recorded so far and err, if
// any, as its error.
func (c *HTTPSClient) Finish(err error) *Report {
	c.report.Steps = c.rec.Steps()
	if err != nil {
		c.report.Error = err.Error()
	}
	return c.report
}

// responseStep records an HTTP response's status line and headers.
func responseStep(em trace.Emitter, resp *http.Response) {
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var hdrs []string
	for _, k := range keys {
		v := strings.Join(resp.Header[k], ", ")
		if strings.EqualFold(k, "Set-Cookie") {
			v = "****"
		}
		hdrs = append(hdrs, k+": "+ftpwire.Sanitize(v))
	}
	summary := resp.Proto + " " + resp.Status
	if len(hdrs) > 0 {
		summary += " | " + strings.Join(hdrs, " | ")
	}
	explain := "The web server answered over the encrypted channel."
	if resp.StatusCode == http.StatusBadRequest && strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "html") {
		explain = "The web server answered with an error; servers that require a client certificate often answer 400 when none was sent."
	}
	if resp.StatusCode >= 400 {
		em.Fail(trace.Recv, "http_response", summary, explain)
		return
	}
	em.Emit(trace.Recv, "http_response", summary, explain)
}
