// Package proxydial opens the engine's TCP connections, directly or
// through a SOCKS5 or HTTP CONNECT proxy, and records each as trace steps
// (tcp_connect, proxy_connect). It owns the proxy's description (Proxy),
// the no-proxy list (Bypassed) and the error that says which party refused
// (Error); package client re-exports them as Proxy, ProxyBypassed and
// ProxyError.
package proxydial

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Kind is the protocol Lockbox speaks to a proxy.
type Kind string

// The proxies Lockbox can go through. Every one of them only relays a TCP
// connection that Lockbox asked for: TLS still runs end to end between
// Lockbox and the server, so the proxy sees neither passwords nor files of
// an encrypted connection.
const (
	// SOCKS5 is SOCKS5 with the target's name resolved by Lockbox, as
	// curl's socks5://.
	SOCKS5 Kind = "socks5"
	// SOCKS5H is SOCKS5 with the target's name resolved by the proxy, as
	// curl's socks5h://: for networks where only the proxy can resolve
	// outside names.
	SOCKS5H Kind = "socks5h"
	// HTTP is an HTTP proxy asked for a tunnel with CONNECT, for FTP as
	// well as for HTTPS.
	HTTP Kind = "http"
)

// DefaultPort is the port of a proxy URL that names none, as in curl.
const DefaultPort = 1080

// Proxy is where Lockbox sends its connections instead of dialling the
// server itself.
type Proxy struct {
	Kind Kind
	// Host is the proxy's host name or IP literal, without brackets.
	Host string
	Port int
	// User and Password are sent to the proxy (SOCKS5 username/password,
	// HTTP Basic). The password is never printed.
	User, Password string
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

// Bypassed reports whether host is in a no-proxy list as curl reads
// NO_PROXY: names and addresses separated by commas or spaces; "*" alone
// matches every host; a name matches itself and its subdomains (a leading
// dot is optional); an IP address matches itself, a CIDR block every
// address in it. Case does not matter and a port on an entry is ignored.
func Bypassed(noProxy, host string) bool {
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

// Failure is what went wrong at a proxy.
type Failure int

// The ways a proxy can fail a connection.
const (
	// Unreachable: Lockbox could not connect to the proxy itself, or it
	// did not speak the proxy protocol.
	Unreachable Failure = iota + 1
	// AuthFailed: the proxy refused the user name and password (or wants
	// some and none were given).
	AuthFailed
	// TargetRefused: the proxy accepted Lockbox but would not, or could
	// not, connect to the server.
	TargetRefused
)

// Error is a connection that failed at the proxy. Its Failure says which
// party refused, so that a front end can say what to change.
type Error struct {
	// Proxy is the proxy's URL without the password.
	Proxy string
	// Target is the host:port the proxy was asked to connect to.
	Target  string
	Failure Failure
	// Answer is what the proxy said, such as "HTTP/1.1 407 Proxy
	// Authentication Required" or SOCKS5's "connection refused".
	Answer string
	// Err is the underlying error.
	Err error
}

// Error says, in plain words, who refused what.
func (e *Error) Error() string {
	var s string
	switch e.Failure {
	case AuthFailed:
		s = fmt.Sprintf("the proxy %s refused the user name or password", e.Proxy)
	case TargetRefused:
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
func (e *Error) Unwrap() error { return e.Err }
