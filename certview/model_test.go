package certview

import (
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"lockbox/client"
	"lockbox/client/trust"
	"lockbox/client/verify"
)

// rowsOf returns the rows of one section of level 0 of a model of c alone.
func rowsOf(t *testing.T, c *x509.Certificate, section string, opts ModelOptions) []Row {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = fixedNow
	}
	m := Build([]*x509.Certificate{c}, nil, opts)
	s := m.Levels[0].Section(section)
	if s == nil {
		t.Fatalf("no section %q", section)
	}
	return s.Rows
}

// value returns the value of the first row with label, or fails.
func value(t *testing.T, rows []Row, label string) string {
	t.Helper()
	for _, r := range rows {
		if r.Label == label {
			return r.Value
		}
	}
	t.Fatalf("no row %q in %v", label, labels(rows))
	return ""
}

func labels(rows []Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Label)
	}
	return out
}

func TestOwnerRows(t *testing.T) {
	ch := newTestChain(t)
	rows := rowsOf(t, ch.leaf.Cert, SectionOwner, ModelOptions{})
	want := []struct{ label, value string }{
		{"Common name (CN)", "ftp.example.com"},
		{"Organization (O)", "Example Ltd"},
		{"Organizational unit (OU)", "File Transfer"},
		{"Locality (L)", "Hamburg"},
		{"State or province (ST)", "Hamburg"},
		{"Country (C)", "DE"},
		{"DNS name", "ftp.example.com"},
		{"DNS name", "*.files.example.com"},
		{"DNS name", "example.com"},
		{"IP address", "192.0.2.10"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %v, want %d rows", labels(rows), len(want))
	}
	for i, w := range want {
		if rows[i].Label != w.label || rows[i].Value != w.value || rows[i].Field != verify.FieldOwner {
			t.Errorf("row %d = %q %q (%s), want %q %q (owner)", i, rows[i].Label, rows[i].Value, rows[i].Field, w.label, w.value)
		}
	}
}

func TestOwnerRowsOtherNames(t *testing.T) {
	c := newCert(t, certSpec{
		subject: pkix.Name{CommonName: "x", ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: "ops@example.com"},
			{Type: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: "custom"},
		}},
		emails: []string{"admin@example.com"},
		uris:   []string{"spiffe://example.com/ftp"},
		key:    edKey(20),
	}).Cert
	rows := rowsOf(t, c, SectionOwner, ModelOptions{})
	for _, tt := range []struct{ label, value string }{
		{"E-mail", "ops@example.com"},
		{"OID 1.2.3.4", "custom"},
		{"E-mail (SAN)", "admin@example.com"},
		{"URI", "spiffe://example.com/ftp"},
	} {
		if got := value(t, rows, tt.label); got != tt.value {
			t.Errorf("%s = %q, want %q", tt.label, got, tt.value)
		}
	}

	empty := newCert(t, certSpec{key: edKey(21)}).Cert
	rows = rowsOf(t, empty, SectionOwner, ModelOptions{})
	if value(t, rows, "Subject") != "empty" || value(t, rows, "Alternative names") != "none" {
		t.Errorf("empty subject rows = %+v", rows)
	}
}

func TestSANHighlight(t *testing.T) {
	ch := newTestChain(t)
	tests := []struct {
		dialed string
		want   string // the highlighted value, "" for none
	}{
		{"ftp.example.com", "ftp.example.com"},
		{"FTP.Example.COM", "ftp.example.com"},
		{"ftp.example.com.", "ftp.example.com"},
		{"ftp.example.com:990", "ftp.example.com"},
		{"a.files.example.com", "*.files.example.com"},
		{"b.a.files.example.com", ""}, // a wildcard covers one label only
		{"files.example.com", ""},
		{"example.com", "example.com"},
		{"192.0.2.10", "192.0.2.10"},
		{"[192.0.2.10]:21", "192.0.2.10"},
		{"192.0.2.11", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.dialed, func(t *testing.T) {
			rows := rowsOf(t, ch.leaf.Cert, SectionOwner, ModelOptions{DialedName: tt.dialed})
			var got []string
			for _, r := range rows {
				if r.Highlight {
					got = append(got, r.Value)
				}
			}
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("highlighted %v, want none", got)
			case tt.want != "" && (len(got) != 1 || got[0] != tt.want):
				t.Errorf("highlighted %v, want [%s]", got, tt.want)
			}
		})
	}
}

func TestIssuerRows(t *testing.T) {
	ch := newTestChain(t)
	tests := []struct {
		name       string
		cert       *x509.Certificate
		cn         string
		selfSigned string
	}{
		{"leaf", ch.leaf.Cert, "Lockbox Test Issuing CA 1", "no"},
		{"intermediate", ch.inter.Cert, "Lockbox Test Root CA", "no"},
		{"root", ch.root.Cert, "Lockbox Test Root CA", "yes: it signed itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := rowsOf(t, tt.cert, SectionIssuer, ModelOptions{})
			if rows[0].Label != "Common name (CN)" || rows[0].Value != tt.cn || rows[0].Field != verify.FieldIssuer {
				t.Errorf("first row = %+v, want CN %q", rows[0], tt.cn)
			}
			if got := value(t, rows, "Organization (O)"); got != "Lockbox Test" {
				t.Errorf("O = %q", got)
			}
			if got := value(t, rows, "Self-signed"); got != tt.selfSigned {
				t.Errorf("Self-signed = %q, want %q", got, tt.selfSigned)
			}
		})
	}
}

func TestValidityRows(t *testing.T) {
	ch := newTestChain(t)
	tests := []struct {
		name   string
		now    time.Time
		status string
	}{
		{"200 days left", fixedNow, "valid, expires in 199 days"},
		{"23 days left", notAfter.Add(-23*24*time.Hour - time.Hour), "valid, expires in 23 days"},
		{"hours left", notAfter.Add(-5 * time.Hour), "valid, expires in 5 hours"},
		{"expired 4 days ago", notAfter.Add(4*24*time.Hour + time.Hour), "expired 4 days ago"},
		{"expired a minute ago", notAfter.Add(90 * time.Second), "expired 1 minute ago"},
		{"not yet valid", notBefore.Add(-3*24*time.Hour - time.Hour), "not valid for another 3 days"},
		{"years left", notBefore.Add(time.Hour), "valid, expires in 729 days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := rowsOf(t, ch.leaf.Cert, SectionValidity, ModelOptions{Now: tt.now})
			if got := value(t, rows, "Status"); got != tt.status {
				t.Errorf("Status = %q, want %q", got, tt.status)
			}
		})
	}
	rows := rowsOf(t, ch.leaf.Cert, SectionValidity, ModelOptions{Now: fixedNow})
	if got, want := value(t, rows, "Not after"), "2027-01-01 00:00 UTC (local 2027-01-01 01:00 CET)"; got != want {
		t.Errorf("Not after = %q, want %q", got, want)
	}
	rows = rowsOf(t, ch.leaf.Cert, SectionValidity, ModelOptions{Now: fixedNow.UTC()})
	if got, want := value(t, rows, "Not before"), "2025-01-01 00:00 UTC"; got != want {
		t.Errorf("Not before in UTC = %q, want %q", got, want)
	}
	if got, want := value(t, rows, "Lifetime"), "730 days (about 2 years)"; got != want {
		t.Errorf("Lifetime = %q, want %q", got, want)
	}
}

func TestKeyRows(t *testing.T) {
	rsa2048, rsa1024 := rsaKeys(t)
	tests := []struct {
		name      string
		spec      certSpec
		key, sig  string
		serial    string
		wantSerNo int64
	}{
		{"Ed25519", certSpec{key: edKey(30), serial: 0x1f}, "Ed25519", "Ed25519", "1F", 0},
		{"ECDSA P-256", certSpec{key: ecKey(t, elliptic.P256(), 31), serial: 0xabcdef}, "ECDSA P-256", "ECDSA-SHA256", "AB:CD:EF", 0},
		{"ECDSA P-384", certSpec{key: ecKey(t, elliptic.P384(), 32), serial: 1}, "ECDSA P-384", "ECDSA-SHA384", "01", 0},
		{"RSA 2048", certSpec{key: rsa2048, serial: 0x0100}, "RSA 2048", "SHA256-RSA", "01:00", 0},
		{"RSA 1024 SHA-512", certSpec{key: rsa1024, serial: 2, sigAlg: x509.SHA512WithRSA}, "RSA 1024", "SHA512-RSA", "02", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := rowsOf(t, newCert(t, tt.spec).Cert, SectionKey, ModelOptions{})
			for _, w := range []struct{ label, want string }{
				{"Public key", tt.key}, {"Signature algorithm", tt.sig}, {"Serial number", tt.serial}, {"Version", "3"},
			} {
				if got := value(t, rows, w.label); got != w.want {
					t.Errorf("%s = %q, want %q", w.label, got, w.want)
				}
			}
		})
	}
}

func TestExtensionRows(t *testing.T) {
	ch := newTestChain(t)
	tests := []struct {
		name  string
		cert  *x509.Certificate
		label string
		want  string
	}{
		{"leaf not a CA", ch.leaf.Cert, "Basic constraints", "CA: no"},
		{"issuing CA", ch.inter.Cert, "Basic constraints", "CA: yes, path length 0 (may issue only end-entity certificates)"},
		{"root", ch.root.Cert, "Basic constraints", "CA: yes, path length unlimited"},
		{"leaf key usage", ch.leaf.Cert, "Key usage", "digital signature"},
		{"CA key usage", ch.root.Cert, "Key usage", "certificate signing, CRL signing"},
		{"leaf EKU", ch.leaf.Cert, "Extended key usage", "server authentication"},
		{"CA EKU", ch.inter.Cert, "Extended key usage", "server authentication, client authentication"},
		{"no EKU", ch.root.Cert, "Extended key usage", "absent (any purpose)"},
		{"CRL", ch.leaf.Cert, "CRL distribution point", "http://crl.lockbox.test/issuing1.crl"},
		{"OCSP", ch.leaf.Cert, "OCSP server", "http://ocsp.lockbox.test"},
		{"CA issuers", ch.leaf.Cert, "CA issuers URL", "http://ca.lockbox.test/issuing1.crt"},
		{"policy", ch.leaf.Cert, "Certificate policy", "2.23.140.1.2.2 (organization validated)"},
		{"AKI", ch.leaf.Cert, "Authority key ID", colonHex(ch.inter.Cert.SubjectKeyId)},
		{"SKI", ch.inter.Cert, "Subject key ID", colonHex(ch.inter.Cert.SubjectKeyId)},
		{"no OCSP staple", ch.leaf.Cert, "Stapled OCSP response", "none"},
		{"no SCTs", ch.leaf.Cert, "Signed certificate timestamps", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := rowsOf(t, tt.cert, SectionExtensions, ModelOptions{})
			if got := value(t, rows, tt.label); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.label, got, tt.want)
			}
		})
	}

	odd := newCert(t, certSpec{key: edKey(40), eku: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		edit: func(c *x509.Certificate) {
			c.UnknownExtKeyUsage = []asn1.ObjectIdentifier{{1, 2, 3}}
			sct := []byte{0x00, 0x0a, 0x00, 0x03, 1, 2, 3, 0x00, 0x03, 4, 5, 6}
			sctExt, _ := asn1.Marshal(sct)
			feature, _ := asn1.Marshal([]int{5})
			c.ExtraExtensions = []pkix.Extension{
				{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}, Value: sctExt},
				{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 24}, Value: feature},
				{Id: asn1.ObjectIdentifier{1, 2, 3, 4, 5}, Critical: false, Value: []byte{5, 0}},
			}
		}}).Cert
	rows := rowsOf(t, odd, SectionExtensions, ModelOptions{SCTs: [][]byte{{1}, {2}}})
	for _, w := range []struct{ label, want string }{
		{"Extended key usage", "code signing, OID 1.2.3"},
		{"Embedded SCTs", "2"},
		{"TLS feature", "status_request (OCSP must-staple)"},
		{"Extension 1.2.3.4.5", "2 bytes"},
		{"Signed certificate timestamps", "2 sent in the handshake"},
	} {
		if got := value(t, rows, w.label); got != w.want {
			t.Errorf("%s = %q, want %q", w.label, got, w.want)
		}
	}
	// The stapled response and SCTs belong to the server's certificate only.
	m := Build(ch.certs(), nil, ModelOptions{Now: fixedNow, SCTs: [][]byte{{1}}})
	for _, lv := range m.Levels[1:] {
		for _, r := range lv.Section(SectionExtensions).Rows {
			if r.Label == "Stapled OCSP response" || r.Label == "Signed certificate timestamps" {
				t.Errorf("level %d shows %q", lv.Index, r.Label)
			}
		}
	}
}

func TestFingerprintRows(t *testing.T) {
	ch := newTestChain(t)
	rows := rowsOf(t, ch.leaf.Cert, SectionFingerprints, ModelOptions{})
	sum := sha256.Sum256(ch.leaf.Cert.Raw)
	s256 := value(t, rows, "SHA-256")
	if s256 != colonHex(sum[:]) || strings.ToLower(strings.ReplaceAll(s256, ":", "")) != trust.Fingerprint(ch.leaf.Cert.Raw) {
		t.Errorf("SHA-256 = %q, want colon hex of %s", s256, trust.Fingerprint(ch.leaf.Cert.Raw))
	}
	if len(value(t, rows, "SHA-1")) != 20*3-1 {
		t.Errorf("SHA-1 = %q, want 20 colon-separated bytes", value(t, rows, "SHA-1"))
	}
	if got := value(t, rows, "Public key SHA-256 (pin)"); got != trust.SPKIHash(ch.leaf.Cert) {
		t.Errorf("pin = %q, want %q", got, trust.SPKIHash(ch.leaf.Cert))
	}
	for _, r := range rows {
		if !r.Mono {
			t.Errorf("%s is not monospace", r.Label)
		}
	}
}

// marked lists "Section/Label" of every row with a status.
func marked(lv Level) map[string]Row {
	out := map[string]Row{}
	for _, s := range lv.Sections {
		for _, r := range s.Rows {
			if r.Status != "" {
				out[s.Title+"/"+r.Label+"/"+r.Value] = r
			}
		}
	}
	return out
}

func TestProblemMapping(t *testing.T) {
	ch := newTestChain(t)
	chain := ch.certs()
	msg := "the message"
	tests := []struct {
		name    string
		problem verify.Problem
		want    []string // Section/Label/Value of the marked rows
		status  string
	}{
		{"self-signed", verify.Problem{Level: 0, Field: verify.FieldIssuer, Code: verify.CodeSelfSigned, Severity: verify.SeverityError},
			[]string{"Issuer/Common name (CN)/Lockbox Test Issuing CA 1", "Issuer/Self-signed/no"}, StatusInvalid},
		{"unknown authority", verify.Problem{Level: 2, Field: verify.FieldIssuer, Code: verify.CodeUnknownAuthority, Severity: verify.SeverityError},
			[]string{"Issuer/Common name (CN)/Lockbox Test Root CA"}, StatusInvalid},
		{"hostname mismatch", verify.Problem{Level: 0, Field: verify.FieldOwner, Code: verify.CodeHostnameMismatch, Severity: verify.SeverityError},
			[]string{"Owner (subject)/Common name (CN)/ftp.example.com", "Owner (subject)/DNS name/ftp.example.com",
				"Owner (subject)/DNS name/*.files.example.com", "Owner (subject)/DNS name/example.com", "Owner (subject)/IP address/192.0.2.10"}, StatusInvalid},
		{"expired", verify.Problem{Level: 1, Field: verify.FieldValidity, Code: verify.CodeExpired, Severity: verify.SeverityError},
			[]string{"Validity/Not after/2029-06-01 00:00 UTC (local 2029-06-01 01:00 CET)", "Validity/Status/valid, expires in 1081 days (about 2 years)"}, StatusInvalid},
		{"not yet valid", verify.Problem{Level: 0, Field: verify.FieldValidity, Code: verify.CodeNotYetValid, Severity: verify.SeverityError},
			[]string{"Validity/Not before/2025-01-01 00:00 UTC (local 2025-01-01 01:00 CET)", "Validity/Status/valid, expires in 199 days"}, StatusInvalid},
		{"expires soon", verify.Problem{Level: 0, Field: verify.FieldValidity, Code: verify.CodeExpiresSoon, Severity: verify.SeverityWarning},
			[]string{"Validity/Not after/2027-01-01 00:00 UTC (local 2027-01-01 01:00 CET)", "Validity/Status/valid, expires in 199 days"}, StatusWarning},
		{"not a CA", verify.Problem{Level: 1, Field: verify.FieldChain, Code: verify.CodeNotACA, Severity: verify.SeverityError},
			[]string{"Extensions/Basic constraints/CA: yes, path length 0 (may issue only end-entity certificates)"}, StatusInvalid},
		{"incomplete chain", verify.Problem{Level: 0, Field: verify.FieldChain, Code: verify.CodeIncompleteChain, Severity: verify.SeverityError},
			[]string{"Issuer/Issuer certificate/not sent by the server"}, StatusInvalid},
		{"wrong usage", verify.Problem{Level: 0, Field: verify.FieldUsage, Code: verify.CodeWrongUsage, Severity: verify.SeverityError},
			[]string{"Extensions/Extended key usage/server authentication"}, StatusInvalid},
		{"weak signature", verify.Problem{Level: 1, Field: verify.FieldSignature, Code: verify.CodeWeakSignature, Severity: verify.SeverityError},
			[]string{"Key and signature/Signature algorithm/Ed25519"}, StatusInvalid},
		{"weak key", verify.Problem{Level: 0, Field: verify.FieldKey, Code: verify.CodeWeakKey, Severity: verify.SeverityError},
			[]string{"Key and signature/Public key/ECDSA P-256"}, StatusInvalid},
		{"pin mismatch", verify.Problem{Level: 0, Field: verify.FieldPin, Code: verify.CodePinMismatch, Severity: verify.SeverityError},
			[]string{"Fingerprints/SHA-256/" + value(t, rowsOf(t, ch.leaf.Cert, SectionFingerprints, ModelOptions{}), "SHA-256")}, StatusInvalid},
		{"other chain problem", verify.Problem{Level: 0, Field: verify.FieldChain, Code: "path_too_long", Severity: verify.SeverityError},
			[]string{"Issuer/Chain/path too long"}, StatusInvalid},
		{"unknown field", verify.Problem{Level: 2, Field: "transparency", Code: "no_scts", Severity: verify.SeverityWarning},
			[]string{"Other problems/transparency/no scts"}, StatusWarning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.problem
			p.Message = msg + " (" + tt.name + ")"
			m := Build(chain, []verify.Problem{p}, ModelOptions{Now: fixedNow, DialedName: "ftp.example.com"})
			got := marked(m.Levels[p.Level])
			for _, w := range tt.want {
				r, ok := got[w]
				if !ok {
					t.Errorf("row %s not marked; marked: %v", w, keys(got))
					continue
				}
				if r.Status != tt.status || r.Message != p.Message {
					t.Errorf("row %s = %s %q, want %s %q", w, r.Status, r.Message, tt.status, p.Message)
				}
				delete(got, w)
			}
			if len(got) > 0 {
				t.Errorf("rows marked too: %v", keys(got))
			}
			for i, lv := range m.Levels {
				want := verify.Severity("")
				if i == p.Level {
					want = p.Severity
				}
				if lv.Severity != want {
					t.Errorf("level %d severity %q, want %q", i, lv.Severity, want)
				}
			}
		})
	}
}

func keys(m map[string]Row) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestProblemsNeverDropped(t *testing.T) {
	ch := newTestChain(t)
	problems := []verify.Problem{
		{Level: 0, Field: verify.FieldIssuer, Code: verify.CodeSelfSigned, Severity: verify.SeverityError, Message: "one"},
		{Level: 0, Field: verify.FieldIssuer, Code: verify.CodeUnknownAuthority, Severity: verify.SeverityError, Message: "two"},
		{Level: 0, Field: "", Code: "", Severity: verify.SeverityWarning, Message: "three"},
		{Level: 7, Field: verify.FieldChain, Code: verify.CodeIncompleteChain, Severity: verify.SeverityError, Message: "four"},
		{Level: -1, Field: verify.FieldPin, Code: verify.CodePinMismatch, Severity: verify.SeverityError, Message: "five"},
	}
	m := Build([]*x509.Certificate{ch.leaf.Cert}, problems, ModelOptions{Now: fixedNow})
	var all strings.Builder
	for _, r := range m.Notes {
		all.WriteString(r.Message + "\n")
	}
	for _, lv := range m.Levels {
		for _, r := range lv.allRows() {
			all.WriteString(r.Message + "\n")
		}
	}
	for _, p := range problems {
		if !strings.Contains(all.String(), p.Message) {
			t.Errorf("problem %q is shown nowhere", p.Message)
		}
	}
	if len(m.Notes) != 2 || m.Severity != verify.SeverityError {
		t.Errorf("notes %+v, severity %q", m.Notes, m.Severity)
	}
	// Two issuer problems on the same row: both messages, worst status.
	first := m.Levels[0].Section(SectionIssuer).Rows[0]
	if first.Message != "one\ntwo" || first.Status != StatusInvalid {
		t.Errorf("first issuer row = %q %q", first.Status, first.Message)
	}
}

func TestLevels(t *testing.T) {
	ch := newTestChain(t)
	m := Build(ch.certs(), nil, ModelOptions{Now: fixedNow})
	want := []struct{ role, title string }{
		{RoleServer, "ftp.example.com"}, {RoleIntermediate, "Lockbox Test Issuing CA 1"}, {RoleRoot, "Lockbox Test Root CA"},
	}
	for i, w := range want {
		lv := m.Levels[i]
		if lv.Index != i || lv.Role != w.role || lv.Title != w.title || lv.Note != "" || lv.Cert != ch.certs()[i] {
			t.Errorf("level %d = %d %s %q note %q", i, lv.Index, lv.Role, lv.Title, lv.Note)
		}
		var titles []string
		for _, s := range lv.Sections {
			titles = append(titles, s.Title)
		}
		if got := strings.Join(titles, "|"); got != "Owner (subject)|Issuer|Validity|Key and signature|Extensions|Fingerprints" {
			t.Errorf("level %d sections %s", i, got)
		}
	}
	// A root sent without the intermediate between it and the leaf.
	m = Build([]*x509.Certificate{ch.leaf.Cert, ch.root.Cert}, nil, ModelOptions{Now: fixedNow})
	if !strings.Contains(m.Levels[1].Note, "did not issue level 0") {
		t.Errorf("unlinked root note = %q", m.Levels[1].Note)
	}
	// Nil certificates keep the indices problems refer to.
	m = Build([]*x509.Certificate{ch.leaf.Cert, nil}, []verify.Problem{{Level: 1, Field: verify.FieldKey, Severity: verify.SeverityError, Message: "x"}}, ModelOptions{Now: fixedNow})
	if len(m.Levels) != 2 || m.Levels[1].Severity != verify.SeverityError {
		t.Errorf("nil level = %+v", m.Levels)
	}
}

func TestSummary(t *testing.T) {
	ch := newTestChain(t)
	roots := []*x509.Certificate{ch.root.Cert}
	bad := selfSignedBad(t)
	tests := []struct {
		name        string
		chain       []*x509.Certificate
		roots       []*x509.Certificate
		dialed      string
		now         time.Time
		trust       client.Trust
		want        []string
		wantTrusted bool
	}{
		{"verified", ch.certs(), roots, "ftp.example.com", fixedNow, client.TrustVerified,
			[]string{`Trusted: the chain leads to the trusted root "Lockbox Test Root CA" and every check passed.`}, true},
		{"file without trust decision", ch.certs(), roots, "", fixedNow, "",
			[]string{"Trusted:"}, true},
		{"expires soon", ch.certs(), roots, "ftp.example.com", notAfter.Add(-23*24*time.Hour - time.Hour), client.TrustVerified,
			[]string{"Trusted:", "but it expires in 23 days."}, true},
		{"three problems", []*x509.Certificate{bad.Cert}, nil, "ftp.example.com", fixedNow, client.TrustUntrusted,
			[]string{"Not trusted: the certificate is self-signed, its name does not match ftp.example.com and it expired 4 days ago.",
				"Accept it only if its SHA-256 fingerprint matches"}, false},
		{"missing intermediate", []*x509.Certificate{ch.leaf.Cert}, roots, "ftp.example.com", fixedNow, client.TrustUntrusted,
			[]string{`Not trusted: the certificate of "Lockbox Test Issuing CA 1", which issued it, is missing.`, "install the full certificate chain"}, false},
		{"unknown root", ch.certs(), nil, "ftp.example.com", fixedNow, client.TrustUntrusted,
			[]string{`its root "Lockbox Test Root CA" is not among your trusted roots`}, false},
		{"pinned", []*x509.Certificate{bad.Cert}, nil, "ftp.example.com", fixedNow, client.TrustPinned,
			[]string{"Trusted because you accepted (pinned) this exact certificate", "Without the pin it would not be: the certificate is self-signed"}, true},
		{"accepted once", []*x509.Certificate{bad.Cert}, nil, "nas.local", fixedNow, client.TrustAcceptedOnce,
			[]string{"Accepted for this session only, although the certificate is self-signed and it expired 4 days ago."}, true},
		{"pin changed", ch.certs(), roots, "ftp.example.com", fixedNow, client.TrustPinChanged,
			[]string{"Not trusted: the server now shows a different certificate", "Do not continue unless"}, false},
		{"intermediate expired", ch.certs(), roots, "ftp.example.com", time.Date(2029, 7, 1, 0, 0, 0, 0, time.UTC), client.TrustUntrusted,
			[]string{`the intermediate certificate "Lockbox Test Issuing CA 1" expired 30 days ago`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(tt.chain, tt.roots, tt.dialed, tt.now)
			m := Build(r.Chain, r.Problems, ModelOptions{DialedName: tt.dialed, Now: tt.now, Trust: string(tt.trust)})
			for _, w := range tt.want {
				if !strings.Contains(m.Summary, w) {
					t.Errorf("summary %q\nlacks %q", m.Summary, w)
				}
			}
			if m.Trusted != tt.wantTrusted {
				t.Errorf("Trusted = %v, want %v (%s)", m.Trusted, tt.wantTrusted, m.Summary)
			}
			if m.Summary != strings.TrimSpace(m.Verdict+" "+m.Advice) {
				t.Errorf("Summary %q is not Verdict + Advice", m.Summary)
			}
		})
	}
	if m := Build(nil, nil, ModelOptions{Now: fixedNow}); m.Trusted || !strings.Contains(m.Summary, "sent no certificate") {
		t.Errorf("empty chain summary %q trusted=%v", m.Summary, m.Trusted)
	}
}

// ocspChain is a chain whose issuing CA has an ECDSA key, which OCSP
// responses can be signed with.
func ocspChain(t *testing.T) (leaf, issuer *fixture) {
	t.Helper()
	root := newCert(t, certSpec{subject: pkix.Name{CommonName: "OCSP Root"}, isCA: true, pathLen: -1, key: edKey(50)})
	issuer = newCert(t, certSpec{subject: pkix.Name{CommonName: "OCSP CA"}, isCA: true, pathLen: 0,
		key: ecKey(t, elliptic.P256(), 51), parent: root, serial: 2})
	leaf = newCert(t, certSpec{subject: pkix.Name{CommonName: "ftp.example.com"}, dns: []string{"ftp.example.com"},
		key: ecKey(t, elliptic.P256(), 52), parent: issuer, serial: 77})
	return leaf, issuer
}

func TestOCSPRow(t *testing.T) {
	leaf, issuer := ocspChain(t)
	other, _ := ocspChain(t)
	thisUpdate := fixedNow.Add(-time.Hour)
	respond := func(status int, serial *big.Int, next time.Time, signer *fixture) []byte {
		der, err := ocsp.CreateResponse(issuer.Cert, signer.Cert, ocsp.Response{
			Status: status, SerialNumber: serial, ThisUpdate: thisUpdate, NextUpdate: next,
			RevokedAt: fixedNow.Add(-48 * time.Hour), RevocationReason: ocsp.KeyCompromise,
		}, signer.Key)
		if err != nil {
			t.Fatalf("create OCSP response: %v", err)
		}
		return der
	}
	next := fixedNow.Add(24 * time.Hour)
	tests := []struct {
		name       string
		der        []byte
		wantPrefix string
		status     string
		revoked    bool
	}{
		{"none", nil, "none", "", false},
		{"good", respond(ocsp.Good, leaf.Cert.SerialNumber, next, issuer), "good (this update 2026-06-15 09:00 UTC", "", false},
		{"revoked", respond(ocsp.Revoked, leaf.Cert.SerialNumber, next, issuer), "REVOKED on 2026-06-13 10:00 UTC", StatusInvalid, true},
		{"unknown", respond(ocsp.Unknown, leaf.Cert.SerialNumber, next, issuer), "unknown: the responder does not know", StatusWarning, false},
		{"stale", respond(ocsp.Good, leaf.Cert.SerialNumber, fixedNow.Add(-time.Minute), issuer), "good", StatusWarning, false},
		{"other certificate", respond(ocsp.Good, big.NewInt(12345), next, issuer), "for another certificate", StatusWarning, false},
		{"bad signature", respond(ocsp.Good, leaf.Cert.SerialNumber, next, &fixture{Cert: issuer.Cert, Key: ecKey(t, elliptic.P256(), 99)}), "good", StatusWarning, false},
		{"garbage", []byte("not ocsp"), "unreadable", StatusWarning, false},
	}
	_ = other
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain := []*x509.Certificate{leaf.Cert, issuer.Cert}
			m := Build(chain, nil, ModelOptions{Now: fixedNow, OCSPResponse: tt.der, Trust: string(client.TrustVerified)})
			var row Row
			for _, r := range m.Levels[0].Section(SectionExtensions).Rows {
				if r.Label == "Stapled OCSP response" {
					row = r
				}
			}
			if !strings.HasPrefix(row.Value, tt.wantPrefix) || row.Status != tt.status {
				t.Errorf("row = %q (%s), want prefix %q (%s)", row.Value, row.Status, tt.wantPrefix, tt.status)
			}
			if tt.status != "" && row.Message == "" {
				t.Error("marked row without a message")
			}
			if tt.revoked && (m.Trusted || !strings.Contains(m.Summary, "revoked") || m.Levels[0].Severity != verify.SeverityError) {
				t.Errorf("revoked: trusted=%v summary %q severity %q", m.Trusted, m.Summary, m.Levels[0].Severity)
			}
		})
	}
}

func TestFromReport(t *testing.T) {
	bad := selfSignedBad(t)
	r := check([]*x509.Certificate{bad.Cert}, nil, "ftp.example.com", fixedNow)
	rep := &client.Report{Certificates: r.Chain, Problems: r.Problems, Trust: client.TrustUntrusted,
		SCTs: [][]byte{{1}}, OCSPResponse: nil}
	m := FromReport(rep, "ftp.example.com", fixedNow)
	if m.Trusted || len(m.Levels) != 1 || len(m.Problems) != 3 || m.DialedName != "ftp.example.com" {
		t.Fatalf("model = trusted %v, %d levels, %d problems", m.Trusted, len(m.Levels), len(m.Problems))
	}
	if got := value(t, m.Levels[0].Section(SectionExtensions).Rows, "Signed certificate timestamps"); got != "1 sent in the handshake" {
		t.Errorf("SCTs = %q", got)
	}
	if m := FromReport(nil, "x", fixedNow); m.Trusted || len(m.Levels) != 0 {
		t.Errorf("nil report model = %+v", m)
	}
}
