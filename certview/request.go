package certview

import (
	"bytes"
	"crypto/dsa" //nolint:staticcheck // only to recognise obsolete DSA keys
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"net"
	"strings"

	"lockbox/client"
	"lockbox/client/trust"
	"lockbox/client/verify"
	"lockbox/client/workshop"
)

// FormatRequest is a PKCS#10 certificate request (.csr/.req), PEM or DER.
const FormatRequest = "PKCS#10 request"

// RoleRequest is the role of the one level of a request's model.
const RoleRequest = "request"

// Problem codes only a request has.
const (
	// CodeNoSAN: the request names no subject alternative name, which is
	// where TLS clients look for the host name.
	CodeNoSAN = "no_san"
	// CodeCNNotInSAN: the common name is not among the SANs, so clients
	// that ignore the CN (all current ones) will not match it.
	CodeCNNotInSAN = "cn_not_in_san"
	// CodeBadRequestSignature: the request's self-signature does not
	// verify, so it may not come from the key's holder.
	CodeBadRequestSignature = "bad_request_signature"
)

// keyReqSig is the row of the request's self-signature.
const keyReqSig = "reqsig"

// sniffRequest returns the request in data when data is one (PEM with a
// CERTIFICATE REQUEST block, or DER that parses as a request); ok is false
// when data is something else, for the certificate loaders.
func sniffRequest(data []byte) (csr *x509.CertificateRequest, ok bool, err error) {
	if bytes.Contains(data, []byte("-----BEGIN CERTIFICATE REQUEST")) || bytes.Contains(data, []byte("-----BEGIN NEW CERTIFICATE REQUEST")) {
		csr, err = workshop.ParseRequest(data)
		return csr, true, err
	}
	if bytes.Contains(data, []byte("-----BEGIN")) {
		return nil, false, nil
	}
	if csr, err := x509.ParseCertificateRequest(data); err == nil {
		return csr, true, nil
	}
	return nil, false, nil
}

// requestCert is the certificate a request would become, for the row
// builders that take one.
func requestCert(csr *x509.CertificateRequest) *x509.Certificate {
	return &x509.Certificate{Subject: csr.Subject, DNSNames: csr.DNSNames, IPAddresses: csr.IPAddresses,
		EmailAddresses: csr.EmailAddresses, URIs: csr.URIs, PublicKey: csr.PublicKey,
		PublicKeyAlgorithm: csr.PublicKeyAlgorithm, SignatureAlgorithm: csr.SignatureAlgorithm,
		RawSubjectPublicKeyInfo: csr.RawSubjectPublicKeyInfo}
}

// RequestProblems judges a request as a CA would before signing it: a
// weak key, a broken hash, no SAN, a CN missing from the SANs, and a
// self-signature that does not verify.
func RequestProblems(csr *x509.CertificateRequest) []verify.Problem {
	var out []verify.Problem
	add := func(field, code, format string, args ...any) {
		out = append(out, verify.Problem{Level: 0, Field: field, Code: code, Severity: verify.SeverityError,
			Message: fmt.Sprintf(format, args...)})
	}
	const fix = "Make a new request with a stronger key."
	switch k := csr.PublicKey.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < 2048 {
			add(verify.FieldKey, verify.CodeWeakKey, "The request has a %d-bit RSA key, which is too short to be safe (the minimum is 2048 bits). %s", bits, fix)
		}
	case *ecdsa.PublicKey:
		if bits := k.Curve.Params().BitSize; bits < 256 {
			add(verify.FieldKey, verify.CodeWeakKey, "The request has a %d-bit ECDSA key (%s), which is too short to be safe (the minimum is P-256). %s", bits, k.Curve.Params().Name, fix)
		}
	case *dsa.PublicKey:
		add(verify.FieldKey, verify.CodeWeakKey, "The request has a DSA key, an obsolete key type that is no longer considered safe. %s", fix)
	}
	switch csr.SignatureAlgorithm {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
		add(verify.FieldSignature, verify.CodeWeakSignature, "The request is signed with %s, a broken hash; many CAs refuse it. Make it again signed with SHA-256 or better.", csr.SignatureAlgorithm)
	}
	sans := len(csr.DNSNames) + len(csr.IPAddresses) + len(csr.EmailAddresses) + len(csr.URIs)
	cn := csr.Subject.CommonName
	switch {
	case sans == 0:
		add(verify.FieldOwner, CodeNoSAN, "The request names no subject alternative name: TLS clients look only there for the host name, so a certificate made from it matches no server.")
	case cn != "" && !cnInSANs(cn, csr):
		add(verify.FieldOwner, CodeCNNotInSAN, "The common name %q is not among the subject alternative names, so clients, which ignore the CN, will not match it.", cn)
	}
	if err := csr.CheckSignature(); err != nil {
		add(verify.FieldSignature, CodeBadRequestSignature, "The request's own signature does not verify (%v): it was damaged or altered, or does not come from the key's holder. A CA must refuse it.", err)
	}
	return out
}

func cnInSANs(cn string, csr *x509.CertificateRequest) bool {
	for _, d := range csr.DNSNames {
		if strings.EqualFold(d, cn) {
			return true
		}
	}
	if ip := net.ParseIP(cn); ip != nil {
		for _, x := range csr.IPAddresses {
			if x.Equal(ip) {
				return true
			}
		}
	}
	for _, e := range csr.EmailAddresses {
		if strings.EqualFold(e, cn) {
			return true
		}
	}
	// A CN with spaces is a person's name, which no SAN type holds.
	return strings.Contains(cn, " ")
}

// BuildRequest makes the inspector's model of a request: one level with
// its subject and SANs, its key and signature, and its problems marked on
// the rows they are about.
func BuildRequest(csr *x509.CertificateRequest, problems []verify.Problem, opts ModelOptions) *Model {
	c := requestCert(csr)
	sigOK := "valid: the request was signed by the key it carries"
	if err := csr.CheckSignature(); err != nil {
		sigOK = "does not verify"
	}
	spki := sha256.Sum256(csr.RawSubjectPublicKeyInfo)
	lv := Level{Index: 0, Role: RoleRequest, Title: certTitle(c)}
	lv.Sections = []Section{
		{Title: SectionOwner, Rows: ownerRows(c, 0, "")},
		{Title: SectionKey, Rows: []Row{
			{Label: "Public key", Value: publicKeyName(csr), Field: verify.FieldKey, key: keyPublicKey},
			{Label: "Signature algorithm", Value: csr.SignatureAlgorithm.String(), Field: verify.FieldSignature, key: keySigAlg},
			{Label: "Self-signature", Value: sigOK, Field: verify.FieldSignature, key: keyReqSig},
			{Label: "Version", Value: fmt.Sprint(csr.Version + 1)},
		}},
		{Title: SectionFingerprints, Rows: []Row{
			{Label: "Public key SHA-256 (pin)", Value: trust.SPKIHash(c), Field: verify.FieldPin, Mono: true},
			{Label: "Public key SHA-256 (hex)", Value: colonHex(spki[:]), Mono: true},
		}},
	}
	m := &Model{Source: opts.Source, Problems: append([]verify.Problem(nil), problems...)}
	for _, p := range problems {
		keys := map[string][]string{CodeNoSAN: {keySAN}, CodeCNNotInSAN: {keySubjectCN}, CodeBadRequestSignature: {keyReqSig},
			verify.CodeWeakSignature: {keySigAlg}, verify.CodeWeakKey: {keyPublicKey}}[p.Code]
		hit := false
		for si := range lv.Sections {
			for ri := range lv.Sections[si].Rows {
				for _, k := range keys {
					if lv.Sections[si].Rows[ri].key == k {
						mark(&lv.Sections[si].Rows[ri], p)
						hit = true
					}
				}
			}
		}
		if !hit {
			r := Row{Label: "Problem", Value: humanCode(p.Code), Field: p.Field, key: keyProblem}
			mark(&r, p)
			s := lv.section(SectionOther)
			s.Rows = append(s.Rows, r)
		}
	}
	lv.Severity = worstOfRows(lv.allRows())
	m.Levels = []Level{lv}
	m.Severity = lv.Severity
	if verify.HasErrors(problems) {
		var titles []string
		for _, p := range problems {
			titles = append(titles, requestTitle(p.Code))
		}
		m.Verdict = "This certificate request has problems: " + strings.Join(titles, ", ") + "."
		m.Advice = "A CA should not sign it as it is; make a new request."
	} else {
		m.Verdict = "This is a certificate request, not a certificate: nothing is wrong with it."
		m.Advice = "Send it to your CA, then import the certificate it sends back."
		m.Trusted = true
	}
	m.Summary = strings.TrimSpace(m.Verdict + " " + m.Advice)
	return m
}

func publicKeyName(csr *x509.CertificateRequest) string {
	return client.PublicKeyName(requestCert(csr))
}

// requestTitle says what a request's problem code means in a few words.
func requestTitle(code string) string {
	switch code {
	case CodeNoSAN:
		return "no subject alternative name"
	case CodeCNNotInSAN:
		return "common name missing from the SANs"
	case CodeBadRequestSignature:
		return "bad self-signature"
	}
	return verify.Title(code)
}
