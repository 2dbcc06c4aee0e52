// Package sites keeps the user's saved servers (a site manager, as in
// FileZilla or WinSCP): their URL, user, connection settings and folders in
// sites.json, and their passwords in a secrets.Store (the operating
// system's keyring), never in a file of Lockbox's. It also imports
// FileZilla's sitemanager.xml.
package sites

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"lockbox/client"
	"lockbox/client/trust"
)

// Passive-mode choices for Site.Passive.
const (
	// PassiveDefault tries EPSV, then PASV (as PassiveEPSV).
	PassiveDefault = ""
	// PassiveEPSV tries EPSV, then PASV.
	PassiveEPSV = "epsv"
	// PassivePASV uses PASV only, for servers or firewalls that mishandle
	// EPSV.
	PassivePASV = "pasv"
)

// Data connection mode choices for Site.Mode (client.DataMode's values).
const (
	// ModeDefault leaves the caller's default (Settings; passive unless
	// changed), as FileZilla's MODE_DEFAULT.
	ModeDefault = ""
	// ModePassive: Lockbox connects to the server (EPSV, PASV).
	ModePassive = string(client.ModePassive)
	// ModeActive: the server connects to Lockbox (EPRT, PORT).
	ModeActive = string(client.ModeActive)
	// ModeAuto: passive, falling back to active when the server refuses it.
	ModeAuto = string(client.ModeAuto)
)

// TLS minimum choices for Site.MinTLS.
const (
	// MinTLSDefault leaves the engine's default (TLS 1.2).
	MinTLSDefault = ""
	// MinTLS12 accepts TLS 1.2 and later.
	MinTLS12 = "1.2"
	// MinTLS13 accepts TLS 1.3 only.
	MinTLS13 = "1.3"
)

// Client identity choices for Site.Identity; any other value names a saved
// client identity.
const (
	// IdentityAsk asks the user when a server requests a client certificate.
	IdentityAsk = ""
	// IdentityNever never sends a client certificate.
	IdentityNever = "none"
)

// MaxNameLength bounds a site's name, in characters.
const MaxNameLength = 256

// Site is one saved server. It never holds a password: that lives in a
// secrets.Store under PasswordKey(Name).
type Site struct {
	// Name is what the user calls the site; unique in a Store. A "/" shows
	// folders, as FileZilla's imported "Folder/Sub/Site".
	Name string `json:"name"`
	// URL is scheme://host:port/path with no user or password; the scheme is
	// ftp, ftpes, ftps or https.
	URL string `json:"url"`
	// User is the login name; "" logs in with none (HTTPS, anonymous).
	User string `json:"user,omitempty"`
	// Passive is PassiveDefault, PassiveEPSV or PassivePASV.
	Passive string `json:"passive,omitempty"`
	// Mode is ModeDefault, ModePassive, ModeActive or ModeAuto: who opens
	// data connections.
	Mode string `json:"mode,omitempty"`
	// MinTLS is MinTLSDefault, MinTLS12 or MinTLS13.
	MinTLS string `json:"min_tls,omitempty"`
	// CAFiles are extra CA certificates (PEM or DER files) trusted for this
	// site, as the command line's --ca.
	CAFiles []string `json:"ca_files,omitempty"`
	// Identity is IdentityAsk, IdentityNever or the name of a saved client
	// identity; the caller resolves it.
	Identity string `json:"identity,omitempty"`
	// LocalDir is the local folder to start in; "" means the caller's default.
	LocalDir string `json:"local_dir,omitempty"`
	// RemoteDir is the server folder to start in; "" means the URL's path,
	// or the server's home folder.
	RemoteDir string `json:"remote_dir,omitempty"`
	// Proxy is ProxyDefault (the settings' proxy), ProxyNone (connect
	// directly) or a proxy URL (socks5://, socks5h:// or http://, with a
	// user but never a password: that goes to the keyring under
	// ProxyPasswordKey(Name)).
	Proxy string `json:"proxy,omitempty"`
	// Fingerprint is the SHA-256 fingerprint of the one certificate to
	// trust for this site, in any form trust.ParseFingerprint reads; ""
	// for none. Any other certificate is then refused.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Verify checks each transferred file with the server's hash (HASH or
	// an X-command), as the command line's verify option.
	Verify bool `json:"verify,omitempty"`
}

// Proxy choices for Site.Proxy; any other value is a proxy URL.
const (
	// ProxyDefault uses the proxy of the settings, if any.
	ProxyDefault = ""
	// ProxyNone connects directly, whatever the settings say.
	ProxyNone = "none"
)

// FieldError is a site field whose value cannot be saved or used, so a form
// can mark the field.
type FieldError struct {
	// Site is the site's name ("" when that is what is missing).
	Site string
	// Field is the JSON name of the field: "name", "url", "user", "passive",
	// "mode", "min_tls", "ca_files", "identity", "local_dir" or "remote_dir".
	Field string
	// Problem says what is wrong, for the user.
	Problem string
}

// Error names the site and the field.
func (e *FieldError) Error() string {
	if e.Site == "" {
		return fmt.Sprintf("site: %s: %s", e.Field, e.Problem)
	}
	return fmt.Sprintf("site %q: %s: %s", e.Site, e.Field, e.Problem)
}

// MakeURL builds a site URL from its parts, bracketing an IPv6 host.
func MakeURL(scheme client.Scheme, host string, port int, path string) string {
	u := url.URL{Scheme: string(scheme), Host: net.JoinHostPort(host, strconv.Itoa(port)), Path: path}
	return u.String()
}

// Validate reports the first field that cannot be saved or used, as a
// *FieldError.
func (s Site) Validate() error {
	fail := func(field, format string, a ...any) error {
		return &FieldError{Site: s.Name, Field: field, Problem: fmt.Sprintf(format, a...)}
	}
	switch {
	case strings.TrimSpace(s.Name) == "":
		return fail("name", "a site needs a name")
	case strings.TrimSpace(s.Name) != s.Name:
		return fail("name", "the name starts or ends with spaces")
	case utf8.RuneCountInString(s.Name) > MaxNameLength:
		return fail("name", "the name is longer than %d characters", MaxNameLength)
	case !printable(s.Name):
		return fail("name", "the name contains control characters")
	}
	if err := validateURL(s.URL); err != nil {
		return fail("url", "%v", err)
	}
	// FTP sends the user and the folder on a command line: a line break
	// would smuggle in another command.
	if !printable(s.User) {
		return fail("user", "the user name contains control characters")
	}
	switch s.Passive {
	case PassiveDefault, PassiveEPSV, PassivePASV:
	default:
		return fail("passive", "%q is not a passive mode (use %q or %q)", s.Passive, PassiveEPSV, PassivePASV)
	}
	switch s.Mode {
	case ModeDefault, ModePassive, ModeActive, ModeAuto:
	default:
		return fail("mode", "%q is not a data connection mode (use %q, %q or %q)", s.Mode, ModePassive, ModeActive, ModeAuto)
	}
	if _, err := s.minVersion(); err != nil {
		return fail("min_tls", "%v", err)
	}
	for _, f := range s.CAFiles {
		if strings.TrimSpace(f) == "" || !printable(f) {
			return fail("ca_files", "%q is not a file name", f)
		}
	}
	if !printable(s.Identity) {
		return fail("identity", "the identity name contains control characters")
	}
	if !printable(s.LocalDir) {
		return fail("local_dir", "the local folder contains control characters")
	}
	if !printable(s.RemoteDir) {
		return fail("remote_dir", "the remote folder contains control characters")
	}
	if err := ValidateProxyURL(s.Proxy); err != nil {
		return fail("proxy", "%v", err)
	}
	if s.Fingerprint != "" {
		if _, err := trust.ParseFingerprint(s.Fingerprint); err != nil {
			return fail("fingerprint", "%v", err)
		}
	}
	return nil
}

// ValidateProxyURL accepts ProxyDefault, ProxyNone and a proxy URL that
// client.ParseProxy reads and that holds no password (it belongs in the
// keyring).
func ValidateProxyURL(raw string) error {
	if raw == ProxyDefault || raw == ProxyNone {
		return nil
	}
	if !printable(raw) {
		return fmt.Errorf("the proxy contains control characters")
	}
	px, err := client.ParseProxy(raw)
	if err != nil {
		return err
	}
	if px.Password != "" {
		return fmt.Errorf("the proxy URL must not hold a password: it has its own field and goes to the keyring")
	}
	return nil
}

// validateURL accepts only what a site should store: an explicit scheme of
// the four, a host, no user or password, no query or fragment.
func validateURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("a site needs a URL")
	}
	if !printable(raw) {
		return fmt.Errorf("the URL contains control characters")
	}
	if !strings.Contains(raw, "://") {
		return fmt.Errorf("the URL needs a scheme (ftp://, ftpes://, ftps:// or https://)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the URL; client.ParseURL says it better.
		if _, perr := client.ParseURL(raw); perr != nil {
			return perr
		}
		return fmt.Errorf("the URL cannot be parsed")
	}
	if u.User != nil {
		return fmt.Errorf("the URL must not hold a user or password: the user has its own field and the password goes to the keyring")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return fmt.Errorf("the URL must not have a query or fragment")
	}
	if _, err := client.ParseURL(raw); err != nil {
		return err
	}
	return nil
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// Scheme returns the scheme of the site's URL, "" when it has none.
func (s Site) Scheme() client.Scheme {
	i := strings.Index(s.URL, "://")
	if i < 0 {
		return ""
	}
	return client.Scheme(strings.ToLower(s.URL[:i]))
}

// Target returns the site as the engine's target: its URL, user and the
// given password ("" for none), in RemoteDir when set.
func (s Site) Target(password string) (client.Target, error) {
	if err := s.Validate(); err != nil {
		return client.Target{}, err
	}
	t, err := client.ParseURL(s.URL)
	if err != nil {
		return client.Target{}, fmt.Errorf("site %q: %w", s.Name, err)
	}
	t.User = s.User
	if password != "" {
		t.Password, t.HasPassword = password, true
	}
	if s.RemoteDir != "" {
		t.Path = s.RemoteDir
	}
	// A site's folder is absolute, as in FileZilla, unlike a typed URL's
	// path (see client.Target.LoginRelative).
	t.LoginRelative = false
	return t, nil
}

// Apply sets the site's connection settings in o: the TLS minimum (left as
// it is for MinTLSDefault), PASV-only mode, the data connection mode
// (left as it is for ModeDefault), the expected fingerprint and the
// site's extra CA roots (added to any already there). The proxy is
// ResolveProxy's, which needs the keyring. Which client identity to send is the
// caller's to resolve from Identity.
func (s Site) Apply(o *client.Options) error {
	if err := s.Validate(); err != nil {
		return err
	}
	v, _ := s.minVersion()
	if v != 0 {
		o.MinVersion = v
	}
	o.DisableEPSV = s.Passive == PassivePASV
	if s.Mode != ModeDefault {
		o.Mode = client.DataMode(s.Mode)
	}
	if s.Fingerprint != "" {
		fp, _ := trust.ParseFingerprint(s.Fingerprint) // Validate read it
		o.ExpectedFingerprints = []string{fp}
	}
	if len(s.CAFiles) > 0 {
		roots, err := trust.LoadCAFiles(s.CAFiles)
		if err != nil {
			return fmt.Errorf("site %q: %w", s.Name, err)
		}
		o.ExtraRoots = append(o.ExtraRoots, roots...)
	}
	return nil
}

func (s Site) minVersion() (uint16, error) {
	switch s.MinTLS {
	case MinTLSDefault:
		return 0, nil
	case MinTLS12:
		return tls.VersionTLS12, nil
	case MinTLS13:
		return tls.VersionTLS13, nil
	}
	return 0, fmt.Errorf("%q is not a TLS version (use %q or %q)", s.MinTLS, MinTLS12, MinTLS13)
}

// clone returns s with its own copy of CAFiles, so that a Store's sites are
// not changed through a caller's slice.
func (s Site) clone() Site {
	if s.CAFiles != nil {
		s.CAFiles = append([]string(nil), s.CAFiles...)
	}
	return s
}
