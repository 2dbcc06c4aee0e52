package certview

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/ocsp"
)

// ocspResult is the stapled OCSP response as rows, and whether it says the
// certificate was revoked.
type ocspResult struct {
	rows    []Row
	revoked bool
}

var revocationReasons = map[int]string{
	ocsp.Unspecified:          "no reason given",
	ocsp.KeyCompromise:        "key compromise",
	ocsp.CACompromise:         "CA compromise",
	ocsp.AffiliationChanged:   "affiliation changed",
	ocsp.Superseded:           "superseded",
	ocsp.CessationOfOperation: "cessation of operation",
	ocsp.CertificateHold:      "certificate hold",
	ocsp.RemoveFromCRL:        "removed from CRL",
	ocsp.PrivilegeWithdrawn:   "privilege withdrawn",
	ocsp.AACompromise:         "AA compromise",
}

// ocspRows describes the stapled OCSP response for chain[0]. Its signature
// is checked against chain[1] when that is the leaf's issuer.
func ocspRows(der []byte, chain []*x509.Certificate, now time.Time) ocspResult {
	const label = "Stapled OCSP response"
	if len(der) == 0 {
		return ocspResult{rows: []Row{{Label: label, Value: "none", key: keyOCSP}}}
	}
	leaf := chain[0]
	var issuer *x509.Certificate
	if len(chain) > 1 && issued(leaf, chain[1]) {
		issuer = chain[1]
	}
	loc := now.Location()
	resp, err := ocsp.ParseResponseForCert(der, leaf, issuer)
	var sigErr error
	if err != nil && issuer != nil {
		if r2, err2 := ocsp.ParseResponseForCert(der, leaf, nil); err2 == nil {
			resp, err, sigErr = r2, nil, err
		}
	}
	if err != nil {
		var re ocsp.ResponseError
		msg := "The server stapled an OCSP response that cannot be read, so it says nothing about revocation: " + err.Error() + "."
		val := "unreadable"
		switch {
		case errors.As(err, &re):
			val = "responder error: " + re.Error()
			msg = "The server stapled an OCSP error response instead of a status, so it says nothing about revocation."
		case errors.Is(err, ocsp.ParseError("no response matching the supplied certificate")):
			val = "for another certificate"
			msg = "The server stapled an OCSP response about a different certificate, so it says nothing about this one."
		}
		return ocspResult{rows: []Row{{Label: label, Value: val, Status: StatusWarning, Message: msg, key: keyOCSP}}}
	}
	row := Row{Label: label, key: keyOCSP}
	res := ocspResult{}
	times := fmt.Sprintf("this update %s", formatWhen(resp.ThisUpdate, loc))
	if !resp.NextUpdate.IsZero() {
		times += fmt.Sprintf(", next update %s", formatWhen(resp.NextUpdate, loc))
	}
	switch resp.Status {
	case ocsp.Good:
		row.Value = "good (" + times + ")"
	case ocsp.Revoked:
		reason := revocationReasons[resp.RevocationReason]
		if reason == "" {
			reason = fmt.Sprintf("reason %d", resp.RevocationReason)
		}
		row.Value = fmt.Sprintf("REVOKED on %s, %s (%s)", formatWhen(resp.RevokedAt, loc), reason, times)
		row.Status = StatusInvalid
		row.Message = fmt.Sprintf("The server's own stapled OCSP response says this certificate was revoked on %s (%s). Do not trust it: the administrator must replace it.",
			formatWhen(resp.RevokedAt, loc), reason)
		res.revoked = true
	case ocsp.Unknown:
		row.Value = "unknown: the responder does not know this certificate (" + times + ")"
		row.Status = StatusWarning
		row.Message = "The OCSP responder does not know this certificate, so the response says nothing about revocation."
	default:
		row.Value = fmt.Sprintf("status %d (%s)", resp.Status, times)
		row.Status = StatusWarning
		row.Message = "The stapled OCSP response has a status this program does not know."
	}
	if row.Status == "" && !resp.NextUpdate.IsZero() && now.After(resp.NextUpdate) {
		row.Status = StatusWarning
		row.Message = fmt.Sprintf("The stapled OCSP response is out of date: it should have been replaced on %s.", formatWhen(resp.NextUpdate, loc))
	}
	if sigErr != nil && row.Status != StatusInvalid {
		row.Status = StatusWarning
		row.Message = joinLines(row.Message, "The stapled OCSP response's signature does not verify against the issuer ("+sigErr.Error()+"), so it cannot be relied on.")
	}
	res.rows = []Row{row}
	return res
}

func joinLines(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}
