// Package settings holds Lockbox's preferences (theme, connections per
// site, TLS minimum, timeout, what to do with existing files,
// notifications, the transfer mode and where active mode listens), reads and writes them as settings.json in the
// configuration directory, and offers the form that edits them.
//
// A damaged settings file never stops the window from opening: Load
// returns the defaults (or the values that could be kept), moves the file
// aside so that nothing the user wrote is lost, and says so in its error.
package settings

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"lockbox/client"
	"lockbox/client/configfile"
	"lockbox/client/sites"
	"lockbox/client/transfer"
	"lockbox/client/trust"
)

// FileName is the settings file's name in the configuration directory.
const FileName = "settings.json"

// The values Theme may take.
const (
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

// The values MinTLS may take.
const (
	TLS12 = "1.2"
	TLS13 = "1.3"
)

// Bounds of Connections and TimeoutSeconds.
const (
	// MinConnections and MaxConnections bound the connections per site,
	// as client.Pool does.
	MinConnections = 1
	MaxConnections = client.MaxPoolSize
	// MinTimeoutSeconds is short enough for a loopback test and long
	// enough for a slow server's banner; MaxTimeoutSeconds (ten minutes)
	// is longer than any server waits for a silent client.
	MinTimeoutSeconds = 5
	MaxTimeoutSeconds = 600
)

// maxFileSize bounds what Load reads: the settings take a few hundred
// bytes, so a bigger file was not written by Lockbox.
const maxFileSize = 1 << 20

// Settings are the user's preferences. The JSON names are those of
// settings.json.
type Settings struct {
	// Theme is "system" (follow the desktop), "light" or "dark".
	Theme string `json:"theme"`
	// Connections is how many transfers run at once: the size of each
	// site's connection pool, 1 to 10.
	Connections int `json:"connections"`
	// MinTLS is the oldest TLS version accepted: "1.2" or "1.3".
	MinTLS string `json:"min_tls"`
	// TimeoutSeconds bounds a connect or a silent server, 5 to 600.
	TimeoutSeconds int `json:"timeout_seconds"`
	// Exists is what a transfer does with a file that is already there:
	// "resume", "overwrite", "skip" or "rename" (see transfer.ExistsPolicy).
	Exists string `json:"exists"`
	// Notify asks for a desktop notification when a long queue ends.
	Notify bool `json:"notify"`
	// Proxy is the proxy every connection goes through, unless its site
	// says otherwise: socks5://, socks5h:// or http:// with a user but no
	// password; "" for none.
	Proxy string `json:"proxy,omitempty"`
	// NoProxy lists the hosts that go direct, as curl's NO_PROXY.
	NoProxy string `json:"no_proxy,omitempty"`
	// ProxyPassword is the proxy password typed in the form, for the
	// keyring (sites.GlobalProxyKey); "" keeps the saved one. It is never
	// written to settings.json.
	ProxyPassword string `json:"-"`
	// Mode is the data connection mode of a site that does not choose
	// its own: "passive", "active" or "auto" (client.DataMode).
	Mode string `json:"mode"`
	// ActivePorts is the range active mode listens in, "FIRST-LAST" within
	// 1024-65535 (client.ParsePortRange), for a firewall that opens only
	// those; "" lets the system pick.
	ActivePorts string `json:"active_ports"`
	// ExternalIP is the address the server is told to connect to in active
	// mode, for a client behind NAT (FileZilla's "use the following IP
	// address"); "" means the address Lockbox listens on.
	ExternalIP string `json:"active_external_ip"`
	// BindAddr is the local address active mode listens on; "" means the
	// one the control connection uses, which the server can reach.
	BindAddr string `json:"active_bind_addr"`
}

// Defaults are the settings of a new installation: the system's theme, two
// connections (as FileZilla and WinSCP), TLS 1.2 or newer, 30 seconds,
// resume, notifications on, passive mode with ports and addresses left to
// the system. A settings.json written before a setting existed gets its
// default.
func Defaults() Settings {
	return Settings{
		Theme:          ThemeSystem,
		Connections:    client.DefaultPoolSize,
		MinTLS:         TLS12,
		TimeoutSeconds: 30,
		Exists:         string(transfer.ExistsResume),
		Notify:         true,
		Mode:           string(client.ModePassive),
	}
}

// FieldError is one setting with a value Lockbox cannot use.
type FieldError struct {
	// Field is the setting's name in settings.json.
	Field string
	// Value is the value that was refused.
	Value any
	// Reason says what would be accepted.
	Reason string
}

// Error reads "connections is 12: use 1 to 10".
func (e *FieldError) Error() string {
	v := fmt.Sprint(e.Value)
	if s, ok := e.Value.(string); ok {
		v = fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%s is %s: %s", e.Field, v, e.Reason)
}

// Validate reports every setting out of bounds, as *FieldError values
// joined with errors.Join; nil when all are usable.
func (s Settings) Validate() error {
	var errs []error
	for _, f := range s.check() {
		errs = append(errs, f)
	}
	return errors.Join(errs...)
}

// check lists the settings out of bounds.
func (s Settings) check() []*FieldError {
	var out []*FieldError
	switch s.Theme {
	case ThemeSystem, ThemeLight, ThemeDark:
	default:
		out = append(out, &FieldError{"theme", s.Theme, "use system, light or dark"})
	}
	if s.Connections < MinConnections || s.Connections > MaxConnections {
		out = append(out, &FieldError{"connections", s.Connections, fmt.Sprintf("use %d to %d", MinConnections, MaxConnections)})
	}
	switch s.MinTLS {
	case TLS12, TLS13:
	default:
		out = append(out, &FieldError{"min_tls", s.MinTLS, "use 1.2 or 1.3"})
	}
	if s.TimeoutSeconds < MinTimeoutSeconds || s.TimeoutSeconds > MaxTimeoutSeconds {
		out = append(out, &FieldError{"timeout_seconds", s.TimeoutSeconds, fmt.Sprintf("use %d to %d seconds", MinTimeoutSeconds, MaxTimeoutSeconds)})
	}
	// An empty policy means resume to the engine, but settings.json always
	// names one, so an empty one is damage.
	if _, err := transfer.ParseExistsPolicy(s.Exists); err != nil || s.Exists == "" {
		out = append(out, &FieldError{"exists", s.Exists, "use overwrite, skip, resume or rename"})
	}
	if s.Proxy == sites.ProxyNone {
		out = append(out, &FieldError{"proxy", s.Proxy, "leave it empty for none"})
	} else if err := sites.ValidateProxyURL(s.Proxy); err != nil {
		out = append(out, &FieldError{"proxy", client.Redact(s.Proxy), err.Error()})
	}
	switch client.DataMode(s.Mode) {
	case client.ModePassive, client.ModeActive, client.ModeAuto:
	default:
		out = append(out, &FieldError{"mode", s.Mode, "use passive, active or auto"})
	}
	if _, _, err := parsePorts(s.ActivePorts); err != nil {
		out = append(out, &FieldError{"active_ports", s.ActivePorts, err.Error()})
	}
	if _, err := parseAddr(s.ExternalIP, false); err != nil {
		out = append(out, &FieldError{"active_external_ip", s.ExternalIP, err.Error()})
	}
	if _, err := parseAddr(s.BindAddr, true); err != nil {
		out = append(out, &FieldError{"active_bind_addr", s.BindAddr, err.Error()})
	}
	return out
}

// repaired returns s with every setting out of bounds replaced by its
// default, and what was replaced.
func (s Settings) repaired() (Settings, []*FieldError) {
	bad := s.check()
	d := reflect.ValueOf(Defaults())
	v := reflect.ValueOf(&s).Elem()
	for _, f := range bad {
		// FieldError.Field is the setting's name in settings.json.
		for i := range v.NumField() {
			if name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ","); name == f.Field {
				v.Field(i).Set(d.Field(i))
			}
		}
	}
	return s, bad
}

// Timeout is TimeoutSeconds as a duration, for client.Options.Timeout.
func (s Settings) Timeout() time.Duration {
	return time.Duration(s.TimeoutSeconds) * time.Second
}

// MinVersion is MinTLS as a crypto/tls version, for
// client.Options.MinVersion: tls.VersionTLS13 for "1.3", else
// tls.VersionTLS12.
func (s Settings) MinVersion() uint16 {
	if s.MinTLS == TLS13 {
		return tls.VersionTLS13
	}
	return tls.VersionTLS12
}

// ExistsPolicy is Exists for transfer.QueueOptions.Exists (resume when it is
// not a policy).
func (s Settings) ExistsPolicy() transfer.ExistsPolicy {
	p, err := transfer.ParseExistsPolicy(s.Exists)
	if err != nil {
		return transfer.ExistsResume
	}
	return p
}

// DataMode is Mode for client.Options.Mode (passive when it is not a mode).
func (s Settings) DataMode() client.DataMode {
	m, err := client.ParseDataMode(s.Mode)
	if err != nil {
		return client.ModePassive
	}
	return m
}

// ActiveOptions are the port range and addresses for
// client.Options.Active; a setting that does not parse is left to the
// system, as when empty.
func (s Settings) ActiveOptions() client.ActiveOptions {
	var a client.ActiveOptions
	a.PortMin, a.PortMax, _ = parsePorts(s.ActivePorts)
	a.ExternalAddr, _ = parseAddr(s.ExternalIP, false)
	a.BindAddr, _ = parseAddr(s.BindAddr, true)
	return a
}

// parsePorts reads ActivePorts: "" is any port (0, 0).
func parsePorts(s string) (lo, hi int, err error) {
	if strings.TrimSpace(s) == "" {
		return 0, 0, nil
	}
	lo, hi, err = client.ParsePortRange(s)
	if err != nil {
		return 0, 0, errors.New("use a range such as 50000-50100, within 1024-65535")
	}
	return lo, hi, nil
}

// parseAddr reads ExternalIP or BindAddr: "" is the zero Addr. An address
// the server is told to connect to cannot be 0.0.0.0 or ::, where nothing
// listens; a bind address may be, to listen on every interface.
func parseAddr(s string, bind bool) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Addr{}, nil
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	switch {
	case err != nil || a.Zone() != "":
		return netip.Addr{}, errors.New("use an IP address such as 203.0.113.7, or leave it empty")
	case !bind && a.IsUnspecified():
		return netip.Addr{}, errors.New("the server cannot connect to an unspecified address; use this computer's public IP address")
	}
	return a.Unmap(), nil
}

// DefaultPath is settings.json in the configuration directory
// (trust.ConfigDir, which honours LOCKBOX_CONFIG_DIR).
func DefaultPath() (string, error) {
	dir, err := trust.ConfigDir()
	if err != nil {
		return "", fmt.Errorf("settings: %w", err)
	}
	return filepath.Join(dir, FileName), nil
}

// CorruptError reports a settings file Lockbox could not use as it was.
// When Load returns it, the file has been moved to MovedTo with its content
// intact, and the settings returned are the defaults, or (for a file that
// was readable JSON) its usable values with defaults for the others.
type CorruptError struct {
	// Path is where the damaged file was.
	Path string
	// MovedTo is where it is now; empty if it could not be moved.
	MovedTo string
	// Err is what was wrong with it.
	Err error
	// Kept says the file's usable values were kept.
	Kept bool
}

// Error says what was wrong, where the file went and what is used now.
func (e *CorruptError) Error() string {
	now := "the defaults are used"
	if e.Kept {
		now = "defaults are used for those, its other settings are kept"
	}
	if e.MovedTo == "" {
		return fmt.Sprintf("settings file %s is damaged (%v); %s", e.Path, e.Err, now)
	}
	return fmt.Sprintf("settings file %s is damaged (%v); it was set aside as %s and %s", e.Path, e.Err, e.MovedTo, now)
}

// Unwrap returns what was wrong with the file.
func (e *CorruptError) Unwrap() error { return e.Err }

// Load reads the settings at path. A missing or empty file gives the
// defaults and no error. A file that is not valid JSON gives the defaults;
// one with values out of bounds keeps its usable values and takes the
// defaults for the others. Either way the file is moved aside (next to
// itself, never over another) and the error is a *CorruptError saying
// where it went. A file that cannot be read gives the defaults and an
// error, and is left where it is. Settings unknown to this version are
// ignored.
func Load(path string) (Settings, error) {
	data, err := readFile(path)
	if err != nil || data == nil {
		return Defaults(), err
	}
	s := Defaults() // a setting missing from the file keeps its default
	if err := json.Unmarshal(data, &s); err != nil {
		return Defaults(), moveAside(&CorruptError{Path: path, Err: fmt.Errorf("not valid settings JSON: %w", err)})
	}
	s, bad := s.repaired()
	if len(bad) == 0 {
		return s, nil
	}
	msgs := make([]string, len(bad))
	for i, f := range bad {
		msgs[i] = f.Error()
	}
	return s, moveAside(&CorruptError{Path: path, Err: errors.New(strings.Join(msgs, "; ")), Kept: true})
}

// readFile returns the file's content, nil for a missing or blank file.
func readFile(path string) ([]byte, error) {
	data, err := configfile.Read(path, maxFileSize)
	if err != nil {
		return nil, fmt.Errorf("settings file %w; the defaults are used", err) // "settings file PATH is larger than…"
	}
	return data, nil
}

// moveAside renames the damaged file next to itself, never over an earlier
// one, fills in ce.MovedTo and returns ce.
func moveAside(ce *CorruptError) error {
	var err error
	if ce.MovedTo, err = configfile.MoveAside(ce.Path, time.Now()); err != nil {
		return fmt.Errorf("%w; setting it aside failed, so it was left in place: %v", ce, err)
	}
	return ce
}

// Save writes the settings to path, which it replaces atomically (a crash
// leaves the old file or the new one, never half of each), with mode 0600
// in a folder created with mode 0700. Settings that do not Validate are
// not written.
func (s Settings) Save(path string) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	if err := configfile.WriteJSON(path, s); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}
