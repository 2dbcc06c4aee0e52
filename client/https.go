package client

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"

	"lockbox/client/internal/ftpwire"
	"lockbox/client/internal/netconn"
	"lockbox/client/trace"
)

// httpsClient makes HTTP requests whose every connection is dialed, tapped,
// traced and verified by the engine.
type httpsClient struct {
	target Target
	opts   *Options
	rec    *trace.Recorder
	sec    *security
	conns  int
	last   *tls.Conn
}

func newHTTPSClient(ctx context.Context, t Target, opts *Options, rec *trace.Recorder, report *Report) (*httpsClient, error) {
	sec, err := newSecurity(ctx, t, opts, rec, report)
	if err != nil {
		return nil, err
	}
	return &httpsClient{target: t, opts: opts, rec: rec, sec: sec}, nil
}

func (h *httpsClient) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	h.conns++
	name := "https"
	if h.conns > 1 {
		name = fmt.Sprintf("https %d", h.conns)
	}
	em := h.rec.Conn(name)
	dctx, cancel := context.WithTimeout(ctx, h.opts.timeout())
	raw, err := dialTCPWith(dctx, addr, em, explainHTTPSConnect, netconn.DialData)
	cancel()
	if err != nil {
		return nil, err
	}
	idle := &netconn.IdleConn{Conn: raw, Timeout: h.opts.timeout()}
	tc, _, err := handshake(ctx, idle, h.sec.config(ctx, em, true, idle), h.sec, em)
	if err != nil {
		raw.Close()
		return nil, err
	}
	h.last = tc
	return tc, nil
}

func (h *httpsClient) client() *http.Client {
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
