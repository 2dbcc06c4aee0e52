package client

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// Scheme is the kind of connection a URL asks for.
type Scheme string

// The schemes Lockbox dials.
const (
	// FTP is plain FTP: nothing is encrypted, not even the password.
	FTP Scheme = "ftp"
	// FTPES is explicit FTPS: plain TCP, then AUTH TLS upgrades the control connection.
	FTPES Scheme = "ftpes"
	// FTPS is implicit FTPS: TLS from the first byte, port 990 by default.
	FTPS Scheme = "ftps"
	// HTTPS is HTTP over TLS.
	HTTPS Scheme = "https"
	// TLS is any TLS service (SMTPS, IMAPS, LDAPS, a database...): only the
	// handshake, for Inspect. Its URL must name the port.
	TLS Scheme = "tls"
)

// DefaultPort is the port a scheme uses when the URL names none.
func (s Scheme) DefaultPort() int {
	switch s {
	case FTPS:
		return 990
	case HTTPS:
		return 443
	}
	return 21
}

// UsesTLS reports whether the scheme encrypts its connections.
func (s Scheme) UsesTLS() bool { return s != FTP }

// IsFTP reports whether the scheme is one of the FTP family.
func (s Scheme) IsFTP() bool { return s == FTP || s == FTPES || s == FTPS }

// Target is a parsed Lockbox URL.
type Target struct {
	Scheme Scheme
	// Host is the host name or IP literal, without brackets.
	Host string
	Port int
	User string
	// Password is the password given in the URL, if any. It is never printed.
	Password string
	// HasPassword distinguishes an empty password from none.
	HasPassword bool
	// Path is the path part of the URL, decoded ("" when none was given).
	// For FTP it starts with "/" and, unless LoginRelative, is absolute:
	// "ftpes://h/%2Ftmp" and "ftpes://h//tmp" give "/tmp".
	Path string
	// LoginRelative says that Path names a place under the login folder,
	// as an FTP URL's path does (RFC 1738, and curl): "ftpes://h/pub" is
	// "pub" in the folder the server logs the user into, not "/pub". A
	// path that starts with "%2F" (or "//") is absolute. A site's remote
	// folder is absolute too. RemotePath applies it.
	LoginRelative bool
}

// ParseURL parses ftp://, ftpes://, ftps://, https:// and tls:// URLs.
// A URL without a scheme is taken as ftpes://, the safe default for FTP.
func ParseURL(raw string) (Target, error) {
	if !strings.Contains(raw, "://") {
		raw = "ftpes://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, password included: say less.
		return Target{}, fmt.Errorf("parse URL: %v", redactURLError(err))
	}
	t := Target{Scheme: Scheme(strings.ToLower(u.Scheme)), Host: u.Hostname(), Path: u.Path}
	if t.Scheme.IsFTP() && t.Path != "" {
		// RFC 1738 3.2.2: the segments after the host are relative to the
		// login folder; an empty first segment ("%2F" or "//") starts
		// from the root.
		if strings.HasPrefix(t.Path, "//") {
			t.Path = "/" + strings.TrimLeft(t.Path, "/")
		} else {
			t.LoginRelative = true
		}
	}
	switch t.Scheme {
	case FTP, FTPES, FTPS, HTTPS, TLS:
	default:
		return Target{}, fmt.Errorf("parse URL: unsupported scheme %q (use ftp, ftpes, ftps, https or tls)", u.Scheme)
	}
	if t.Scheme == TLS && u.Port() == "" {
		return Target{}, fmt.Errorf("parse URL: tls:// needs a port, as in tls://%s:993", u.Hostname())
	}
	if t.Host == "" {
		return Target{}, fmt.Errorf("parse URL: no host in %q", Redact(raw))
	}
	t.Port = t.Scheme.DefaultPort()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Target{}, fmt.Errorf("parse URL: bad port %q", p)
		}
		t.Port = n
	}
	if u.User != nil {
		t.User = u.User.Username()
		t.Password, t.HasPassword = u.User.Password()
	}
	return t, nil
}

// RemotePath is the FTP path the target names: Path itself when absolute;
// for a LoginRelative one, the path below home (the login folder, as PWD
// told it), or relative to the login folder when home is "". An empty
// result means the login folder itself.
func (t Target) RemotePath(home string) string {
	if !t.LoginRelative {
		return t.Path
	}
	rel := strings.TrimPrefix(t.Path, "/")
	if home == "" || rel == "" {
		if rel == "" {
			return home
		}
		return rel
	}
	return path.Join(home, rel)
}

// Address is host:port, ready for net.Dial.
func (t Target) Address() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// String renders the URL without its password.
func (t Target) String() string {
	u := url.URL{Scheme: string(t.Scheme), Host: t.Address(), Path: t.Path}
	if t.Scheme.IsFTP() && !t.LoginRelative && strings.HasPrefix(t.Path, "/") {
		// An absolute FTP path is written with %2F (RFC 1738).
		u.Path = "/" + t.Path
		u.RawPath = "/%2F" + (&url.URL{Path: strings.TrimPrefix(t.Path, "/")}).EscapedPath()
	}
	if t.User != "" {
		u.User = url.User(t.User)
	}
	return u.String()
}

// GoString is what %#v prints (a debug print, a test failure, a panic
// value): the fields, with the password as "****".
func (t Target) GoString() string {
	pw := ""
	if t.HasPassword || t.Password != "" {
		pw = "****"
	}
	return fmt.Sprintf("client.Target{Scheme:%q, Host:%q, Port:%d, User:%q, Password:%q, HasPassword:%t, Path:%q, LoginRelative:%t}",
		t.Scheme, t.Host, t.Port, t.User, pw, t.HasPassword, t.Path, t.LoginRelative)
}

// Redact removes a password from a URL string so that it can be printed.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if i := strings.Index(raw, "@"); i >= 0 {
			if j := strings.Index(raw, "://"); j >= 0 && j < i {
				return raw[:j+3] + "****" + raw[i:]
			}
		}
		return raw
	}
	return u.Redacted()
}

func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s: %v", ue.Op, ue.Err)
	}
	return err
}
