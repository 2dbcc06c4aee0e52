package proxydial

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/net/proxy"

	"lockbox/client/internal/fault"
	"lockbox/client/internal/ftpwire"
	"lockbox/client/trace"
)

// Dial opens a TCP connection to addr with dial, through px when it is set
// (then dial connects to the proxy), and records it on em: the tcp_connect
// step, and the proxy_connect step with what the proxy answered. explain
// says what the connection is for. A failure is a *fault.StepError of
// tcp_connect, or of proxy_connect around an *Error.
func Dial(ctx context.Context, addr string, px *Proxy, em trace.Emitter, explain string, dial func(context.Context, string) (net.Conn, error)) (net.Conn, error) {
	if px != nil {
		return dialProxied(ctx, px, addr, em, explain, dial)
	}
	conn, err := dial(ctx, addr)
	if err != nil {
		em.Fail(trace.Send, "tcp_connect", addr+": "+err.Error(), "Lockbox could not open a network connection to the server.")
		return nil, &fault.StepError{Step: "tcp_connect", Err: err}
	}
	em.Emit(trace.Send, "tcp_connect", fmt.Sprintf("%s → %s", conn.LocalAddr(), conn.RemoteAddr()), explain)
	return conn, nil
}

// maxConnectReply bounds the header of an HTTP proxy's answer to CONNECT.
const maxConnectReply = 16 << 10

// dialProxied opens a connection to addr through px: a TCP connection to
// the proxy with dial, then the proxy's handshake. It records the
// tcp_connect step (to the proxy) and the proxy_connect step (what the
// proxy answered), and returns the connection to the proxy, now relayed to
// addr.
func dialProxied(ctx context.Context, px *Proxy, addr string, em trace.Emitter, explain string, dial func(context.Context, string) (net.Conn, error)) (net.Conn, error) {
	name := px.String()
	conn, err := dial(ctx, px.Address())
	if err != nil {
		em.Fail(trace.Send, "tcp_connect", px.Address()+" (proxy): "+err.Error(), "Lockbox could not open a network connection to the proxy.")
		perr := &Error{Proxy: name, Target: addr, Failure: Unreachable, Err: err}
		em.Fail(trace.Info, "proxy_connect", perr.Error(), failExplain(perr.Failure))
		return nil, &fault.StepError{Step: "proxy_connect", Err: perr}
	}
	em.Emit(trace.Send, "tcp_connect", fmt.Sprintf("%s → %s (proxy %s)", conn.LocalAddr(), conn.RemoteAddr(), px.Kind),
		"Lockbox opened a connection to the proxy, which it asks to relay this connection to the server.")
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	answer, err := handshake(ctx, px, conn, addr)
	stopped := stop()
	conn.SetDeadline(time.Time{})
	if err == nil && !stopped {
		err = ctx.Err()
	}
	if err != nil {
		conn.Close()
		var perr *Error
		if !errors.As(err, &perr) {
			if cerr := ctx.Err(); cerr != nil {
				err = fmt.Errorf("%w (%v)", cerr, err)
			}
			perr = &Error{Proxy: name, Target: addr, Failure: Unreachable, Err: err}
		}
		em.Fail(trace.Recv, "proxy_connect", perr.Error(), failExplain(perr.Failure))
		return nil, &fault.StepError{Step: "proxy_connect", Err: perr}
	}
	em.Emit(trace.Recv, "proxy_connect", fmt.Sprintf("%s → %s: %s", name, addr, answer), explain+" It goes through the proxy, which relays the bytes; TLS still runs between Lockbox and the server.")
	return conn, nil
}

func failExplain(f Failure) string {
	switch f {
	case AuthFailed:
		return "The proxy did not accept the user name and password it was given, so it relays nothing."
	case TargetRefused:
		return "The proxy accepted Lockbox but did not connect to the server: its rules forbid it, or the server did not answer the proxy."
	}
	return "Lockbox could not reach the proxy, or what answered is not a proxy of the kind set."
}

// handshake asks the proxy on conn to relay to addr and returns the
// proxy's answer in a few words.
func handshake(ctx context.Context, px *Proxy, conn net.Conn, addr string) (string, error) {
	if px.Kind == HTTP {
		return httpConnect(px, conn, addr)
	}
	return socksConnect(ctx, px, conn, addr)
}

// socksConnect runs SOCKS5 with golang.org/x/net/proxy over the connection
// already open to the proxy.
func socksConnect(ctx context.Context, px *Proxy, conn net.Conn, addr string) (string, error) {
	target := addr
	if px.Kind == SOCKS5 {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return "", fmt.Errorf("target address %q: %w", addr, err)
		}
		if _, err := netip.ParseAddr(host); err != nil {
			ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			if err != nil || len(ips) == 0 {
				return "", &Error{Proxy: px.String(), Target: addr, Failure: TargetRefused,
					Err: fmt.Errorf("resolve %s before asking the proxy (socks5h:// lets the proxy resolve it): %w", host, err)}
			}
			target = net.JoinHostPort(ips[0].Unmap().String(), port)
		}
	}
	var auth *proxy.Auth
	if px.User != "" || px.Password != "" {
		auth = &proxy.Auth{User: px.User, Password: px.Password}
	}
	d, err := proxy.SOCKS5("tcp", px.Address(), auth, handOver{conn})
	if err != nil {
		return "", fmt.Errorf("SOCKS5 dialer: %w", err)
	}
	if _, err := d.(proxy.ContextDialer).DialContext(ctx, "tcp", target); err != nil {
		return "", classifySOCKS(px, addr, err)
	}
	return "SOCKS5 request granted", nil
}

// handOver is the "forward" dialer golang.org/x/net/proxy dials the proxy
// with: it hands over the connection Lockbox already opened (and traced),
// so the SOCKS conversation runs on a socket the engine owns.
type handOver struct{ conn net.Conn }

// Dial returns the connection already open to the proxy.
func (h handOver) Dial(network, addr string) (net.Conn, error) { return h.conn, nil }

// DialContext returns the connection already open to the proxy.
func (h handOver) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return h.conn, nil
}

// classifySOCKS tells golang.org/x/net/proxy's errors apart. It reports
// them as text only ("username/password authentication failed", "unknown
// error connection refused"), so the text is what is read.
func classifySOCKS(px *Proxy, addr string, err error) error {
	msg := err.Error()
	perr := &Error{Proxy: px.String(), Target: addr, Failure: Unreachable, Err: err}
	switch {
	case strings.Contains(msg, "authentication failed"), strings.Contains(msg, "no acceptable authentication methods"),
		strings.Contains(msg, "invalid username/password"):
		perr.Failure = AuthFailed
		perr.Answer = "username/password authentication failed"
		if strings.Contains(msg, "no acceptable") {
			perr.Answer = "no acceptable authentication method (it wants a user name and password)"
		}
	case strings.Contains(msg, "unknown error "):
		perr.Failure = TargetRefused
		perr.Answer = msg[strings.Index(msg, "unknown error ")+len("unknown error "):]
	}
	return perr
}

// httpConnect asks an HTTP proxy for a tunnel with CONNECT (RFC 9110
// §9.3.6), with Basic authentication when a user is set.
func httpConnect(px *Proxy, conn net.Conn, addr string) (string, error) {
	var req bytes.Buffer
	fmt.Fprintf(&req, "CONNECT %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Lockbox\r\n", addr, addr)
	if px.User != "" || px.Password != "" {
		cred := base64.StdEncoding.EncodeToString([]byte(px.User + ":" + px.Password))
		fmt.Fprintf(&req, "Proxy-Authorization: Basic %s\r\n", cred)
	}
	req.WriteString("\r\n")
	if _, err := conn.Write(req.Bytes()); err != nil {
		return "", fmt.Errorf("send CONNECT: %w", err)
	}
	// Read the answer byte by byte up to its blank line: the server's
	// first bytes (an FTP banner) may follow at once and belong to the
	// caller, so nothing past the header may be buffered here.
	var head []byte
	one := make([]byte, 1)
	for !bytes.HasSuffix(head, []byte("\r\n\r\n")) && !bytes.HasSuffix(head, []byte("\n\n")) {
		if len(head) >= maxConnectReply {
			return "", errors.New("the proxy's answer to CONNECT is too long")
		}
		if _, err := conn.Read(one); err != nil {
			return "", fmt.Errorf("read the answer to CONNECT: %w", err)
		}
		head = append(head, one[0])
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(head)), &http.Request{Method: http.MethodConnect})
	if err != nil {
		return "", fmt.Errorf("the answer to CONNECT is not HTTP: %w", err)
	}
	resp.Body.Close()
	status := ftpwire.Sanitize(resp.Proto + " " + resp.Status)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return status, nil
	case resp.StatusCode == http.StatusProxyAuthRequired, resp.StatusCode == http.StatusUnauthorized:
		// tinyproxy answers CONNECT with 401, not 407.
		return "", &Error{Proxy: px.String(), Target: addr, Failure: AuthFailed, Answer: status}
	}
	return "", &Error{Proxy: px.String(), Target: addr, Failure: TargetRefused, Answer: status}
}
