// Package certview turns a certificate chain, and every problem verify found
// with it, into a Model: one Level per certificate, each made of Sections of
// label/value Rows, where every row knows which verify field it belongs to
// and whether a problem makes it invalid. The model is shown as plain text
// (WriteText, for `lockbox inspect` and `lockbox cert`) or as a Fyne panel
// (NewPanel). It also loads certificate files (PEM, DER, PKCS#12, PKCS#7)
// and judges them offline (LoadFile, Parse, OfflineProblems).
package certview

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"lockbox/client"
	"lockbox/client/verify"
)

// Row statuses: "" is a row nothing is wrong with.
const (
	// StatusInvalid marks a row that a problem of error severity is about.
	StatusInvalid = "invalid"
	// StatusWarning marks a row that a warning is about.
	StatusWarning = "warning"
)

// Level roles.
const (
	// RoleServer is level 0, the server's own certificate.
	RoleServer = "server"
	// RoleIntermediate is a CA certificate between the server's and the root.
	RoleIntermediate = "intermediate"
	// RoleRoot is a self-signed certificate at the top of the chain.
	RoleRoot = "root"
)

// Section titles, in the order every level shows them.
const (
	// SectionOwner is the subject's name, broken down, and every
	// Subject Alternative Name.
	SectionOwner = "Owner (subject)"
	// SectionIssuer is the issuer's name, broken down, and whether the
	// certificate is self-signed.
	SectionIssuer = "Issuer"
	// SectionValidity is the validity period, in UTC and local time.
	SectionValidity = "Validity"
	// SectionKey is the public key, signature algorithm, serial and version.
	SectionKey = "Key and signature"
	// SectionExtensions is constraints, usages, key IDs, URLs, policies,
	// and for level 0 the stapled OCSP response and SCTs.
	SectionExtensions = "Extensions"
	// SectionFingerprints is the SHA-256 and SHA-1 of the certificate and
	// the SHA-256 of its public key (the pin).
	SectionFingerprints = "Fingerprints"
	// SectionOther holds problems whose field this package does not know.
	SectionOther = "Other problems"
)

// ModelOptions is what Build needs besides the chain and its problems.
type ModelOptions struct {
	// DialedName is the host name or IP address the user connected to; the
	// Subject Alternative Name that matches it is highlighted. "" for a file.
	DialedName string
	// Now is the time validity is judged at ("expires in 23 days"). Its
	// location is the local time zone dates are also shown in. Zero means
	// time.Now().
	Now time.Time
	// OCSPResponse is the stapled OCSP response (DER), if the server sent one.
	OCSPResponse []byte
	// SCTs are the signed certificate timestamps sent in the handshake.
	SCTs [][]byte
	// Trust is the engine's decision (client.Trust as a string: "verified",
	// "pinned", "accepted_once", "untrusted", "pin_changed"); "" judges from
	// the problems alone, as for a file.
	Trust string
	// Source names the file the chain was loaded from, e.g. "chain.pem
	// (PEM)"; "" for a connection.
	Source string
}

// Model is everything the certificate inspector shows.
type Model struct {
	// Summary says in plain language whether the chain is trusted, why not,
	// and what the user can do: Verdict, then Advice.
	Summary string
	// Verdict is the first part of Summary: trusted or not, and every reason.
	Verdict string
	// Advice is what the user can do about an untrusted chain, or "".
	Advice string
	// Trusted is true when the summary is a positive verdict.
	Trusted bool
	// Severity is the worst status of the whole model: "", "warning" or "error".
	Severity verify.Severity
	// DialedName is ModelOptions.DialedName.
	DialedName string
	// Source is ModelOptions.Source.
	Source string
	// Levels are the certificates, level 0 (the server's) first.
	Levels []Level
	// Notes are problems that belong to no certificate of the chain, such as
	// a server that sent none; they are never dropped.
	Notes []Row
	// Problems are the problems the model was built from, unchanged.
	Problems []verify.Problem
}

// Level is one certificate of the chain.
type Level struct {
	// Index is the level: 0 is the server's certificate.
	Index int
	// Role is RoleServer, RoleIntermediate or RoleRoot.
	Role string
	// Title is the certificate's common name, else its first DNS name,
	// else its subject.
	Title string
	// Severity is that of the worst row: "", "warning" or "error".
	Severity verify.Severity
	// Note says when the certificate is not linked to the level below it
	// (the server sent it, but it did not issue that certificate).
	Note string
	// Cert is the certificate itself.
	Cert *x509.Certificate
	// Sections are Owner, Issuer, Validity, Key and signature, Extensions,
	// Fingerprints, then Other problems when there are any.
	Sections []Section
}

// Section is a titled group of rows.
type Section struct {
	// Title is one of the Section constants.
	Title string
	// Rows are shown in order.
	Rows []Row
}

// Row is one label/value line of a section.
type Row struct {
	// Label names the value ("Not after").
	Label string
	// Value is the text shown.
	Value string
	// Field is the verify field (verify.FieldOwner, ...) the row belongs
	// to, or "" for rows no check looks at.
	Field string
	// Status is "", StatusInvalid or StatusWarning.
	Status string
	// Message is the message of the problem(s) the row is marked for, one
	// per line.
	Message string
	// Highlight marks the Subject Alternative Name that matches the dialed name.
	Highlight bool
	// Mono says the value is hex or base64 and reads best in a fixed-width font.
	Mono bool

	// key identifies the row for mapping problems to it.
	key string
}

// Build makes the model of chain (level 0 first, as verify.Result.Chain
// gives it) and its problems. Every problem appears on at least one row.
func Build(chain []*x509.Certificate, problems []verify.Problem, opts ModelOptions) *Model {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	m := &Model{DialedName: opts.DialedName, Source: opts.Source, Problems: append([]verify.Problem(nil), problems...)}
	revoked := false
	for i, c := range chain {
		if c == nil {
			// Keep the indices the problems refer to.
			m.Levels = append(m.Levels, Level{Index: i, Role: RoleIntermediate, Title: "(no certificate)"})
			continue
		}
		lv := buildLevel(i, chain, opts)
		if i == 0 {
			ext := lv.section(SectionExtensions)
			rev := ocspRows(opts.OCSPResponse, chain, opts.Now)
			revoked = rev.revoked
			ext.Rows = append(ext.Rows, rev.rows...)
			ext.Rows = append(ext.Rows, sctRow(opts.SCTs))
		}
		m.Levels = append(m.Levels, lv)
	}
	for _, p := range problems {
		if p.Level < 0 || p.Level >= len(m.Levels) {
			m.Notes = append(m.Notes, Row{
				Label: noteLabel(p), Value: humanCode(p.Code), Field: p.Field,
				Status: statusOf(p.Severity), Message: p.Message,
			})
			continue
		}
		applyProblem(&m.Levels[p.Level], p, opts.Source != "")
	}
	for i := range m.Levels {
		m.Levels[i].Severity = worstOfRows(m.Levels[i].allRows())
		m.Severity = worse(m.Severity, m.Levels[i].Severity)
	}
	m.Severity = worse(m.Severity, worstOfRows(m.Notes))
	m.Verdict, m.Advice, m.Trusted = summarize(chain, problems, opts, revoked)
	if opts.Source != "" && opts.DialedName == "" && len(chain) > 0 {
		m.Advice = strings.TrimSpace(m.Advice + " The host name was not checked: this is a file, not a connection.")
	}
	m.Summary = strings.TrimSpace(m.Verdict + " " + m.Advice)
	return m
}

// FromReport builds the model of a finished connection.
func FromReport(r *client.Report, dialedName string, now time.Time) *Model {
	if r == nil {
		return Build(nil, nil, ModelOptions{DialedName: dialedName, Now: now, Trust: string(client.TrustUntrusted)})
	}
	return Build(r.Certificates, r.Problems, ModelOptions{
		DialedName:   dialedName,
		Now:          now,
		OCSPResponse: r.OCSPResponse,
		SCTs:         r.SCTs,
		Trust:        string(r.Trust),
	})
}

// Section returns the level's section with the given title, or nil.
func (l *Level) Section(title string) *Section {
	for i := range l.Sections {
		if l.Sections[i].Title == title {
			return &l.Sections[i]
		}
	}
	return nil
}

// section returns the section with the title, adding it when missing.
func (l *Level) section(title string) *Section {
	if s := l.Section(title); s != nil {
		return s
	}
	l.Sections = append(l.Sections, Section{Title: title})
	return &l.Sections[len(l.Sections)-1]
}

func (l *Level) allRows() []Row {
	var out []Row
	for _, s := range l.Sections {
		out = append(out, s.Rows...)
	}
	return out
}

func buildLevel(i int, chain []*x509.Certificate, opts ModelOptions) Level {
	c := chain[i]
	lv := Level{Index: i, Role: roleOf(i, chain), Title: certTitle(c), Cert: c}
	if i > 0 && !issued(chain[i-1], c) {
		lv.Note = fmt.Sprintf("did not issue level %d: sent, but not part of the chain", i-1)
	}
	lv.Sections = []Section{
		{Title: SectionOwner, Rows: ownerRows(c, i, opts.DialedName)},
		{Title: SectionIssuer, Rows: issuerRows(c)},
		{Title: SectionValidity, Rows: validityRows(c, opts.Now)},
		{Title: SectionKey, Rows: keyRows(c)},
		{Title: SectionExtensions, Rows: extensionRows(c)},
		{Title: SectionFingerprints, Rows: fingerprintRows(c)},
	}
	return lv
}

func roleOf(i int, chain []*x509.Certificate) string {
	switch {
	case i == 0:
		return RoleServer
	case i == len(chain)-1 && chain[i] != nil && client.IsSelfSigned(chain[i]):
		return RoleRoot
	}
	return RoleIntermediate
}

// certTitle names a certificate the way verify does in its messages.
func certTitle(c *x509.Certificate) string {
	switch {
	case c.Subject.CommonName != "":
		return c.Subject.CommonName
	case len(c.DNSNames) > 0:
		return c.DNSNames[0]
	case c.Subject.String() != "":
		return c.Subject.String()
	}
	return "serial " + colonHex(c.SerialNumber.Bytes())
}

func statusOf(s verify.Severity) string {
	if s == verify.SeverityError {
		return StatusInvalid
	}
	return StatusWarning
}

func severityOf(status string) verify.Severity {
	switch status {
	case StatusInvalid:
		return verify.SeverityError
	case StatusWarning:
		return verify.SeverityWarning
	}
	return ""
}

func rank(s verify.Severity) int {
	switch s {
	case verify.SeverityError:
		return 2
	case verify.SeverityWarning:
		return 1
	}
	return 0
}

func worse(a, b verify.Severity) verify.Severity {
	if rank(b) > rank(a) {
		return b
	}
	return a
}

func worstOfRows(rows []Row) verify.Severity {
	var s verify.Severity
	for _, r := range rows {
		s = worse(s, severityOf(r.Status))
	}
	return s
}

func noteLabel(p verify.Problem) string {
	if p.Level == 0 {
		return "Chain"
	}
	return fmt.Sprintf("Level %d", p.Level)
}
