package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"golang.org/x/term"

	"lockbox/client"
	"lockbox/client/configfile"
	"lockbox/client/identity"
	"lockbox/client/trace"
	"lockbox/client/trust"
)

// Exit codes: a contract scripts depend on.
const (
	exitOK        = 0
	exitFailure   = 1 // connection, protocol or login failure
	exitUsage     = 2
	exitUntrusted = 3 // certificate not trusted, or pin changed
)

const usageText = `Usage:
  lockbox                      open the window
  lockbox inspect [flags] URL  connect, show every handshake step, the chain and its problems
  lockbox ls [flags] URL       log in and list the directory in the URL's path
  lockbox get [flags] URL      download a file (-o PATH), or with -r a folder tree
  lockbox put [flags] LOCAL URL  upload a file, or with -r a folder tree
  lockbox rm|mkdir URL, mv URL NEWNAME  delete, create a folder, rename (lockbox get -h)
  lockbox cert [flags] FILE    show a certificate file (PEM, DER, PKCS#12, PKCS#7) and its
                               problems that can be judged offline
  lockbox sync [flags] LOCAL URL  compare and synchronise folders; --profile NAME runs a saved
                               one (lockbox sync -h)
  lockbox cert new|requests|import|export|ca|sign …
                               make keys, certificates and requests; run a private CA
                               (lockbox cert new -h)
  lockbox trust list|rm|export|add-ca|check …
                               the pinned certificates and trusted CAs (lockbox trust -h)
  lockbox sites [--json]       list the window's saved sites (passwords stay in the keyring)
  lockbox sites import FILE    import FileZilla's sitemanager.xml; lockbox sites rm NAME

URL: ftp://, ftpes:// (explicit FTPS, port 21), ftps:// (implicit FTPS, port 990) or https://,
     e.g. ftpes://alice@ftp.example.com:2121/dir. The password comes from the URL, the
     environment variable LOCKBOX_PASSWORD, or a prompt; it is never printed.

Exit codes: 0 trusted, 3 certificate not trusted or pin changed, 1 connection, protocol or
login failure, 2 usage.

Flags:
`

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// cliFlags are the flags shared by every sub-command.
type cliFlags struct {
	json           bool
	ca             stringList
	noSystemRoots  bool
	cert, key      string
	identity       string
	certPassEnv    string
	serverName     string
	tlsMin, tlsMax string
	timeout        time.Duration
	accept         bool
	allowPlaintext bool
	data           dataModeFlags
	// fingerprints are the --fingerprint values, as given.
	fingerprints stringList
	// proxy is --proxy's URL; proxySet tells --proxy "" (no proxy, even
	// if the environment names one) from no --proxy at all.
	proxy    string
	proxySet bool
	// noProxy is --noproxy's list; noProxySet as for proxySet.
	noProxy    string
	noProxySet bool
}

// newCommandFlagSet is the flag set of the command name: its errors and
// its -h, which prints usage and then the flags, go to stderr.
func newCommandFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	setUsage(fs, usage)
	return fs
}

// setUsage makes fs's -h print usage and then fs's flags on fs's output.
func setUsage(fs *flag.FlagSet, usage string) {
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
}

func newFlagSet(f *cliFlags, stderr io.Writer) *flag.FlagSet {
	fs := newCommandFlagSet("lockbox", usageText, stderr)
	fs.BoolVar(&f.json, "json", false, "print one JSON object on stdout")
	fs.Var(&f.ca, "ca", "trust the CA certificates in this `FILE`: PEM, DER or PKCS#7 (.p7b) (repeatable)")
	fs.BoolVar(&f.noSystemRoots, "no-system-roots", false, "trust only the --ca roots, not the system's")
	fs.StringVar(&f.cert, "cert", "", "client certificate `FILE` (PEM, or PKCS#12 .p12/.pfx)")
	fs.StringVar(&f.key, "key", "", "client private key `FILE` (PEM), when not inside --cert")
	fs.StringVar(&f.identity, "identity", "", "present the saved identity `NAME` (made or imported with lockbox cert, or saved in the window) when the server asks for a client certificate; its password comes from the keyring")
	fs.StringVar(&f.certPassEnv, "cert-password-env", "", "environment variable `NAME` holding the PKCS#12 password")
	fs.StringVar(&f.serverName, "servername", "", "check the certificate against `NAME` (and send it as SNI) instead of the URL's host")
	fs.StringVar(&f.tlsMin, "tls-min", "1.2", "lowest TLS `version` to accept: 1.2 or 1.3")
	fs.StringVar(&f.tlsMax, "tls-max", "", "highest TLS `version` to offer: 1.2 or 1.3")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "give up on a connect or a silent server after `DURATION`")
	fs.BoolVar(&f.accept, "accept", false, "pin the certificate shown for this host:port (always accept it), then go on")
	fs.BoolVar(&f.allowPlaintext, "allow-plaintext", false, "allow sending a password over unencrypted ftp://")
	fs.StringVar(&f.data.mode, "mode", "", "FTP data connections: `passive` (the default: Lockbox connects to the server), active (the server connects to Lockbox) or auto (passive, then active if the server refuses passive mode)")
	fs.BoolVar(&f.data.active, "active", false, "short for --mode active")
	fs.StringVar(&f.data.portRange, "port-range", "", "active mode: listen on a port from `FIRST-LAST` (such as 50000-50100), for a firewall that opens only those")
	fs.StringVar(&f.data.externalIP, "external-ip", "", "active mode: tell the server to connect to `ADDR` (your public address, behind NAT) instead of the local address")
	fs.Var(&f.fingerprints, "fingerprint", "trust exactly the certificate with this SHA-256 `FINGERPRINT` for this run (hex with or without colons, SHA256:… base64 as WinSCP and OpenSSH print it; repeatable); any other certificate exits 3")
	fs.Func("proxy", "go through the proxy at `URL`: socks5://, socks5h:// (the proxy resolves names) or http:// (CONNECT), with user:password@ if it asks; \"\" for none (else ALL_PROXY, HTTPS_PROXY, FTP_PROXY as curl)", func(v string) error {
		f.proxy, f.proxySet = v, true
		return nil
	})
	fs.Func("noproxy", "do not use a proxy for the hosts in `LIST` (comma-separated names, domains, IP addresses or CIDR blocks; * for every host), instead of NO_PROXY", func(v string) error {
		f.noProxy, f.noProxySet = v, true
		return nil
	})
	return fs
}

// parseExit is the exit code of a command whose flags did not parse: 0
// after -h (the usage was printed), else 2.
func parseExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// parseInterleaved lets flags come before or after the URL.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func parseVersion(s string) (uint16, error) {
	switch s {
	case "":
		return 0, nil
	case "1.2":
		return tls.VersionTLS12, nil
	case "1.3":
		return tls.VersionTLS13, nil
	}
	return 0, fmt.Errorf("TLS version %q: use 1.2 or 1.3", s)
}

// usageError is a mistake in how lockbox was called (exit code 2).
type usageError struct{ error }

// options turns flags into engine options for t, its proxy included;
// errors are usage errors except for files that cannot be read.
func (f *cliFlags) options(t client.Target, getenv func(string) string, warn io.Writer) (client.Options, error) {
	o := client.Options{MDTMWrite: true} // vsftpd keeps upload times
	var err error
	if o.MinVersion, err = parseVersion(f.tlsMin); err != nil {
		return o, usageError{fmt.Errorf("--tls-min: %w", err)}
	}
	if o.MaxVersion, err = parseVersion(f.tlsMax); err != nil {
		return o, usageError{fmt.Errorf("--tls-max: %w", err)}
	}
	if o.MaxVersion != 0 && o.MaxVersion < o.MinVersion {
		return o, usageError{errors.New("--tls-max is lower than --tls-min")}
	}
	if f.timeout <= 0 {
		return o, usageError{errors.New("--timeout must be positive")}
	}
	if f.key != "" && f.cert == "" {
		return o, usageError{errors.New("--key needs --cert")}
	}
	if f.identity != "" && f.cert != "" {
		return o, usageError{errors.New("give --identity or --cert, not both")}
	}
	if err := f.data.apply(&o); err != nil {
		return o, err
	}
	for _, raw := range f.fingerprints {
		fp, err := trust.ParseFingerprint(raw)
		if err != nil {
			return o, usageError{fmt.Errorf("--fingerprint: %w", err)}
		}
		o.ExpectedFingerprints = append(o.ExpectedFingerprints, fp)
	}
	o.Timeout = f.timeout
	o.ServerName = f.serverName
	o.NoSystemRoots = f.noSystemRoots
	o.AllowPlaintext = f.allowPlaintext
	if o.ExtraRoots, err = f.extraRoots(); err != nil {
		return o, err
	}
	if f.cert != "" {
		password := ""
		if f.certPassEnv != "" {
			password = getenv(f.certPassEnv)
		}
		if o.Identity, err = identity.Load(f.cert, f.key, password); err != nil {
			return o, fmt.Errorf("client identity: %w", err)
		}
	}
	if f.identity != "" {
		if o.Identity, err = loadSavedIdentity(f.identity); err != nil {
			return o, fmt.Errorf("--identity: %w", err)
		}
	}
	o.TrustedCAs, err = trust.OpenCAsDefault()
	if err := warnSetAside(err, warn); err != nil {
		return o, fmt.Errorf("trusted CAs: %w", err)
	}
	o.Pins, err = trust.OpenDefault()
	if err := warnSetAside(err, warn); err != nil {
		return o, fmt.Errorf("pin store: %w", err)
	}
	o.TLSSeen, err = trust.OpenSeenDefault()
	if err := warnSetAside(err, warn); err != nil {
		return o, fmt.Errorf("downgrade check: %w", err)
	}
	if f.accept {
		o.Decide = func(context.Context, client.Decision) client.Choice { return client.AcceptAlways }
	}
	o.Proxy, err = f.proxyFor(t, getenv)
	return o, err
}

// warnSetAside passes on err from opening a configuration store, except a
// damaged file, which was kept aside (the store goes on empty): that one
// is a warning on warn, and nil.
func warnSetAside(err error, warn io.Writer) error {
	var corrupt *configfile.CorruptError
	if errors.As(err, &corrupt) {
		fmt.Fprintf(warn, "lockbox: warning: %v\n", err)
		return nil
	}
	return err
}

// loadSavedIdentity loads the saved identity name with its password from
// the keyring.
func loadSavedIdentity(name string) (*identity.Identity, error) {
	store, err := identity.OpenDefaultStore()
	if err != nil {
		return nil, err
	}
	if _, ok := store.Get(name); !ok {
		return nil, fmt.Errorf("%q: %w (lockbox cert new or import makes one; the window's identity manager lists them)", name, identity.ErrNotSaved)
	}
	sec, kerr := openKeyring()
	if kerr != nil {
		sec = nil
	}
	id, err := store.LoadSaved(name, sec)
	if errors.Is(err, identity.ErrPasswordNeeded) && kerr != nil {
		return nil, fmt.Errorf("%w (the keyring cannot be opened: %v)", err, kerr)
	}
	return id, err
}

// extraRoots loads the --ca files (none: nil), refusing --no-system-roots
// without them.
func (f *cliFlags) extraRoots() ([]*x509.Certificate, error) {
	if f.noSystemRoots && len(f.ca) == 0 {
		return nil, usageError{errors.New("--no-system-roots needs at least one --ca")}
	}
	if len(f.ca) == 0 {
		return nil, nil
	}
	roots, err := trust.LoadCAFiles(f.ca)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	return roots, nil
}

// optionsFailed reports flags that could not be turned into options: a
// usage mistake (exit 2) or a file that could not be read (exit 1).
func optionsFailed(cmd string, err error, stderr io.Writer) int {
	fmt.Fprintf(stderr, "lockbox %s: %v\n", cmd, err)
	if _, ok := err.(usageError); ok {
		return exitUsage
	}
	return exitFailure
}

// runCLI runs one sub-command and returns its exit code.
func runCLI(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	var f cliFlags
	fs := newFlagSet(&f, stderr)
	switch cmd {
	case "-h", "--help", "help":
		fs.Usage()
		return exitOK
	case "cert":
		return runCert(rest, stdout, stderr)
	case "sites":
		return runSites(rest, stdout, stderr)
	case "trust":
		return runTrust(rest, stdout, stderr)
	case "get", "put", "rm", "mkdir", "mv":
		return runTransferCLI(cmd, rest, stdin, stdout, stderr)
	case "sync":
		return runSyncCLI(rest, stdin, stdout, stderr)
	case "inspect", "ls":
	default:
		fmt.Fprintf(stderr, "lockbox: unknown command %q\n\n", cmd)
		fs.Usage()
		return exitUsage
	}
	pos, err := parseInterleaved(fs, rest)
	if err != nil {
		return parseExit(err)
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "lockbox %s: need exactly one URL, got %d\n", cmd, len(pos))
		return exitUsage
	}
	target, err := client.ParseURL(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "lockbox %s: %v\n", cmd, err)
		return exitUsage
	}
	if cmd != "inspect" && !target.Scheme.IsFTP() {
		fmt.Fprintf(stderr, "lockbox %s: %s:// URLs are for inspect (and https:// for get)\n", cmd, target.Scheme)
		return exitUsage
	}
	opts, err := f.options(target, os.Getenv, stderr)
	if err != nil {
		return optionsFailed(cmd, err, stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if !f.json {
		opts.Observer = stepPrinter(stdout)
	}
	switch cmd {
	case "inspect":
		return runInspect(ctx, target, opts, f.json, stdout, stderr)
	default:
		return runLs(ctx, target, opts, f.json, stdin, stdout, stderr)
	}
}

func runInspect(ctx context.Context, t client.Target, opts client.Options, asJSON bool, stdout, stderr io.Writer) int {
	report, err := client.Inspect(ctx, t, opts)
	if err != nil && report != nil {
		report.Error = withAdvice(err) // the JSON's error says the fix too
	}
	if asJSON {
		writeJSON(stdout, report)
	} else {
		printReport(stdout, report, dialedName(t, opts))
	}
	return exitCode(report, err, stderr)
}

func runLs(ctx context.Context, t client.Target, opts client.Options, asJSON bool, stdin io.Reader, stdout, stderr io.Writer) int {
	if err := askPassword(&t, stdin, stderr); err != nil {
		fmt.Fprintf(stderr, "lockbox ls: %v\n", err)
		return exitUsage
	}
	sess, report, err := client.Connect(ctx, t, opts)
	if err != nil {
		if report != nil {
			report.Error = withAdvice(err) // the JSON's error says the fix too
		}
		if asJSON {
			writeJSON(stdout, struct {
				*client.Report
				Entries []client.Entry `json:"entries"`
			}{report, nil})
		} else if report != nil {
			printReport(stdout, report, dialedName(t, opts))
		}
		return exitCode(report, err, stderr)
	}
	defer sess.Close()
	dir := t.RemotePath("") // relative to the login folder unless %2F (RFC 1738)
	if dir == "" {
		if dir, err = sess.CurrentDir(); err != nil {
			fmt.Fprintf(stderr, "lockbox ls: %v\n", err)
			return exitFailure
		}
	}
	entries, err := sess.List(dir)
	report = sess.Report()
	if asJSON {
		writeJSON(stdout, struct {
			*client.Report
			Directory string         `json:"directory"`
			Entries   []client.Entry `json:"entries"`
		}{report, dir, entries})
	} else if err == nil {
		printListing(stdout, dir, entries)
	}
	if err != nil {
		fmt.Fprintf(stderr, "lockbox ls: %s\n", withAdvice(err))
		return exitFailure
	}
	return exitCode(report, nil, stderr)
}

// askPassword fills in the password of a t that names a user but no
// password: LOCKBOX_PASSWORD, else a prompt when standard input is a
// terminal.
func askPassword(t *client.Target, stdin io.Reader, stderr io.Writer) error {
	if t.User == "" || t.HasPassword {
		return nil
	}
	if pw, ok := os.LookupEnv("LOCKBOX_PASSWORD"); ok {
		t.Password, t.HasPassword = pw, true
		return nil
	}
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return errors.New("no password: put it in LOCKBOX_PASSWORD (standard input is not a terminal to ask on)")
	}
	fmt.Fprintf(stderr, "Password for %s@%s: ", t.User, t.Host)
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stderr)
	if err != nil {
		return fmt.Errorf("read password: %w", err)
	}
	t.Password, t.HasPassword = string(pw), true
	return nil
}

func exitCode(report *client.Report, err error, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintf(stderr, "lockbox: %s\n", withAdvice(err))
		if client.IsTrustFailure(err) {
			return exitUntrusted
		}
		return exitFailure
	}
	if report != nil && !report.Trusted {
		if report.Trust != client.TrustPinChanged {
			if a := rootAdvice(report.Problems); a != "" {
				fmt.Fprintf(stderr, "lockbox: %s\n", a)
			}
		}
		return exitUntrusted
	}
	return exitOK
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// stepPrinter prints each step the moment the engine reports it.
func stepPrinter(w io.Writer) trace.Observer {
	return trace.ObserverFunc(func(s trace.Step) {
		mark := s.Dir.Arrow()
		if s.Failed {
			mark = "✗"
		}
		fmt.Fprintf(w, "%6d ms  %-8s %s %-20s %s\n", s.At.Milliseconds(), s.Conn, mark, s.Name, s.Summary)
		fmt.Fprintf(w, "%30s %s\n", "", s.Explain)
	})
}
