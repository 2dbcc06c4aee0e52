package client

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"lockbox/client/internal/proxydial"
)

// ProxyKind is the protocol Lockbox speaks to a proxy.
type ProxyKind = proxydial.Kind

// The proxies Lockbox can go through (see proxydial.Kind). Every one of
// them only relays a TCP connection that Lockbox asked for: TLS still runs
// end to end between Lockbox and the server.
const (
	// ProxySOCKS5 is SOCKS5 with the target's name resolved by Lockbox,
	// as curl's socks5://.
	ProxySOCKS5 = proxydial.SOCKS5
	// ProxySOCKS5H is SOCKS5 with the target's name resolved by the proxy,
	// as curl's socks5h://.
	ProxySOCKS5H = proxydial.SOCKS5H
	// ProxyHTTP is an HTTP proxy asked for a tunnel with CONNECT.
	ProxyHTTP = proxydial.HTTP
)

// DefaultProxyPort is the port of a proxy URL that names none, as in curl.
const DefaultProxyPort = proxydial.DefaultPort

// Proxy is where Lockbox sends its connections instead of dialling the
// server itself: its kind, host, port, user and password (never printed).
type Proxy = proxydial.Proxy

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

// ProxyBypassed reports whether host is in a no-proxy list as curl reads
// NO_PROXY (see proxydial.Bypassed).
func ProxyBypassed(noProxy, host string) bool { return proxydial.Bypassed(noProxy, host) }

// ProxyFailure is what went wrong at a proxy.
type ProxyFailure = proxydial.Failure

// The ways a proxy can fail a connection.
const (
	// ProxyUnreachable: Lockbox could not connect to the proxy itself, or
	// it did not speak the proxy protocol.
	ProxyUnreachable = proxydial.Unreachable
	// ProxyAuthFailed: the proxy refused the user name and password (or
	// wants some and none were given).
	ProxyAuthFailed = proxydial.AuthFailed
	// ProxyTargetRefused: the proxy accepted Lockbox but would not, or
	// could not, connect to the server.
	ProxyTargetRefused = proxydial.TargetRefused
)

// ProxyError is a connection that failed at the proxy. Its Failure says
// which party refused, so that a front end can say what to change.
type ProxyError = proxydial.Error
