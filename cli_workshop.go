package main

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"text/tabwriter"
	"time"

	"lockbox/client/configfile"
	"lockbox/client/identity"
	"lockbox/client/secrets"
	"lockbox/client/trust"
	"lockbox/client/workshop"
)

const workshopUsageText = `Usage:
  lockbox cert new [flags] --name NAME --cn CN      a new key and a self-signed certificate, saved
                                                    as the identity NAME
  lockbox cert new --request [flags] --name NAME --cn CN
                                                    a new key and a request (CSR) to send to a CA;
                                                    the request is printed (or written to -o)
  lockbox cert requests [--json]                    list the requests waiting for their certificate
  lockbox cert request NAME [-o FILE]               print a pending request again (PEM)
  lockbox cert request rm NAME                      forget a pending request and its key
  lockbox cert import [--name NAME] FILE            load the CA's answer (PEM, DER or PKCS#7, with or
                                                    without the chain) into an identity
  lockbox cert export NAME [-o FILE] [--der]        write an identity's certificate (not its key)
  lockbox cert ca new NAME [flags]                  make a private CA
  lockbox cert ca list [--json]                     list the private CAs
  lockbox cert ca export NAME [-o FILE] [--der]     write a CA's certificate, for servers to trust
  lockbox cert sign --ca NAME [--days N] [--usage U] [-o FILE] REQUEST
                                                    sign a request (PEM or DER) with a private CA

Keys never leave Lockbox unprotected: each lives in a PKCS#12 file in the configuration folder,
encrypted with a random password kept in the system keyring. Identities made here are offered
when a server asks for a client certificate (in the window, and with --identity NAME).

Exit codes: 0 done, 1 failure, 2 usage.

Flags:
`

// openKeyring opens the keyring keys' passwords go to. A variable so that
// tests need no keyring.
var openKeyring = secrets.Open

// workshopFlags are the flags of the cert sub-commands that make things.
type workshopFlags struct {
	json, request, der bool
	name, out          string
	cn, o, ou, c, mail string
	dns, ips, emails   stringList
	key, usage         string
	days               int
	ca                 string
}

func newWorkshopFlagSet(f *workshopFlags, stderr io.Writer) *flag.FlagSet {
	fs := newCommandFlagSet("lockbox cert", workshopUsageText, stderr)
	fs.BoolVar(&f.json, "json", false, "print one JSON object on stdout")
	fs.BoolVar(&f.request, "request", false, "make a certificate request (CSR) for a CA instead of a self-signed certificate")
	fs.BoolVar(&f.der, "der", false, "write certificates as DER instead of PEM")
	fs.StringVar(&f.name, "name", "", "the `NAME` of the identity or request (default: the CN)")
	fs.StringVar(&f.out, "o", "", "write the request or certificate to `FILE` (default: standard output)")
	fs.StringVar(&f.cn, "cn", "", "subject common name `CN`: a host name, an IP address or a person's name")
	fs.StringVar(&f.o, "org", "", "subject organisation `O`")
	fs.StringVar(&f.ou, "ou", "", "subject organisational unit `OU`")
	fs.StringVar(&f.c, "country", "", "subject two-letter `COUNTRY` code")
	fs.StringVar(&f.mail, "email", "", "subject e-mail `ADDRESS`")
	fs.Var(&f.dns, "dns", "add a DNS `NAME` to the subject alternative names (repeatable; the CN is added by itself)")
	fs.Var(&f.ips, "ip", "add an IP `ADDRESS` to the subject alternative names (repeatable)")
	fs.Var(&f.emails, "san-email", "add an e-mail `ADDRESS` to the subject alternative names (repeatable)")
	fs.StringVar(&f.key, "key", "ecdsa-p256", "key `TYPE`: ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096 or ed25519")
	fs.StringVar(&f.usage, "usage", "", "what the certificate is for: `client` (the default), server or both")
	fs.IntVar(&f.days, "days", 0, "validity in `DAYS` (default 365; 3650 for a CA)")
	fs.StringVar(&f.ca, "ca", "", "cert sign: the private CA `NAME` to sign with")
	return fs
}

// spec turns the flags into a workshop.Spec.
func (f *workshopFlags) spec() (workshop.Spec, error) {
	s := workshop.Spec{Key: workshop.KeyType(f.key), Days: f.days, Usage: workshop.Usage(f.usage),
		Subject:  workshop.Subject{CommonName: f.cn, Organization: f.o, OrganizationalUnit: f.ou, Country: f.c, Email: f.mail},
		DNSNames: f.dns, Emails: f.emails}
	for _, raw := range f.ips {
		ip := net.ParseIP(raw)
		if ip == nil {
			return s, fmt.Errorf("--ip %q is not an IP address", raw)
		}
		s.IPs = append(s.IPs, ip)
	}
	return s, nil
}

// isWorkshopCommand reports whether args start one of the cert
// sub-commands rather than name a file to show.
func isWorkshopCommand(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "new", "requests", "request", "import", "export", "ca", "sign":
		if _, err := os.Stat(args[0]); err == nil && len(args) == 1 {
			return false // a file really called "new" and nothing else
		}
		return true
	}
	return false
}

// openWorkshop opens the keyring and the workshop of the configuration
// folder, warning about a damaged file that was set aside.
func openWorkshop(stderr io.Writer) (*workshop.Workshop, error) {
	sec, kerr := openKeyring()
	if kerr != nil {
		sec = nil
	}
	w, err := workshop.OpenDefault(sec)
	if err := warnSetAside(err, stderr); err != nil {
		return nil, err
	}
	if kerr != nil {
		return w, fmt.Errorf("%w: %v", workshop.ErrNoKeyring, kerr)
	}
	return w, nil
}

// runWorkshop runs "lockbox cert new|requests|request|import|export|ca|sign".
func runWorkshop(args []string, stdout, stderr io.Writer) int {
	var f workshopFlags
	fs := newWorkshopFlagSet(&f, stderr)
	cmd := args[0]
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return parseExit(err)
	}
	need := func(n int, what string) bool {
		if len(pos) != n {
			fmt.Fprintf(stderr, "lockbox cert %s: need %s, got %d argument(s)\n", cmd, what, len(pos))
			return false
		}
		return true
	}
	var run func(w *workshop.Workshop) error
	switch cmd {
	case "new":
		if !need(0, "no argument besides flags") {
			return exitUsage
		}
		if f.cn == "" {
			fmt.Fprintln(stderr, "lockbox cert new: --cn is required")
			return exitUsage
		}
		spec, err := f.spec()
		if err != nil {
			fmt.Fprintf(stderr, "lockbox cert new: %v\n", err)
			return exitUsage
		}
		run = func(w *workshop.Workshop) error { return certNew(w, &f, spec, stdout, stderr) }
	case "requests":
		if !need(0, "no argument") {
			return exitUsage
		}
		run = func(w *workshop.Workshop) error { return certRequests(w, f.json, stdout) }
	case "request":
		if len(pos) == 2 && pos[0] == "rm" {
			run = func(w *workshop.Workshop) error {
				if err := w.RemovePending(pos[1]); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "Request %q and its key were removed.\n", pos[1])
				return nil
			}
			break
		}
		if !need(1, "the NAME of a pending request") {
			return exitUsage
		}
		run = func(w *workshop.Workshop) error {
			p, ok := w.GetPending(pos[0])
			if !ok {
				return fmt.Errorf("request %q: %w (lockbox cert requests lists them)", pos[0], workshop.ErrNotFound)
			}
			return writeOut(f.out, p.RequestPEM(), stdout)
		}
	case "import":
		if !need(1, "the FILE the CA sent") {
			return exitUsage
		}
		run = func(w *workshop.Workshop) error { return certImport(w, pos[0], f.name, f.json, stdout) }
	case "export":
		if !need(1, "the NAME of an identity") {
			return exitUsage
		}
		run = func(w *workshop.Workshop) error { return certExport(w, pos[0], f.out, f.der, stdout) }
	case "ca":
		return runCA(&f, pos, stdout, stderr)
	case "sign":
		if !need(1, "the REQUEST file") {
			return exitUsage
		}
		if f.ca == "" {
			fmt.Fprintln(stderr, "lockbox cert sign: --ca NAME is required (lockbox cert ca list shows the private CAs)")
			return exitUsage
		}
		run = func(w *workshop.Workshop) error { return certSign(w, &f, pos[0], stdout) }
	}
	w, err := openWorkshop(stderr)
	if w == nil {
		fmt.Fprintf(stderr, "lockbox cert %s: %v\n", cmd, err)
		return exitFailure
	}
	if err := run(w); err != nil {
		fmt.Fprintf(stderr, "lockbox cert %s: %v\n", cmd, workshopAdvice(err))
		return exitFailure
	}
	return exitOK
}

// workshopAdvice adds the fix to the workshop's errors.
func workshopAdvice(err error) string {
	switch {
	case errors.Is(err, workshop.ErrNoKeyring):
		return err.Error() + "; Lockbox keeps a new key's password only in the system keyring, so unlock or start it (Secret Service on Linux) and try again"
	case errors.Is(err, identity.ErrWrongPassword):
		return err.Error() + "; the password in the keyring no longer opens the key file: the key cannot be used"
	}
	return err.Error()
}

func writeOut(path string, data []byte, stdout io.Writer) error {
	if path == "" || path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	if err := configfile.WriteAtomic(path, data); err != nil {
		return err
	}
	return nil
}

func encodeCert(c *x509.Certificate, der bool) []byte {
	if der {
		return c.Raw
	}
	return workshop.CertificatePEM(c)
}

func certNew(w *workshop.Workshop, f *workshopFlags, spec workshop.Spec, stdout, stderr io.Writer) error {
	name := f.name
	if name == "" {
		name = f.cn
	}
	if f.request {
		p, err := w.NewRequest(name, spec)
		if err != nil {
			return err
		}
		if f.json {
			if f.out != "" {
				if err := writeOut(f.out, p.RequestPEM(), stdout); err != nil {
					return err
				}
			}
			writeJSON(stdout, pendingJSON(p))
			return nil
		}
		if f.out != "" {
			fmt.Fprintf(stderr, "Request %q made (%s key); send %s to your CA, then: lockbox cert import FILE\n", p.Name, p.Key.Label(), f.out)
		} else {
			fmt.Fprintf(stderr, "Request %q made (%s key); send the request below to your CA, then: lockbox cert import FILE\n", p.Name, p.Key.Label())
		}
		return writeOut(f.out, p.RequestPEM(), stdout)
	}
	m, err := w.NewSelfSigned(name, spec)
	if err != nil {
		return err
	}
	if f.out != "" {
		if err := writeOut(f.out, encodeCert(m.Certificate, f.der), stdout); err != nil {
			return err
		}
	}
	if f.json {
		writeJSON(stdout, savedJSON(m.Identity))
		return nil
	}
	fmt.Fprintf(stdout, "Identity %q saved: %s, self-signed, valid until %s, SHA-256 %s\n", m.Identity.Name,
		m.Identity.Subject, m.Identity.NotAfter.UTC().Format("2006-01-02"), trust.FormatFingerprint(trust.Fingerprint(m.Certificate.Raw)))
	if f.out == "" {
		_, err = stdout.Write(workshop.CertificatePEM(m.Certificate))
	}
	return err
}

type pendingOut struct {
	Name       string    `json:"name"`
	Subject    string    `json:"subject"`
	Key        string    `json:"key"`
	Created    time.Time `json:"created"`
	SPKISHA256 string    `json:"spki_sha256"`
	Request    string    `json:"request_pem"`
}

func pendingJSON(p workshop.Pending) pendingOut {
	return pendingOut{Name: p.Name, Subject: p.Subject, Key: string(p.Key), Created: p.Created, SPKISHA256: p.SPKISHA256, Request: string(p.RequestPEM())}
}

type identityOut struct {
	Name     string    `json:"name"`
	Subject  string    `json:"subject"`
	Issuer   string    `json:"issuer"`
	NotAfter time.Time `json:"not_after"`
	SHA256   string    `json:"sha256"`
	PKCS12   string    `json:"pkcs12"`
}

func savedJSON(sv identity.Saved) identityOut {
	out := identityOut{Name: sv.Name, Subject: sv.Subject, Issuer: sv.Issuer, NotAfter: sv.NotAfter, PKCS12: sv.PKCS12}
	if len(sv.Certificates) > 0 {
		out.SHA256 = trust.Fingerprint(sv.Certificates[0])
	}
	return out
}

func certRequests(w *workshop.Workshop, asJSON bool, stdout io.Writer) error {
	return printList(stdout, asJSON, "requests", w.Pending(), pendingJSON,
		"No request is waiting for its certificate. Make one with: lockbox cert new --request --cn NAME",
		"NAME\tSUBJECT\tKEY\tMADE", func(p workshop.Pending) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s", p.Name, p.Subject, p.Key.Label(), p.Created.Format("2006-01-02"))
		})
}

// printList writes what a list command found: with --json an object whose
// key holds the list (empty, never null), else a sentence when there is
// nothing, or a table of header and a row (tab-separated) per item.
func printList[T, J any](stdout io.Writer, asJSON bool, key string, list []T, toJSON func(T) J, empty, header string, row func(T) string) error {
	if asJSON {
		out := make([]J, 0, len(list))
		for _, x := range list {
			out = append(out, toJSON(x))
		}
		writeJSON(stdout, map[string][]J{key: out})
		return nil
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, empty)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, x := range list {
		fmt.Fprintln(tw, row(x))
	}
	return tw.Flush()
}

func certImport(w *workshop.Workshop, file, name string, asJSON bool, stdout io.Writer) error {
	data, err := configfile.Read(file, workshop.MaxRequestSize*4)
	if err != nil {
		return err
	}
	im, err := w.Import(data, name)
	if err != nil {
		return err
	}
	if asJSON {
		writeJSON(stdout, struct {
			Request  string      `json:"request"`
			Identity identityOut `json:"identity"`
		}{im.Request, savedJSON(im.Identity)})
		return nil
	}
	fmt.Fprintf(stdout, "The certificate answers request %q: identity %q saved (%s, issued by %s, valid until %s).\n",
		im.Request, im.Identity.Name, im.Identity.Subject, im.Identity.Issuer, im.Identity.NotAfter.UTC().Format("2006-01-02"))
	return nil
}

func certExport(w *workshop.Workshop, name, out string, der bool, stdout io.Writer) error {
	sv, ok := w.Identities().Get(name)
	if !ok {
		return fmt.Errorf("identity %q: %w", name, identity.ErrNotSaved)
	}
	chain, err := sv.Chain()
	if err != nil {
		return err
	}
	if der {
		return writeOut(out, chain[0].Raw, stdout)
	}
	return writeOut(out, workshop.CertificatePEM(chain...), stdout)
}

func certSign(w *workshop.Workshop, f *workshopFlags, file string, stdout io.Writer) error {
	data, err := configfile.Read(file, workshop.MaxRequestSize)
	if err != nil {
		return err
	}
	cert, err := w.Sign(f.ca, data, f.days, workshop.Usage(f.usage))
	if err != nil {
		return err
	}
	if f.json {
		if f.out != "" {
			if err := writeOut(f.out, encodeCert(cert, f.der), stdout); err != nil {
				return err
			}
		}
		writeJSON(stdout, struct {
			Subject  string    `json:"subject"`
			Issuer   string    `json:"issuer"`
			NotAfter time.Time `json:"not_after"`
			SHA256   string    `json:"sha256"`
			PEM      string    `json:"pem"`
		}{cert.Subject.String(), cert.Issuer.String(), cert.NotAfter, trust.Fingerprint(cert.Raw), string(workshop.CertificatePEM(cert))})
		return nil
	}
	return writeOut(f.out, encodeCert(cert, f.der), stdout)
}

// runCA runs "lockbox cert ca new|list|export".
func runCA(f *workshopFlags, pos []string, stdout, stderr io.Writer) int {
	sub := "list"
	if len(pos) > 0 {
		sub, pos = pos[0], pos[1:]
	}
	if (sub == "list" && len(pos) != 0) || (sub != "list" && len(pos) != 1) {
		fmt.Fprintf(stderr, "lockbox cert ca %s: wrong number of arguments (lockbox cert -h)\n", sub)
		return exitUsage
	}
	if sub != "list" && sub != "new" && sub != "export" {
		fmt.Fprintf(stderr, "lockbox cert ca: unknown command %q (new, list or export)\n", sub)
		return exitUsage
	}
	spec, err := f.spec()
	if err != nil {
		fmt.Fprintf(stderr, "lockbox cert ca: %v\n", err)
		return exitUsage
	}
	w, err := openWorkshop(stderr)
	if w == nil {
		fmt.Fprintf(stderr, "lockbox cert ca: %v\n", err)
		return exitFailure
	}
	err = func() error {
		switch sub {
		case "new":
			ca, err := w.NewCA(pos[0], spec)
			if err != nil {
				return err
			}
			if f.json {
				writeJSON(stdout, caJSON(ca))
				return nil
			}
			fmt.Fprintf(stdout, "CA %q made: %s. Give its certificate to the servers that must trust it: lockbox cert ca export %q\n", ca.Name, ca.Subject, ca.Name)
			return nil
		case "export":
			ca, ok := w.GetCA(pos[0])
			if !ok {
				return fmt.Errorf("CA %q: %w", pos[0], workshop.ErrNotFound)
			}
			cert, err := ca.Cert()
			if err != nil {
				return err
			}
			return writeOut(f.out, encodeCert(cert, f.der), stdout)
		}
		return printList(stdout, f.json, "cas", w.CAs(), caJSON,
			"No private CA yet. Make one with: lockbox cert ca new NAME",
			"NAME\tSUBJECT\tSHA-256", func(c workshop.CA) string {
				return fmt.Sprintf("%s\t%s\t%s", c.Name, c.Subject, trust.Fingerprint(c.Certificate))
			})
	}()
	if err != nil {
		fmt.Fprintf(stderr, "lockbox cert ca %s: %v\n", sub, workshopAdvice(err))
		return exitFailure
	}
	return exitOK
}

type caOut struct {
	Name     string    `json:"name"`
	Subject  string    `json:"subject"`
	SHA256   string    `json:"sha256"`
	NotAfter time.Time `json:"not_after"`
	PEM      string    `json:"pem"`
}

func caJSON(c workshop.CA) caOut {
	out := caOut{Name: c.Name, Subject: c.Subject, SHA256: trust.Fingerprint(c.Certificate)}
	if cert, err := c.Cert(); err == nil {
		out.NotAfter = cert.NotAfter
		out.PEM = string(workshop.CertificatePEM(cert))
	}
	return out
}
