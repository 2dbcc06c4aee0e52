package client

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
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/proxy"

	"lockbox/client/internal/ftpwire"
	"lockbox/client/trace"
)

// ProxyKind is the protocol Lockbox speaks to a proxy.
type ProxyKind string

// The proxies Lockbox can go through. Every one of them only relays a TCP
// connection that Lockbox asked for: TLS still runs end to end between
// Lockbox and the server, so the proxy sees neither passwords nor files of
// an encrypted connection.
const (
	// ProxySOCKS5 is SOCKS5 with the target's name resolved by Lockbox,
	// as curl's socks5://.
	ProxySOCKS5 ProxyKind = "socks5"
	// ProxySOCKS5H is SOCKS5 with the target's name resolved by the proxy,
	// as curl's socks5h://: for networks where only the proxy can resolve
	// outside names.
	ProxySOCKS5H ProxyKind = "socks5h"
	// ProxyHTTP is an HTTP proxy asked for a tunnel with CONNECT, for FTP
	// as well as for HTTPS.
	ProxyHTTP ProxyKind = "http"
)

// DefaultProxyPort is the port of a proxy URL that names none, as in curl.
const DefaultProxyPort = 1080

// Proxy is where Lockbox sends its connections instead of dialling the
// server itself.
type Proxy struct {
	Kind ProxyKind
	// Host is the proxy's host name or IP literal, without brackets.
	Host string
	Port int
	// User and Password are sent to the proxy (SOCKS5 username/password,
	// HTTP Basic). The password is never printed.
	User, Password string
}

// ParseProxy parses a proxy URL as curl does: socks5://, socks5h:// or
// http://, with an optional user:password@ and port (1080 by default); a
// URL without a scheme is an HTTP proxy. An empty string is no proxy (nil).
func ParseProxy(raw string) (*Proxy, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("proxy URL: %v", redactURLError(err))
	}
	p := &Proxy{Kind: ProxyKind(strings.ToLower(u.Scheme)), Host: u.Hostname(), Port: DefaultProxyPort}
	switch p.Kind {
	case ProxySOCKS5, ProxySOCKS5H, ProxyHTTP:
	case "socks":
		p.Kind = ProxySOCKS5
	default:
		return nil, fmt.Errorf("proxy URL: unsupported scheme %q (use socks5, socks5h or http)", u.Scheme)
	}
	if p.Host == "" {
		return nil, fmt.Errorf("proxy URL: no host in %q", Redact(raw))
	}
	if s := u.Port(); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("proxy URL: bad port %q", s)
		}
		p.Port = n
	}
	if u.User != nil {
		p.User = u.User.Username()
		p.Password, _ = u.User.Password()
	}
	return p, nil
}

// Address is the proxy's host:port.
func (p *Proxy) Address() string { return net.JoinHostPort(p.Host, strconv.Itoa(p.Port)) }

// String is the proxy's URL with the user but never the password.
func (p *Proxy) String() string {
	u := url.URL{Scheme: string(p.Kind), Host: p.Address()}
	if p.User != "" {
		u.User = url.User(p.User)
	}
	return u.String()
}

// GoString keeps the password out of %#v.
func (p *Proxy) GoString() string {
	pw := ""
	if p.Password != "" {
		pw = "****"
	}
	return fmt.Sprintf("&client.Proxy{Kind:%q, Host:%q, Port:%d, User:%q, Password:%q}", p.Kind, p.Host, p.Port, p.User, pw)
}

// ProxyBypassed reports whether host is in a no-proxy list as curl reads
// NO_PROXY: names and addresses separated by commas or spaces; "*" alone
// matches every host; a name matches itself and its subdomains (a leading
// dot is optional); an IP address matches itself, a CIDR block every
// address in it. Case does not matter and a port on an entry is ignored.
func ProxyBypassed(noProxy, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	ip, ipErr := netip.ParseAddr(host)
	for _, e := range strings.FieldsFunc(noProxy, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		e = strings.ToLower(e)
		if e == "*" {
			return true
		}
		if pfx, err := netip.ParsePrefix(e); err == nil {
			if ipErr == nil && pfx.Contains(ip.Unmap()) {
				return true
			}
			continue
		}
		if h, _, err := net.SplitHostPort(e); err == nil {
			e = h
		}
		e = strings.TrimSuffix(strings.TrimPrefix(strings.Trim(e, "[]"), "."), ".")
		if e == "" {
			continue
		}
		if a, err := netip.ParseAddr(e); err == nil {
			if ipErr == nil && a.Unmap() == ip.Unmap() {
				return true
			}
			continue
		}
		if host == e || strings.HasSuffix(host, "."+e) {
			return true
		}
	}
	return false
}

// ProxyFailure is what went wrong at a proxy.
type ProxyFailure int

// The ways a proxy can fail a connection.
const (
	// ProxyUnreachable: Lockbox could not connect to the proxy itself, or
	// it did not speak the proxy protocol.
	ProxyUnreachable ProxyFailure = iota + 1
	// ProxyAuthFailed: the proxy refused the user name and password (or
	// wants some and none were given).
	ProxyAuthFailed
	// ProxyTargetRefused: the proxy accepted Lockbox but would not, or
	// could not, connect to the server.
	ProxyTargetRefused
)

// ProxyError is a connection that failed at the proxy. Its Failure says
// which party refused, so that a front end can say what to change.
type ProxyError struct {
	// Proxy is the proxy's URL without the password.
	Proxy string
	// Target is the host:port the proxy was asked to connect to.
	Target  string
	Failure ProxyFailure
	// Answer is what the proxy said, such as "HTTP/1.1 407 Proxy
	// Authentication Required" or SOCKS5's "connection refused".
	Answer string
	// Err is the underlying error.
	Err error
}

// Error says, in plain words, who refused what.
func (e *ProxyError) Error() string {
	var s string
	switch e.Failure {
	case ProxyAuthFailed:
		s = fmt.Sprintf("the proxy %s refused the user name or password", e.Proxy)
	case ProxyTargetRefused:
		s = fmt.Sprintf("the proxy %s could not or would not connect to %s", e.Proxy, e.Target)
	default:
		s = fmt.Sprintf("the proxy %s cannot be reached", e.Proxy)
	}
	if e.Answer != "" {
		s += ": it answered " + strconv.Quote(e.Answer)
	} else if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *ProxyError) Unwrap() error { return e.Err }

// ActiveThroughProxyError refuses an active-mode data connection through a
// proxy: in active mode the server connects back to Lockbox, and a proxy
// relays only connections that Lockbox opens. It is the hook for active
// mode (see Options.refuseActiveThroughProxy).
type ActiveThroughProxyError struct {
	// Proxy is the proxy's URL without the password.
	Proxy string
}

// Error names passive mode as the way.
func (e *ActiveThroughProxyError) Error() string {
	return fmt.Sprintf("active mode cannot work through the proxy %s: the server would have to connect back to Lockbox, which the proxy does not relay; use passive mode", e.Proxy)
}

// refuseActiveThroughProxy is the check an active-mode data connection
// must pass before it listens, and auto mode before it falls back to
// active mode: with a proxy it fails with ActiveThroughProxyError.
func (o *Options) refuseActiveThroughProxy(active bool) error {
	if active && o.Proxy != nil {
		return &ActiveThroughProxyError{Proxy: o.Proxy.String()}
	}
	return nil
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
		perr := &ProxyError{Proxy: name, Target: addr, Failure: ProxyUnreachable, Err: err}
		em.Fail(trace.Info, "proxy_connect", perr.Error(), proxyFailExplain(perr.Failure))
		return nil, &StepError{Step: "proxy_connect", Err: perr}
	}
	em.Emit(trace.Send, "tcp_connect", fmt.Sprintf("%s → %s (proxy %s)", conn.LocalAddr(), conn.RemoteAddr(), px.Kind),
		"Lockbox opened a connection to the proxy, which it asks to relay this connection to the server.")
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	answer, err := proxyHandshake(ctx, px, conn, addr)
	stopped := stop()
	conn.SetDeadline(time.Time{})
	if err == nil && !stopped {
		err = ctx.Err()
	}
	if err != nil {
		conn.Close()
		var perr *ProxyError
		if !errors.As(err, &perr) {
			if cerr := ctx.Err(); cerr != nil {
				err = fmt.Errorf("%w (%v)", cerr, err)
			}
			perr = &ProxyError{Proxy: name, Target: addr, Failure: ProxyUnreachable, Err: err}
		}
		em.Fail(trace.Recv, "proxy_connect", perr.Error(), proxyFailExplain(perr.Failure))
		return nil, &StepError{Step: "proxy_connect", Err: perr}
	}
	em.Emit(trace.Recv, "proxy_connect", fmt.Sprintf("%s → %s: %s", name, addr, answer), explain+" It goes through the proxy, which relays the bytes; TLS still runs between Lockbox and the server.")
	return conn, nil
}

func proxyFailExplain(f ProxyFailure) string {
	switch f {
	case ProxyAuthFailed:
		return "The proxy did not accept the user name and password it was given, so it relays nothing."
	case ProxyTargetRefused:
		return "The proxy accepted Lockbox but did not connect to the server: its rules forbid it, or the server did not answer the proxy."
	}
	return "Lockbox could not reach the proxy, or what answered is not a proxy of the kind set."
}

// proxyHandshake asks the proxy on conn to relay to addr and returns the
// proxy's answer in a few words.
func proxyHandshake(ctx context.Context, px *Proxy, conn net.Conn, addr string) (string, error) {
	if px.Kind == ProxyHTTP {
		return httpConnect(px, conn, addr)
	}
	return socksConnect(ctx, px, conn, addr)
}

// socksConnect runs SOCKS5 with golang.org/x/net/proxy over the connection
// already open to the proxy.
func socksConnect(ctx context.Context, px *Proxy, conn net.Conn, addr string) (string, error) {
	target := addr
	if px.Kind == ProxySOCKS5 {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return "", fmt.Errorf("target address %q: %w", addr, err)
		}
		if _, err := netip.ParseAddr(host); err != nil {
			ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			if err != nil || len(ips) == 0 {
				return "", &ProxyError{Proxy: px.String(), Target: addr, Failure: ProxyTargetRefused,
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
	perr := &ProxyError{Proxy: px.String(), Target: addr, Failure: ProxyUnreachable, Err: err}
	switch {
	case strings.Contains(msg, "authentication failed"), strings.Contains(msg, "no acceptable authentication methods"),
		strings.Contains(msg, "invalid username/password"):
		perr.Failure = ProxyAuthFailed
		perr.Answer = "username/password authentication failed"
		if strings.Contains(msg, "no acceptable") {
			perr.Answer = "no acceptable authentication method (it wants a user name and password)"
		}
	case strings.Contains(msg, "unknown error "):
		perr.Failure = ProxyTargetRefused
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
		return "", &ProxyError{Proxy: px.String(), Target: addr, Failure: ProxyAuthFailed, Answer: status}
	}
	return "", &ProxyError{Proxy: px.String(), Target: addr, Failure: ProxyTargetRefused, Answer: status}
}
