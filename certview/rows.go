package certview

import (
	"crypto/sha1" //nolint:gosec // a fingerprint people compare with, not a security decision
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"lockbox/client"
	"lockbox/client/trust"
	"lockbox/client/verify"
)

// Row keys: what a row is, for mapping problems onto it.
const (
	keySubjectCN  = "subject.cn"
	keySubject    = "subject"
	keySAN        = "san"
	keyIssuer1st  = "issuer.first"
	keyIssuer     = "issuer"
	keySelfSigned = "selfsigned"
	keyNotBefore  = "notbefore"
	keyNotAfter   = "notafter"
	keyStatus     = "status"
	keyPublicKey  = "pubkey"
	keySigAlg     = "sigalg"
	keyBasic      = "basic"
	keyEKU        = "eku"
	keySHA256     = "sha256"
	keyOCSP       = "ocsp"
	keyProblem    = "problem"
)

// dnAttrs are the name attributes people know, in the order they are shown.
var dnAttrs = []struct{ oid, label string }{
	{"2.5.4.3", "Common name (CN)"},
	{"2.5.4.10", "Organization (O)"},
	{"2.5.4.11", "Organizational unit (OU)"},
	{"2.5.4.7", "Locality (L)"},
	{"2.5.4.8", "State or province (ST)"},
	{"2.5.4.6", "Country (C)"},
	{"1.2.840.113549.1.9.1", "E-mail"},
	{"2.5.4.9", "Street address"},
	{"2.5.4.17", "Postal code"},
	{"2.5.4.5", "Serial number (in name)"},
	{"2.5.4.97", "Organization identifier"},
	{"2.5.4.15", "Business category"},
	{"1.3.6.1.4.1.311.60.2.1.3", "Jurisdiction country"},
	{"1.3.6.1.4.1.311.60.2.1.2", "Jurisdiction state"},
	{"1.3.6.1.4.1.311.60.2.1.1", "Jurisdiction locality"},
	{"0.9.2342.19200300.100.1.25", "Domain component (DC)"},
	{"0.9.2342.19200300.100.1.1", "User ID (UID)"},
	{"2.5.4.4", "Surname"},
	{"2.5.4.42", "Given name"},
	{"2.5.4.12", "Title"},
}

const oidCommonName = "2.5.4.3"

// nameRows breaks a distinguished name into one row per attribute, known
// attributes first in the usual order, then the others as they appear.
func nameRows(n pkix.Name, field, key, cnKey string) []Row {
	type attr struct {
		rank  int
		label string
		oid   string
		value string
	}
	var attrs []attr
	for i, a := range n.Names {
		oid := a.Type.String()
		at := attr{rank: len(dnAttrs) + i, label: "OID " + oid, oid: oid, value: fmt.Sprint(a.Value)}
		for r, d := range dnAttrs {
			if d.oid == oid {
				at.rank, at.label = r, d.label
			}
		}
		attrs = append(attrs, at)
	}
	sort.SliceStable(attrs, func(i, j int) bool { return attrs[i].rank < attrs[j].rank })
	var rows []Row
	for _, a := range attrs {
		k := key
		if a.oid == oidCommonName && cnKey != "" {
			k = cnKey
		}
		rows = append(rows, Row{Label: a.label, Value: a.value, Field: field, key: k})
	}
	return rows
}

func ownerRows(c *x509.Certificate, level int, dialed string) []Row {
	rows := nameRows(c.Subject, verify.FieldOwner, keySubject, keySubjectCN)
	if len(rows) == 0 {
		rows = append(rows, Row{Label: "Subject", Value: "empty", Field: verify.FieldOwner, key: keySubject})
	}
	host := normalizeHost(dialed)
	for _, n := range c.DNSNames {
		rows = append(rows, Row{Label: "DNS name", Value: n, Field: verify.FieldOwner, key: keySAN,
			Highlight: host != "" && (&x509.Certificate{DNSNames: []string{n}}).VerifyHostname(host) == nil})
	}
	for _, ip := range c.IPAddresses {
		dialedIP := net.ParseIP(host)
		rows = append(rows, Row{Label: "IP address", Value: ip.String(), Field: verify.FieldOwner, key: keySAN,
			Highlight: dialedIP != nil && dialedIP.Equal(ip)})
	}
	for _, e := range c.EmailAddresses {
		rows = append(rows, Row{Label: "E-mail (SAN)", Value: e, Field: verify.FieldOwner, key: keySAN})
	}
	for _, u := range c.URIs {
		rows = append(rows, Row{Label: "URI", Value: u.String(), Field: verify.FieldOwner, key: keySAN})
	}
	if level == 0 && len(c.DNSNames)+len(c.IPAddresses)+len(c.EmailAddresses)+len(c.URIs) == 0 {
		rows = append(rows, Row{Label: "Alternative names", Value: "none", Field: verify.FieldOwner, key: keySAN})
	}
	return rows
}

// normalizeHost strips a port, IPv6 brackets and a trailing dot from the
// name the user dialed.
func normalizeHost(s string) string {
	s = strings.TrimSpace(s)
	if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	return strings.TrimSuffix(s, ".")
}

func issuerRows(c *x509.Certificate) []Row {
	rows := nameRows(c.Issuer, verify.FieldIssuer, keyIssuer, "")
	if len(rows) == 0 {
		rows = append(rows, Row{Label: "Issuer", Value: "empty", Field: verify.FieldIssuer})
	}
	rows[0].key = keyIssuer1st
	self := "no"
	if client.IsSelfSigned(c) {
		self = "yes: it signed itself"
	}
	return append(rows, Row{Label: "Self-signed", Value: self, Field: verify.FieldIssuer, key: keySelfSigned})
}

func validityRows(c *x509.Certificate, now time.Time) []Row {
	var status string
	switch {
	case now.Before(c.NotBefore):
		status = "not valid for another " + durationPhrase(c.NotBefore.Sub(now))
	case now.After(c.NotAfter):
		status = "expired " + durationPhrase(now.Sub(c.NotAfter)) + " ago"
	default:
		status = "valid, expires in " + durationPhrase(c.NotAfter.Sub(now))
	}
	return []Row{
		{Label: "Not before", Value: formatWhen(c.NotBefore, now.Location()), Field: verify.FieldValidity, key: keyNotBefore},
		{Label: "Not after", Value: formatWhen(c.NotAfter, now.Location()), Field: verify.FieldValidity, key: keyNotAfter},
		{Label: "Status", Value: status, Field: verify.FieldValidity, key: keyStatus},
		{Label: "Lifetime", Value: durationPhrase(c.NotAfter.Sub(c.NotBefore)), Field: verify.FieldValidity},
	}
}

func keyRows(c *x509.Certificate) []Row {
	return []Row{
		{Label: "Public key", Value: client.PublicKeyName(c), Field: verify.FieldKey, key: keyPublicKey},
		{Label: "Signature algorithm", Value: c.SignatureAlgorithm.String(), Field: verify.FieldSignature, key: keySigAlg},
		{Label: "Serial number", Value: serialHex(c), Mono: true},
		{Label: "Version", Value: fmt.Sprint(c.Version)},
	}
}

func fingerprintRows(c *x509.Certificate) []Row {
	s256 := sha256.Sum256(c.Raw)
	s1 := sha1.Sum(c.Raw) //nolint:gosec // display only
	return []Row{
		{Label: "SHA-256", Value: colonHex(s256[:]), Field: verify.FieldPin, Mono: true, key: keySHA256},
		{Label: "SHA-1", Value: colonHex(s1[:]), Mono: true},
		{Label: "Public key SHA-256 (pin)", Value: trust.SPKIHash(c), Field: verify.FieldPin, Mono: true},
	}
}

var keyUsageNames = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digital signature"},
	{x509.KeyUsageContentCommitment, "content commitment"},
	{x509.KeyUsageKeyEncipherment, "key encipherment"},
	{x509.KeyUsageDataEncipherment, "data encipherment"},
	{x509.KeyUsageKeyAgreement, "key agreement"},
	{x509.KeyUsageCertSign, "certificate signing"},
	{x509.KeyUsageCRLSign, "CRL signing"},
	{x509.KeyUsageEncipherOnly, "encipher only"},
	{x509.KeyUsageDecipherOnly, "decipher only"},
}

var policyNames = map[string]string{
	"2.5.29.32.0":             "any policy",
	"2.23.140.1.1":            "extended validation",
	"2.23.140.1.2.1":          "domain validated",
	"2.23.140.1.2.2":          "organization validated",
	"2.23.140.1.2.3":          "individual validated",
	"2.23.140.1.3":            "EV code signing",
	"2.23.140.1.4.1":          "code signing",
	"1.3.6.1.4.1.44947.1.1.1": "ISRG domain validated",
}

// Extensions that have rows of their own; any other is listed by OID.
var shownExtensions = map[string]bool{
	"2.5.29.14": true, "2.5.29.15": true, "2.5.29.17": true, "2.5.29.19": true,
	"2.5.29.30": true, "2.5.29.31": true, "2.5.29.32": true, "2.5.29.35": true,
	"2.5.29.37": true, "1.3.6.1.5.5.7.1.1": true, oidSCTList: true, oidTLSFeature: true,
}

var extensionNames = map[string]string{
	"2.5.29.18":               "issuer alternative name",
	"2.5.29.36":               "policy constraints",
	"2.5.29.54":               "inhibit any policy",
	"2.5.29.33":               "policy mappings",
	"2.5.29.9":                "subject directory attributes",
	"1.3.6.1.4.1.11129.2.4.3": "precertificate poison",
	"2.16.840.1.113730.1.1":   "Netscape certificate type",
	"2.16.840.1.113730.1.13":  "Netscape comment",
	"1.3.6.1.4.1.311.20.2":    "Microsoft certificate template name",
	"1.3.6.1.4.1.311.21.7":    "Microsoft certificate template",
	"1.3.6.1.4.1.311.21.10":   "Microsoft application policies",
}

const (
	oidSCTList    = "1.3.6.1.4.1.11129.2.4.2"
	oidTLSFeature = "1.3.6.1.5.5.7.1.24"
)

func extensionRows(c *x509.Certificate) []Row {
	rows := []Row{
		{Label: "Basic constraints", Value: basicConstraints(c), Field: verify.FieldChain, key: keyBasic},
		{Label: "Key usage", Value: keyUsage(c.KeyUsage)},
		{Label: "Extended key usage", Value: extKeyUsage(c), Field: verify.FieldUsage, key: keyEKU},
	}
	add := func(label, value string, mono bool) {
		rows = append(rows, Row{Label: label, Value: value, Mono: mono})
	}
	if len(c.SubjectKeyId) > 0 {
		add("Subject key ID", colonHex(c.SubjectKeyId), true)
	}
	if len(c.AuthorityKeyId) > 0 {
		add("Authority key ID", colonHex(c.AuthorityKeyId), true)
	}
	for _, u := range c.CRLDistributionPoints {
		add("CRL distribution point", u, false)
	}
	for _, u := range c.OCSPServer {
		add("OCSP server", u, false)
	}
	for _, u := range c.IssuingCertificateURL {
		add("CA issuers URL", u, false)
	}
	for _, p := range policies(c) {
		add("Certificate policy", p, false)
	}
	if nc := nameConstraints(c); nc != "" {
		add("Name constraints", nc, false)
	}
	for _, e := range c.Extensions {
		oid := e.Id.String()
		switch {
		case oid == oidSCTList:
			add("Embedded SCTs", embeddedSCTs(e.Value), false)
		case oid == oidTLSFeature:
			add("TLS feature", tlsFeature(e.Value), false)
		case !shownExtensions[oid]:
			label := "Extension " + oid
			if n, ok := extensionNames[oid]; ok {
				label = "Extension: " + n
			}
			v := fmt.Sprintf("%d bytes", len(e.Value))
			if e.Critical {
				v += ", critical"
			}
			add(label, v, false)
		}
	}
	return rows
}

func basicConstraints(c *x509.Certificate) string {
	switch {
	case !c.BasicConstraintsValid:
		return "absent (not a CA)"
	case !c.IsCA:
		return "CA: no"
	case c.MaxPathLen == 0 && c.MaxPathLenZero:
		return "CA: yes, path length 0 (may issue only end-entity certificates)"
	case c.MaxPathLen > 0:
		return fmt.Sprintf("CA: yes, path length %d", c.MaxPathLen)
	}
	return "CA: yes, path length unlimited"
}

func keyUsage(ku x509.KeyUsage) string {
	if ku == 0 {
		return "absent"
	}
	var names []string
	for _, k := range keyUsageNames {
		if ku&k.bit != 0 {
			names = append(names, k.name)
		}
	}
	return strings.Join(names, ", ")
}

func extKeyUsage(c *x509.Certificate) string {
	names := verify.ExtKeyUsageNames(c)
	if len(names) == 0 {
		return "absent (any purpose)"
	}
	return strings.Join(names, ", ")
}

func policies(c *x509.Certificate) []string {
	var oids []string
	if len(c.Policies) > 0 {
		for _, p := range c.Policies {
			oids = append(oids, p.String())
		}
	} else {
		for _, p := range c.PolicyIdentifiers {
			oids = append(oids, p.String())
		}
	}
	for i, o := range oids {
		if n, ok := policyNames[o]; ok {
			oids[i] = o + " (" + n + ")"
		}
	}
	return oids
}

func nameConstraints(c *x509.Certificate) string {
	var parts []string
	list := func(what string, items []string) {
		if len(items) > 0 {
			parts = append(parts, what+" "+strings.Join(items, ", "))
		}
	}
	nets := func(ns []*net.IPNet) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.String())
		}
		return out
	}
	list("permitted DNS", c.PermittedDNSDomains)
	list("excluded DNS", c.ExcludedDNSDomains)
	list("permitted IP", nets(c.PermittedIPRanges))
	list("excluded IP", nets(c.ExcludedIPRanges))
	list("permitted e-mail", c.PermittedEmailAddresses)
	list("excluded e-mail", c.ExcludedEmailAddresses)
	list("permitted URI", c.PermittedURIDomains)
	list("excluded URI", c.ExcludedURIDomains)
	s := strings.Join(parts, "; ")
	if s != "" && c.PermittedDNSDomainsCritical {
		s += " (critical)"
	}
	return s
}

// embeddedSCTs counts the timestamps in the SCT list extension: an OCTET
// STRING holding a TLS vector of vectors.
func embeddedSCTs(der []byte) string {
	var inner []byte
	if rest, err := asn1.Unmarshal(der, &inner); err != nil || len(rest) > 0 {
		return "unparsable"
	}
	s := cryptobyte.String(inner)
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || !s.Empty() {
		return "unparsable"
	}
	n := 0
	for !list.Empty() {
		var sct cryptobyte.String
		if !list.ReadUint16LengthPrefixed(&sct) {
			return "unparsable"
		}
		n++
	}
	return fmt.Sprint(n)
}

// tlsFeature names the TLS features (RFC 7633) a certificate demands.
func tlsFeature(der []byte) string {
	var features []int
	if rest, err := asn1.Unmarshal(der, &features); err != nil || len(rest) > 0 {
		return "unparsable"
	}
	var names []string
	for _, f := range features {
		switch f {
		case 5:
			names = append(names, "status_request (OCSP must-staple)")
		case 17:
			names = append(names, "status_request_v2")
		default:
			names = append(names, fmt.Sprintf("extension %d", f))
		}
	}
	return strings.Join(names, ", ")
}

func sctRow(scts [][]byte) Row {
	v := "none"
	if len(scts) > 0 {
		v = fmt.Sprintf("%d sent in the handshake", len(scts))
	}
	return Row{Label: "Signed certificate timestamps", Value: v}
}

func serialHex(c *x509.Certificate) string {
	if c.SerialNumber == nil {
		return "absent"
	}
	b := c.SerialNumber.Bytes()
	if len(b) == 0 {
		b = []byte{0}
	}
	if c.SerialNumber.Sign() < 0 {
		return "-" + colonHex(b)
	}
	return colonHex(b)
}

// issued reports whether parent's key signed child and names match.
func issued(child, parent *x509.Certificate) bool {
	if child == nil || parent == nil || string(child.RawIssuer) != string(parent.RawSubject) {
		return false
	}
	err := parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	if _, weak := err.(x509.InsecureAlgorithmError); weak {
		return true
	}
	return err == nil
}

// target says which rows a problem marks: the keys of existing rows, and
// the section and label of the row added when none of them exists.
func target(p verify.Problem, fromFile bool) (keys []string, section, label, value string) {
	label, value = "Problem", humanCode(p.Code)
	switch p.Field {
	case verify.FieldIssuer:
		keys, section = []string{keyIssuer1st}, SectionIssuer
		if p.Code == verify.CodeSelfSigned {
			keys = append(keys, keySelfSigned)
		}
	case verify.FieldOwner:
		keys, section = []string{keySubjectCN, keySAN}, SectionOwner
	case verify.FieldValidity:
		section = SectionValidity
		switch p.Code {
		case verify.CodeNotYetValid:
			keys = []string{keyNotBefore, keyStatus}
		case verify.CodeExpired, verify.CodeExpiresSoon:
			keys = []string{keyNotAfter, keyStatus}
		default:
			keys = []string{keyNotBefore, keyNotAfter}
		}
	case verify.FieldChain:
		section = SectionIssuer
		switch p.Code {
		case verify.CodeNotACA:
			keys, section = []string{keyBasic}, SectionExtensions
		case verify.CodeIncompleteChain:
			label, value = "Issuer certificate", "not sent by the server"
			if fromFile {
				value = "not in the file"
			}
		default:
			label = "Chain"
		}
	case verify.FieldUsage:
		keys, section = []string{keyEKU}, SectionExtensions
	case verify.FieldSignature:
		keys, section = []string{keySigAlg}, SectionKey
	case verify.FieldKey:
		keys, section = []string{keyPublicKey}, SectionKey
	case verify.FieldPin:
		keys, section = []string{keySHA256}, SectionFingerprints
	default:
		section = SectionOther
		if p.Field != "" {
			label = p.Field
		}
	}
	return keys, section, label, value
}

// applyProblem marks the rows p is about; when it is about no row the
// level has, it adds one, so no problem is ever dropped.
func applyProblem(lv *Level, p verify.Problem, fromFile bool) {
	keys, section, label, value := target(p, fromFile)
	hit := false
	for si := range lv.Sections {
		rows := lv.Sections[si].Rows
		for ri := range rows {
			for _, k := range keys {
				if rows[ri].key == k {
					mark(&rows[ri], p)
					hit = true
				}
			}
		}
	}
	if hit {
		return
	}
	s := lv.section(section)
	r := Row{Label: label, Value: value, Field: p.Field, key: keyProblem}
	mark(&r, p)
	s.Rows = append(s.Rows, r)
}

func mark(r *Row, p verify.Problem) {
	if rank(p.Severity) > rank(severityOf(r.Status)) {
		r.Status = statusOf(p.Severity)
	}
	if r.Field == "" {
		r.Field = p.Field
	}
	switch {
	case r.Message == "":
		r.Message = p.Message
	case !strings.Contains(r.Message, p.Message):
		r.Message += "\n" + p.Message
	}
}
