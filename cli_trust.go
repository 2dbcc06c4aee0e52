package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"text/tabwriter"
	"time"

	"lockbox/client"
	"lockbox/client/sites"
	"lockbox/client/trust"
	"lockbox/client/workshop"
)

const trustUsageText = `Usage:
  lockbox trust list [--json]                 every pinned certificate and every CA trusted
                                              beyond the system's (for all sites or one)
  lockbox trust rm HOST:PORT                  forget a pinned certificate (you are asked again)
  lockbox trust rm CA-SHA256 [--site NAME]    stop trusting a CA (fingerprint, or its first 8+ digits)
  lockbox trust export HOST:PORT|CA-SHA256 [-o FILE] [--der]
                                              write the pinned or CA certificate (PEM by default)
  lockbox trust add-ca FILE [--site NAME]     trust the CA certificates in FILE (PEM, DER, PKCS#7)
                                              for every server, or only the saved site NAME
  lockbox trust check HOST:PORT [--scheme S]  connect now and compare with the pin (S: ftpes, the
                                              default, ftps or https)

Pins live in pins.json and trusted CAs in trusted-cas.json in the configuration folder
($LOCKBOX_CONFIG_DIR, else ~/.config/lockbox).

Exit codes: 0 done (check: the pin matches), 3 check: the certificate changed or is not
trusted, 1 failure, 2 usage.

Flags:
`

// runTrust runs "lockbox trust" and returns its exit code.
func runTrust(args []string, stdout, stderr io.Writer) int {
	fs := newCommandFlagSet("lockbox trust", trustUsageText, stderr)
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	site := fs.String("site", "", "the saved site `NAME` a CA is trusted for (default: every server)")
	out := fs.String("o", "", "export: write to `FILE` (default: standard output)")
	der := fs.Bool("der", false, "export: write DER instead of PEM")
	scheme := fs.String("scheme", "ftpes", "check: connect with `SCHEME` ftpes, ftps or https")
	timeout := fs.Duration("timeout", 30*time.Second, "check: give up after `DURATION`")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseExit(err)
	}
	sub := "list"
	if len(pos) > 0 {
		sub, pos = pos[0], pos[1:]
	}
	switch sub {
	case "list", "ls":
		if len(pos) != 0 {
			fmt.Fprintf(stderr, "lockbox trust list: unexpected %q\n", pos[0])
			return exitUsage
		}
	case "rm", "export", "add-ca", "check":
		if len(pos) != 1 {
			fmt.Fprintf(stderr, "lockbox trust %s: need exactly one argument, got %d\n", sub, len(pos))
			return exitUsage
		}
	default:
		fmt.Fprintf(stderr, "lockbox trust: unknown command %q\n\n", sub)
		fs.Usage()
		return exitUsage
	}
	pins, err := trust.OpenDefault()
	if err := warnSetAside(err, stderr); err != nil {
		fmt.Fprintf(stderr, "lockbox trust: %v\n", err)
		return exitFailure
	}
	cas, err := trust.OpenCAsDefault()
	if err := warnSetAside(err, stderr); err != nil {
		fmt.Fprintf(stderr, "lockbox trust: %v\n", err)
		return exitFailure
	}
	switch sub {
	case "check":
		return trustCheck(pins, cas, pos[0], *scheme, *timeout, *asJSON, stdout, stderr)
	}
	err = func() error {
		switch sub {
		case "rm":
			return trustRemove(pins, cas, pos[0], *site, stdout)
		case "export":
			return trustExport(pins, cas, pos[0], *out, *der, stdout)
		case "add-ca":
			return trustAddCA(cas, pos[0], *site, *asJSON, stdout)
		}
		return trustList(pins, cas, siteCAs(stderr), *asJSON, stdout)
	}()
	if err != nil {
		fmt.Fprintf(stderr, "lockbox trust %s: %v\n", sub, err)
		return exitFailure
	}
	return exitOK
}

type pinOut struct {
	trust.Pin
	Certificate []byte `json:"certificate,omitempty"`
	PEM         string `json:"pem,omitempty"`
}

type caTrustOut struct {
	trust.TrustedCA
	Certificate []byte `json:"certificate,omitempty"`
	Scope       string `json:"scope"`
	PEM         string `json:"pem"`
}

// siteCAs reads the saved sites' CA files (nil when the sites cannot be
// read, with a warning).
func siteCAs(stderr io.Writer) []sites.SiteCA {
	st, err := sites.OpenDefault()
	if st == nil {
		fmt.Fprintf(stderr, "lockbox: warning: saved sites: %v\n", err)
		return nil
	}
	return st.CAFileCerts()
}

type siteCAOut struct {
	Site     string    `json:"site"`
	File     string    `json:"file"`
	Subject  string    `json:"subject,omitempty"`
	SHA256   string    `json:"sha256,omitempty"`
	NotAfter time.Time `json:"not_after,omitzero"`
	Error    string    `json:"error,omitempty"`
}

func trustList(pins *trust.Store, cas *trust.CAStore, siteFiles []sites.SiteCA, asJSON bool, stdout io.Writer) error {
	if asJSON {
		v := struct {
			PinsFile    string       `json:"pins_file"`
			CAsFile     string       `json:"cas_file"`
			Pins        []pinOut     `json:"pins"`
			CAs         []caTrustOut `json:"cas"`
			SiteCAFiles []siteCAOut  `json:"site_ca_files"`
		}{pins.Path(), cas.Path(), []pinOut{}, []caTrustOut{}, []siteCAOut{}}
		for _, sc := range siteFiles {
			o := siteCAOut{Site: sc.Site, File: sc.File}
			if sc.Err != nil {
				o.Error = sc.Err.Error()
			} else {
				o.Subject, o.SHA256, o.NotAfter = sc.Cert.Subject.String(), trust.Fingerprint(sc.Cert.Raw), sc.Cert.NotAfter
			}
			v.SiteCAFiles = append(v.SiteCAFiles, o)
		}
		for _, p := range pins.All() {
			o := pinOut{Pin: p}
			if c, err := x509.ParseCertificate(p.Certificate); err == nil {
				o.PEM = string(workshop.CertificatePEM(c))
			}
			v.Pins = append(v.Pins, o)
		}
		for _, c := range cas.All() {
			o := caTrustOut{TrustedCA: c, Scope: c.Scope()}
			if cert, err := c.Cert(); err == nil {
				o.PEM = string(workshop.CertificatePEM(cert))
			}
			v.CAs = append(v.CAs, o)
		}
		writeJSON(stdout, v)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	if len(pins.All()) == 0 {
		fmt.Fprintf(stdout, "No pinned certificates (%s).\n", pins.Path())
	} else {
		fmt.Fprintf(stdout, "Pinned certificates (%s):\n", pins.Path())
		fmt.Fprintln(tw, "HOST:PORT\tSUBJECT\tISSUER\tSHA-256\tACCEPTED\tEXPIRES")
		for _, p := range pins.All() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.HostPort, p.Subject, p.Issuer, p.SHA256,
				p.AcceptedAt.Format("2006-01-02"), p.NotAfter.Format("2006-01-02"))
		}
		tw.Flush()
	}
	fmt.Fprintln(stdout)
	if len(siteFiles) > 0 {
		fmt.Fprintln(stdout, "CA files of saved sites (change them in the window's site manager):")
		fmt.Fprintln(tw, "SITE\tFILE\tSUBJECT\tSHA-256\tEXPIRES")
		for _, sc := range siteFiles {
			if sc.Err != nil {
				fmt.Fprintf(tw, "%s\t%s\tunreadable: %v\t\t\n", sc.Site, sc.File, sc.Err)
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", sc.Site, sc.File, sc.Cert.Subject, trust.Fingerprint(sc.Cert.Raw), sc.Cert.NotAfter.Format("2006-01-02"))
		}
		tw.Flush()
		fmt.Fprintln(stdout)
	}
	if len(cas.All()) == 0 {
		fmt.Fprintf(stdout, "No CAs trusted beyond the system's (%s).\n", cas.Path())
		return nil
	}
	fmt.Fprintf(stdout, "CAs trusted beyond the system's (%s):\n", cas.Path())
	fmt.Fprintln(tw, "FOR\tSUBJECT\tSHA-256\tADDED\tEXPIRES")
	for _, c := range cas.All() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Scope(), c.Subject, c.SHA256, c.AddedAt.Format("2006-01-02"), c.NotAfter.Format("2006-01-02"))
	}
	return tw.Flush()
}

// isHostPort tells a pin's host:port from a CA's fingerprint.
func isHostPort(s string) bool {
	_, port, err := net.SplitHostPort(s)
	return err == nil && port != ""
}

// findCA returns the one trusted CA (for site, when given) ref names.
func findCA(cas *trust.CAStore, ref, site string, siteGiven bool) (trust.TrustedCA, error) {
	var match []trust.TrustedCA
	for _, c := range cas.Find(ref) {
		if !siteGiven || c.Site == site {
			match = append(match, c)
		}
	}
	switch len(match) {
	case 0:
		return trust.TrustedCA{}, fmt.Errorf("%s: %w (lockbox trust list shows them)", ref, trust.ErrCANotTrusted)
	case 1:
		return match[0], nil
	}
	return trust.TrustedCA{}, fmt.Errorf("%s names %d trusted CAs (or one CA for several sites): give more of the fingerprint, or --site", ref, len(match))
}

func trustRemove(pins *trust.Store, cas *trust.CAStore, ref, site string, stdout io.Writer) error {
	if isHostPort(ref) {
		if err := pins.Remove(ref); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "The pinned certificate of %s was removed: Lockbox will ask again next time.\n", ref)
		return nil
	}
	c, err := findCA(cas, ref, site, site != "")
	if err != nil {
		return err
	}
	if err := cas.Remove(c.SHA256, c.Site); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s is no longer trusted for %s.\n", c.Subject, c.Scope())
	return nil
}

func trustExport(pins *trust.Store, cas *trust.CAStore, ref, out string, der bool, stdout io.Writer) error {
	var certDER []byte
	if isHostPort(ref) {
		p, ok := pins.Lookup(ref)
		if !ok {
			return fmt.Errorf("%s: %w", ref, trust.ErrNotPinned)
		}
		if len(p.Certificate) == 0 {
			return fmt.Errorf("the pin of %s was saved by an older Lockbox, without its certificate: connect once more to show it, or check it (lockbox trust check %s)", ref, ref)
		}
		certDER = p.Certificate
	} else {
		c, err := findCA(cas, ref, "", false)
		if err != nil {
			return err
		}
		certDER = c.Certificate
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return err
	}
	return writeOut(out, encodeCert(cert, der), stdout)
}

func trustAddCA(cas *trust.CAStore, file, site string, asJSON bool, stdout io.Writer) error {
	certs, err := trust.LoadCAFiles([]string{file})
	if err != nil {
		return err
	}
	var added []trust.TrustedCA
	for _, c := range certs {
		entry, err := trust.NewTrustedCA(c, site, time.Now())
		if err != nil {
			return err
		}
		added = append(added, entry)
	}
	for _, e := range added {
		if err := cas.Add(e); err != nil {
			return err
		}
	}
	if asJSON {
		out := struct {
			Added []caTrustOut `json:"added"`
		}{}
		for _, e := range added {
			out.Added = append(out.Added, caTrustOut{TrustedCA: e, Scope: e.Scope()})
		}
		writeJSON(stdout, out)
		return nil
	}
	for _, e := range added {
		fmt.Fprintf(stdout, "Trusted for %s: %s (SHA-256 %s)\n", e.Scope(), e.Subject, e.SHA256)
	}
	return nil
}

// trustCheck connects to a pinned server and compares what it shows now
// with the pin.
func trustCheck(pins *trust.Store, cas *trust.CAStore, hostPort, scheme string, timeout time.Duration, asJSON bool, stdout, stderr io.Writer) int {
	if _, ok := pins.Lookup(hostPort); !ok {
		fmt.Fprintf(stderr, "lockbox trust check: %s: %v\n", hostPort, trust.ErrNotPinned)
		return exitFailure
	}
	switch scheme {
	case "ftpes", "ftps", "https":
	default:
		fmt.Fprintf(stderr, "lockbox trust check: --scheme %q: use ftpes, ftps or https\n", scheme)
		return exitUsage
	}
	target, err := client.ParseURL(scheme + "://" + hostPort)
	if err != nil {
		fmt.Fprintf(stderr, "lockbox trust check: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	report, err := client.Inspect(ctx, target, client.Options{Pins: pins, TrustedCAs: cas, Timeout: timeout})
	if asJSON {
		writeJSON(stdout, report)
	} else if report != nil {
		switch report.Trust {
		case client.TrustPinned, client.TrustVerified:
			fmt.Fprintf(stdout, "%s shows the pinned certificate (%s).\n", hostPort, report.Trust)
		case client.TrustPinChanged:
			fmt.Fprintf(stdout, "%s now shows ANOTHER certificate than the one pinned: %s\n", hostPort, report.PinChange.Verdict)
		default:
			fmt.Fprintf(stdout, "%s: %s\n", hostPort, report.Trust)
		}
	}
	return exitCode(report, err, stderr)
}
